"""The PWA's wire types (pwa/src/shared/wire.ts) are generated from sync/spec.py + sync/vocabulary.py.

Regenerating must give exactly the committed file, so Python and TypeScript never drift: change the
contract in Python, run `python3 pwa/scripts/gen_wire_types.py` (or `make pwa`), commit both.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

from sync import spec, vocabulary

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
        interface = re.search(rf"export interface {record.name.capitalize()}Data {{\n(.*?)\n}}", text, re.S)
        assert interface, record.name
        declared = re.findall(r"^  (?:readonly )?(\w+)\?:", interface.group(1), re.M)
        assert declared == [f.name for f in record.fields] + list(record.read_only_fields), record.name


def test_generator_check_mode_passes_on_the_committed_file() -> None:
    assert _generator().main(["--check"]) == 0
