"""Three-way merge of one incoming edit against what happened on the server since the edit's base.

Pure, total and deterministic: no database, no clock. The engine gathers the inputs (the record's
current wire values and the history entries newer than the mutation's `base_version`) and applies the
returned `Resolution`.

The rule for one field changed on both sides (a *hard* conflict; different fields are a *soft* one and
simply merge):
* a coordinator's value beats a guide's, whichever arrives later;
* between devices of one guide (or two coordinators) the later arrival at the server wins;
* a device never conflicts with its own earlier edits;
* either way the losing value is kept in a conflict record.
Delete against edit keeps the edited record and records a conflict on the pseudo-field `deleted`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

COORDINATOR_ROLES = ("coordinator", "admin", "system")


@dataclass(frozen=True)
class Author:
    role: str  # guide | coordinator | system
    device_id: str | None = None
    user_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in COORDINATOR_ROLES


@dataclass(frozen=True)
class Change:
    """One history entry: the version it produced, the fields it set, who set them."""

    version: int
    fields: frozenset[str]
    author: Author


@dataclass(frozen=True)
class LostValue:
    field: str
    kept_value: Any
    lost_value: Any
    lost_by: Author


@dataclass
class Resolution:
    status: str  # applied | merged | conflict
    apply: dict[str, Any] = field(default_factory=dict)
    conflicts: list[LostValue] = field(default_factory=list)


def _server_changes_by_field(history: Iterable[Change], base_version: int) -> dict[str, list[Author]]:
    changed: dict[str, list[Author]] = {}
    for change in sorted(history, key=lambda c: c.version):
        if change.version > base_version:
            for name in change.fields:
                changed.setdefault(name, []).append(change.author)
    return changed


def _same_writer(a: Author, b: Author) -> bool:
    if a.device_id is not None or b.device_id is not None:
        return a.device_id == b.device_id
    return a.role == b.role and a.user_id == b.user_id


def merge_edit(current: Mapping[str, Any], history: Iterable[Change], base_version: int,
               incoming: Mapping[str, Any], author: Author) -> Resolution:
    """Decide which incoming field values to write and which values lose."""
    server_changed = _server_changes_by_field(history, base_version)
    others_changed = {
        name: [a for a in authors if not _same_writer(a, author)] for name, authors in server_changed.items()
    }
    others_changed = {name: authors for name, authors in others_changed.items() if authors}
    resolution = Resolution(status="applied")
    for name, value in incoming.items():
        rivals = others_changed.get(name)
        if not rivals or current.get(name) == value:
            if current.get(name) != value:
                resolution.apply[name] = value
            continue
        if not author.is_staff and any(r.is_staff for r in rivals):
            # A coordinator's value beats a guide's: the server keeps its value.
            resolution.conflicts.append(LostValue(name, current.get(name), value, author))
        else:
            # Later arrival wins: the incoming value replaces the server's.
            resolution.apply[name] = value
            resolution.conflicts.append(LostValue(name, value, current.get(name), rivals[-1]))
    if resolution.conflicts:
        resolution.status = "conflict"
    elif others_changed:
        resolution.status = "merged"
    return resolution


def merge_delete(history: Iterable[Change], base_version: int, author: Author) -> Resolution:
    """A delete wins only if nobody else changed the record since the deleting device saw it."""
    others = [
        c for c in history
        if c.version > base_version and not _same_writer(c.author, author)
    ]
    if not others:
        return Resolution(status="applied", apply={"deleted": True})
    # Delete against edit: the edited record stays; the delete is the losing "value".
    return Resolution(status="conflict", conflicts=[LostValue("deleted", False, True, author)])


def merge_edit_of_deleted(deleted_by: Author, incoming: Mapping[str, Any], author: Author) -> Resolution:
    """An edit arriving after someone else deleted the record: the edited record comes back."""
    if _same_writer(deleted_by, author):
        return Resolution(status="applied", apply={"deleted": False, **incoming})
    return Resolution(
        status="conflict",
        apply={"deleted": False, **incoming},
        conflicts=[LostValue("deleted", False, True, deleted_by)],
    )
