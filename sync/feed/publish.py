"""Publishing: the marked records become feed rows, numbered in commit order.

At the end of a transaction (`sync/feed/hooks.py`'s `before_commit`) `publish` takes each
organization's counter row (`UPDATE … RETURNING`, which locks it until commit), numbers the feed rows
from it and writes them. See `sync/tables.py` for why this makes pulls gap-free.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from sync.bulk_insert import insert_many
from sync.feed.queries import each_of, insert_for, load_many, upsert_feed_rows
from sync.feed.state import state_of
from sync.registry import BINDINGS, Binding
from sync.tables import SyncChange, SyncCounter

NEW = "new"  # a feed row's mark (not a column): its record was created in bulk in this transaction


def publish(session: Session, marks: dict[tuple[str, str], int]) -> None:
    """Write feed rows for the marked records, numbered from each organization's counter."""
    by_org: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for (record_type, record_id), org_id in marks.items():
        by_org[org_id].append((record_type, record_id))
    insert = insert_for(session)
    for org_id in sorted(by_org):  # a fixed order of counter locks: no deadlock between organizations
        rows = _feed_rows(session, org_id, by_org[org_id])
        if not rows:
            continue
        bump = (update(SyncCounter).where(SyncCounter.organization_id == org_id)
                .values(value=SyncCounter.value + len(rows)).returning(SyncCounter.value))
        top = session.execute(bump).scalar_one_or_none()
        if top is None:  # the organization's first change: create its counter, then take it
            session.execute(
                insert(SyncCounter.__table__).values(organization_id=org_id, value=0)
                .on_conflict_do_nothing(index_elements=["organization_id"])
            )
            top = session.execute(bump).scalar_one()
        first = top - len(rows) + 1
        for offset, row in enumerate(rows):
            row["seq"] = first + offset
        # Records created in bulk in this transaction have no feed rows yet: theirs are plain inserts
        # (COPY). Should one exist after all, the database refuses it and the push is tried again (`sync/push/plan.py`).
        new: list[dict[str, Any]] = []
        others: list[dict[str, Any]] = []
        for row in rows:
            (new if row.pop(NEW) else others).append(row)
        insert_many(session, SyncChange.__table__, new)
        if others:
            upsert_feed_rows(session, others)


def _feed_rows(session: Session, org_id: int, keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for record_type, record_id in keys:
        ids_by_type[record_type].append(record_id)
    rows: list[dict[str, Any]] = []
    for record_type, ids in sorted(ids_by_type.items()):
        binding = BINDINGS[record_type]
        known = _known(session, binding, ids)
        existing: dict[str, dict[str, bool]] = defaultdict(dict)
        for chunk in _chunks(sorted(i for i in ids if i not in known), 500):
            # By (record_type, record_id) only, the leading columns of the feed's unique index, so it fits
            # whatever the planner believes about the table's size; the organization is checked here.
            for rid, audience, deleted, row_org in session.execute(each_of(
                session, [SyncChange.record_id, SyncChange.audience, SyncChange.deleted, SyncChange.organization_id],
                SyncChange.record_id, chunk, SyncChange.record_type == record_type, unique=False,
            )):
                if row_org == org_id:
                    existing[rid][audience] = deleted
        # One query per type (the identity map may have dropped them: it holds objects weakly).
        missing = [i for i in ids if i not in known]
        objects = {binding.record_id_of(obj): obj for obj in load_many(session, binding, missing)} if missing else {}
        for record_id in sorted(ids):
            if record_id in known:
                version, audiences = known[record_id]
            else:
                obj = objects.get(record_id)
                live = obj is not None and getattr(obj, "deleted_at", None) is None
                audiences = binding.audiences(session, obj) if live else set()
                version = obj.version if obj is not None else 0
            for audience in sorted(audiences):
                rows.append(_row(org_id, audience, record_type, record_id, version, False, record_id in known))
            for audience, was_deleted in existing[record_id].items():
                if audience not in audiences and not was_deleted:
                    rows.append(_row(org_id, audience, record_type, record_id, version, True, False))
    return rows


def _known(session: Session, binding: Binding, ids: list[str]) -> dict[str, tuple[int, set[str]]]:
    """Version and audiences of records written in bulk in this transaction and not loaded since
    (a loaded one may have been changed through the ORM: it is read again)."""
    written = state_of(session).known
    if not written:
        return {}
    loaded = {str(key[1][0]) for key in session.identity_map.keys() if key[0] is binding.model}
    found = {}
    for record_id in ids:
        entry = written.get((binding.type_name, record_id))
        if entry is not None and record_id not in loaded:
            found[record_id] = entry
    return found


def _row(org_id: int, audience: str, record_type: str, record_id: str, version: int, deleted: bool,
         new: bool) -> dict[str, Any]:
    return {"organization_id": org_id, "audience": audience, "record_type": record_type, "record_id": record_id,
            "version": version, "deleted": deleted, "seq": 0, NEW: new}


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
