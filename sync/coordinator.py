"""What a coordinator does to synced records, as plain functions over a SQLAlchemy session.

Each goes through the same bindings, merge rules and session hooks as a device's mutation, so the
change gets a version, a history entry and a place in the feed exactly like one — the guide's phones
receive it on their next sync. The coordinator's pages call these; so do the tests.
The caller commits; every function raises `CoordinatorError` (with a stable code) instead of writing
anything invalid. Nothing here knows a record type: a type's workflow rules are its binding's
(`Binding.staff_edit_refusal`) and its domain's (`server/<domain>/operations.py`), which load and
author their changes through `load_record` and `sync.feed.set_author` like the functions here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sync import feed
from sync.clock import utcnow
from sync.merge import Author, Resolution, _same_writer, merge_edit
from sync.push.orm_writer import apply_resolution, record_history
from sync.registry import BINDINGS
from sync.spec import COORDINATOR, wire_value
from sync.tables import Conflict


class CoordinatorError(ValueError):
    def __init__(self, code: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(code)
        self.code, self.fields = code, fields


def load_record(session: Session, record_type: str, record_id: str, organization_id: int) -> Any:
    """The record, locked for the edit; `not_found` when it is missing, deleted or another organization's."""
    binding = BINDINGS[record_type]
    obj = session.get(binding.model, record_id, with_for_update=True, populate_existing=True)
    if obj is None or binding.organization_id_of(obj) != organization_id or getattr(obj, "deleted_at", None):
        raise CoordinatorError("not_found")
    return obj


def edit_record(session: Session, author: Author, organization_id: int, record_type: str, record_id: str,
                fields: dict[str, Any], base_version: int | None = None) -> Resolution:
    """Correct a guide's record. Without `base_version` the coordinator edits what they see now."""
    binding = BINDINGS[record_type]
    obj = load_record(session, record_type, record_id, organization_id)
    clean, errors = binding.spec.validate(fields, COORDINATOR, creating=False)
    if errors:
        raise CoordinatorError("invalid", errors)
    refusal = binding.staff_edit_refusal(obj, clean)
    if refusal:
        raise CoordinatorError(refusal)  # the workflow wins (e.g. an approved amount: undo the decision first)
    feed.set_author(session, author)
    base = obj.version if base_version is None else base_version
    resolution = merge_edit(binding.current_values(session, obj), record_history(session, record_type, record_id),
                            base, clean, author)
    apply_resolution(session, binding, obj, resolution, author)
    return resolution


@dataclass(frozen=True)
class Clash:
    """A field the coordinator changed on a form that someone else (the guide's phone, a colleague) also
    changed since the form was opened: her value, and the one stored now."""

    field: str
    mine: Any
    theirs: Any


class EditClash(CoordinatorError):
    """Nothing was written: `clashes` need her decision; `version` and `current` are what is stored now."""

    def __init__(self, clashes: list[Clash], version: int, current: dict[str, Any]) -> None:
        super().__init__("clash")
        self.clashes, self.version, self.current = clashes, version, current


def _same(a: Any, b: Any) -> bool:
    """Equal as wire values (a tuple and a list, a value and its JSON round trip are the same)."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def current_wire_values(session: Session, organization_id: int, record_type: str, record_id: str
                        ) -> tuple[int, dict[str, Any]]:
    """The record's version and wire values, as a desk form opens it (and carries back: edit_from_form)."""
    obj = load_record(session, record_type, record_id, organization_id)
    return obj.version, _wire(BINDINGS[record_type].current_values(session, obj))


def _wire(values: dict[str, Any]) -> dict[str, Any]:
    return {name: wire_value(value) for name, value in values.items()}


def edit_from_form(session: Session, author: Author, organization_id: int, record_type: str, record_id: str,
                   wanted: dict[str, Any], opened_version: int | None,
                   opened: dict[str, Any] | None) -> tuple[dict[str, Any], Resolution | None]:
    """Save a desk form that edits a synced record, opened at `opened_version` showing `opened`.

    Only the fields she changed on the form (`wanted` differs from `opened`) are edits; the others are
    not, so a phone's change to them since stands. A field she changed that someone else also changed
    since is a clash: `EditClash` is raised and nothing is written, so that she decides with both values
    in front of her. The edits go through `edit_record` with the opened version as their base. Without
    the opened values (an old form) every field that differs from the stored one counts as her edit,
    and the clash check still protects what others changed since. Returns (changes written, resolution).
    """
    obj = load_record(session, record_type, record_id, organization_id)
    binding = BINDINGS[record_type]
    current = _wire(binding.current_values(session, obj))
    if opened_version is None or not 0 < opened_version <= obj.version:
        opened_version = obj.version
    reference = opened if opened is not None else current
    edits = {name: value for name, value in wanted.items() if not _same(reference.get(name), value)}
    since: set[str] = set()
    for change in record_history(session, record_type, record_id):
        if change.version > opened_version and not _same_writer(change.author, author):
            since |= change.fields
    clashes = [Clash(name, value, current.get(name)) for name, value in edits.items()
               if name in since and not _same(current.get(name), value)]
    if clashes:
        raise EditClash(clashes, obj.version, current)
    changes = {name: value for name, value in edits.items() if not _same(current.get(name), value)}
    if not changes:
        return {}, None
    return changes, edit_record(session, author, organization_id, record_type, record_id, changes,
                                base_version=opened_version)


def resolve_conflict(session: Session, author: Author, organization_id: int, conflict_id: str, choice: str,
                     value: Any = None) -> Conflict:
    """Keep the value that won (`kept`), restore the one that lost (`lost`), or write a `new` one."""
    conflict = session.get(Conflict, conflict_id, with_for_update=True)
    if conflict is None or conflict.organization_id != organization_id:
        raise CoordinatorError("not_found")
    if conflict.resolved:
        raise CoordinatorError("already_resolved")
    if choice not in ("kept", "lost", "new"):
        raise CoordinatorError("invalid", {"choice": ["Choose kept, lost or new."]})
    if choice != "kept" and conflict.field != "deleted":
        chosen = conflict.lost_value if choice == "lost" else value
        edit_record(session, author, organization_id, conflict.record_type, conflict.record_id,
                    {conflict.field: chosen})
    elif choice == "lost" and conflict.field == "deleted":
        obj = load_record(session, conflict.record_type, conflict.record_id, organization_id)
        feed.set_author(session, author)
        resolution = Resolution(status="applied", apply={"deleted": True})
        apply_resolution(session, BINDINGS[conflict.record_type], obj, resolution, author)
    feed.set_author(session, author)
    conflict.resolved = True
    conflict.resolution = choice
    conflict.resolved_at = utcnow()
    conflict.resolved_by_id = author.user_id
    session.flush()
    return conflict
