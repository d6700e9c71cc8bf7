"""The PWA's wire types (pwa/src/shared/wire.ts) are generated from sync/spec.py, sync/envelope.py and
sync/vocabulary.py; the server's envelope schemas (server/api/schemas.py) from sync/envelope.py.

Regenerating must give exactly the committed file, so Python and TypeScript never drift: change the
contract in Python, run `python3 pwa/scripts/gen_wire_types.py` (or `make pwa`), commit both.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

from sync import envelope, spec, vocabulary

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "pwa" / "scripts" / "gen_wire_types.py"
WIRE_TS = ROOT / "pwa" / "src" / "shared" / "wire.ts"


def _generator() -> ModuleType:
    loader = importlib.util.spec_from_file_location("gen_wire_types", GENERATOR)
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


def test_committed_wire_types_are_exactly_what_the_generator_writes() -> None:
    expected = _generator().render()
    assert WIRE_TS.read_text(encoding="utf-8") == expected, (
        "pwa/src/shared/wire.ts is out of date: run `python3 pwa/scripts/gen_wire_types.py` and commit it")


def _ts_const(text: str, name: str) -> object:
    match = re.search(rf"^export const {name} = (.+?) as const;$", text, re.M)
    assert match, f"{name} missing from wire.ts"
    return json.loads(match.group(1))


def test_wire_ts_lists_every_type_and_enum_of_the_python_contract() -> None:
    """A second, independent reading: the constants in the file equal the Python values."""
    text = WIRE_TS.read_text(encoding="utf-8")
    assert _ts_const(text, "RECORD_TYPES") == list(spec.RECORD_SPECS)
    assert _ts_const(text, "MUTABLE_TYPES") == list(spec.MUTABLE_TYPES)
    assert _ts_const(text, "DISTRICTS") == vocabulary.DISTRICTS
    for name in ("ACTIVITY_KINDS", "ACTIVITY_STATES", "EXPENSE_CATEGORIES", "EXPENSE_STATES", "CLAIM_STATES",
                 "ASSIGNMENT_RESPONSES", "OFFER_STATES", "LANGUAGE_LEVELS", "SPECIALISATIONS"):
        assert _ts_const(text, name) == list(getattr(vocabulary, name)), name
    for record in spec.RECORD_SPECS.values():
        type_name = "".join(part.capitalize() for part in record.name.split("_"))  # course_registration
        interface = re.search(rf"export interface {type_name}Data {{\n(.*?)\n}}", text, re.S)
        assert interface, record.name
        declared = re.findall(r"^  (?:readonly )?(\w+)\?:", interface.group(1), re.M)
        assert declared == [f.name for f in record.fields] + list(record.read_only_fields), record.name


def test_generator_check_mode_passes_on_the_committed_file() -> None:
    assert _generator().main(["--check"]) == 0


def test_wire_ts_declares_the_sync_envelope_as_python_does() -> None:
    """Each envelope's members, in order, with `?` exactly where the declaration does not require one."""
    text = WIRE_TS.read_text(encoding="utf-8")
    for declared in envelope.ENVELOPES.values():
        interface = re.search(rf"export interface {declared.name} {{\n(.*?)\n}}", text, re.S)
        assert interface, declared.name
        members = re.findall(r"^  (\w+)(\??):", interface.group(1), re.M)
        assert members == [(p.name, "" if p.required else "?") for p in declared.parts], declared.name


def test_server_schemas_load_what_the_envelope_declares(app) -> None:
    """The marshmallow schemas are built from the declaration: its members, defaults and limits."""
    import pytest
    from marshmallow import ValidationError

    from server.api.schemas import MutationSchema, SyncRequestSchema

    assert set(SyncRequestSchema().fields) == envelope.SYNC_REQUEST.names
    assert set(MutationSchema().fields) == envelope.MUTATION.names
    assert SyncRequestSchema().load({}) == {"cursor": None, "mutations": [], "limit": envelope.LIMIT_DEFAULT,
                                            "app_version": None}
    for bad in ({"limit": envelope.LIMIT_MAX + 1}, {"limit": "5"}, {"cursor": "x" * 201}, {"app_version": "a\x00"}):
        with pytest.raises(ValidationError):
            SyncRequestSchema().load(bad)


def test_base_version_rule() -> None:
    assert envelope.base_version_of(None) is None
    assert envelope.base_version_of(0) is None  # a record the server has not seen
    assert envelope.base_version_of(3) == 3
    assert "export function baseVersionOf" in WIRE_TS.read_text(encoding="utf-8")
