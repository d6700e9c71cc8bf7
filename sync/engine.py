"""One sync round trip: apply a device's mutations (push), then read what changed since its cursor (pull).

Guarantees and where they come from:
* exactly once — each mutation's result is stored under (device, mutation id) in the same transaction
  that applies it; a replay returns the stored result and changes nothing;
* scoped — a record outside the device's guide (or organization) is `forbidden` on push and absent from
  the pull, because the feed is addressed per audience;
* no silent loss — `sync.merge` decides same-field clashes and every losing value becomes a `conflict`
  record that the guide's devices receive;
* workflow wins — a binding's `lock_reason` refuses a guide's edit of a submitted, approved or paid
  record; the device is sent the server's version in the same response;
* gap-free — see `sync/feed/publish.py` and `sync/tables.py`.

Each mutation runs in a SAVEPOINT, so a rejected one leaves no trace while the batch goes on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from sync import bulk as bulk_creates
from sync import feed
from sync.clock import utcnow
from sync.db import new_uuid
from sync.merge import Author, Change, Resolution, merge_delete, merge_edit, merge_edit_of_deleted
from sync.pull import (
    BadCursor,
    current_change,
    encode_cursor,
    feed_top,
    pull,
    read_cursor,
)
from sync.registry import BINDINGS, Binding
from sync.spec import MSG, MUTABLE_TYPES, N_, UUID_RE, wire_value
from sync.tables import AppliedMutation, Conflict, RecordHistory

ERRORS = {
    "invalid": N_("Some fields are not valid."),
    "forbidden": N_("You may not change this record."),
    "not_found": N_("This record does not exist."),
    "locked": N_("This record is locked: it has been submitted, approved or paid."),
    "taken": N_("Another guide has already accepted this assignment."),
    "not_offered": N_("This assignment is no longer offered to you."),
    "duplicate": N_("This month's claim has already been submitted from another device."),
    "no_open_expenses": N_("There are no open expenses in this month."),
}


class Rejected(Exception):
    def __init__(self, code: str, fields: dict[str, list[str]] | None = None, state: str | None = None,
                 message: str | None = None) -> None:
        super().__init__(code)
        self.code, self.fields, self.state, self.message = code, fields, state, message


@dataclass
class DeviceContext:
    device_id: str
    organization_id: int
    guide_id: int

    @property
    def author(self) -> Author:
        return Author(role="guide", device_id=self.device_id, user_id=self.guide_id)


@dataclass
class SyncOutcome:
    results: list[dict[str, Any]]
    changes: list[dict[str, Any]]  # wire form: type, record_id, version, deleted, data
    cursor: str
    has_more: bool
    applied: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ push

def sync(session: Session, ctx: DeviceContext, mutations: list[dict[str, Any]], cursor: str | None,
         limit: int, careful: bool = False, bulk: bool = True, optimistic: bool = False) -> SyncOutcome:
    """Push then pull, in the caller's transaction (the caller commits).

    The fast path applies the whole batch without SAVEPOINTs and flushes once, so inserts go out in
    bulk; our own rejections are raised before anything is written. If the database still refuses
    something (a constraint we did not foresee), the caller rolls back and calls again with
    `careful=True`: every mutation then runs in its own SAVEPOINT and a refused one is rejected alone.
    A batch of nothing but new records goes faster still (`sync/bulk.py`; `bulk=False` turns it off).
    With `optimistic`, such a batch whose records claim no base version is not first looked up: its
    ids are fresh UUIDs, and should one exist after all (in any organization) the database refuses
    the batch's INSERT and the caller calls again without `optimistic`, which looks them up.
    """
    after_seq, cursor_epoch = read_cursor(cursor, ctx.organization_id)
    top, epoch = feed_top(session, ctx.organization_id)
    if (cursor_epoch is not None and epoch is not None and cursor_epoch != epoch) or after_seq > (top or 0):
        raise FeedRewound(cursor)
    batch = _Batch(session, ctx, mutations, careful, prefetch=False)
    assume_new = bulk and optimistic and not careful and bulk_creates.qualifies(batch, mutations, base_less=True)
    if not assume_new:
        batch.known = batch._prefetch(mutations)
    if assume_new or (bulk and not careful and bulk_creates.qualifies(batch, mutations)):
        results = bulk_creates.push_creates(batch, mutations, assume_new=assume_new)
    else:
        results = [batch.push(mutation) for mutation in mutations]
    if mutations:
        batch.finish()
    # This request's own changes are published when it commits (sync/feed/publish.py), so the counter lock is
    # held only for that last moment; the device receives them on its next pull.
    changes, last_seq, has_more = pull(session, ctx, after_seq, limit, top=None if mutations else top)
    seen = {(c["type"], c["record_id"]) for c in changes}
    for record_type, record_id in sorted(batch.force - seen):
        change = current_change(session, ctx, record_type, record_id)
        if change is not None:
            changes.append(change)
    return SyncOutcome(results, changes, encode_cursor(ctx.organization_id, last_seq, epoch), has_more, batch.applied)


class FeedRewound(Exception):
    """The cursor comes from a history of the feed this server does not have: it was restored from a
    backup (another epoch), or the cursor lies beyond the feed's end. Nothing was applied; the device
    replays what it sent and pulls from the start (sync/PROTOCOL.md §9)."""


class NotNew(Exception):
    """A batch pushed with `optimistic` named a record that exists: nothing was written; the caller
    rolls back and calls again without `optimistic`."""


class _Batch:
    """The push half of one request: replays, prefetched records, results waiting for versions."""

    def __init__(self, session: Session, ctx: DeviceContext, mutations: list[dict[str, Any]], careful: bool,
                 prefetch: bool = True) -> None:
        self.session, self.ctx, self.careful = session, ctx, careful
        self.force: set[tuple[str, str]] = set()
        self.applied: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.fresh: list[tuple[dict[str, Any], dict[str, Any], Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        ids = [m["id"] for m in mutations]
        self.prior: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            for mutation_id, result in session.execute(
                select(AppliedMutation.mutation_id, AppliedMutation.result).where(
                    AppliedMutation.device_id == ctx.device_id,
                    feed.one_of(session, AppliedMutation.mutation_id, ids[start:start + 500]))
            ):
                self.prior[mutation_id] = result
        self.known = self._prefetch(mutations) if prefetch else {}

    def _prefetch(self, mutations: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
        """Load (and lock) every existing record the batch touches, in one query per type."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for m in mutations:
            if m["id"] not in self.prior and m.get("type") in MUTABLE_TYPES and isinstance(m.get("record_id"), str) \
                    and UUID_RE.match(m["record_id"]):
                wanted[m["type"]].add(m["record_id"])
        known: dict[tuple[str, str], Any] = {}
        for record_type, ids in sorted(wanted.items()):
            model = BINDINGS[record_type].model
            ordered = sorted(ids)  # a fixed lock order: concurrent batches cannot deadlock on these rows
            for start in range(0, len(ordered), 500):
                query = (select(model).where(feed.one_of(self.session, model.id, ordered[start:start + 500])).order_by(model.id)
                         .with_for_update().execution_options(populate_existing=True))
                for obj in self.session.scalars(query):
                    known[(record_type, obj.id)] = obj
        return known

    def push(self, mutation: dict[str, Any]) -> dict[str, Any]:
        """Apply one mutation exactly once and return its result."""
        if mutation["id"] in self.prior:
            result = dict(self.prior[mutation["id"]])
            if result["status"] in ("rejected", "conflict") and mutation.get("type") in MUTABLE_TYPES:
                # The first answer (with the server's state) may have been lost: send that state again.
                self.force.add((str(mutation["type"]), str(mutation["record_id"])))
            return result
        if mutation["id"] in self.by_id:  # the same mutation twice in one request
            return self.by_id[mutation["id"]]
        session = self.session
        feed.set_author(session, self.ctx.author)
        obj = None
        if self.careful:
            marks_before = dict(feed.state_of(session).marks)
            savepoint = session.begin_nested()
            try:
                result, obj = _apply(session, self.ctx, mutation, self.force, self.known)
                session.flush()
                savepoint.commit()
            except (Rejected, IntegrityError, DataError) as exc:
                savepoint.rollback()
                feed.state_of(session).marks = marks_before
                self.known.pop((str(mutation.get("type")), str(mutation.get("record_id"))), None)
                result = self._rejected(mutation, exc if isinstance(exc, Rejected) else Rejected("invalid"))
        else:
            try:
                result, obj = _apply(session, self.ctx, mutation, self.force, self.known)
            except Rejected as exc:
                result = self._rejected(mutation, exc)
        self.by_id[mutation["id"]] = result
        self.fresh.append((mutation, result, obj))
        if result["status"] != "rejected":
            self.applied.append((mutation, result))
        return result

    def _rejected(self, mutation: dict[str, Any], exc: Rejected) -> dict[str, Any]:
        if mutation.get("type") in MUTABLE_TYPES and isinstance(mutation.get("record_id"), str):
            # Whatever the device did optimistically is undone by the server's state (if it may see it).
            self.force.add((mutation["type"], mutation["record_id"]))
        obj = self.known.get((str(mutation.get("type")), str(mutation.get("record_id"))))
        return _rejection(mutation, exc, None if exc.code == "forbidden" or obj is None else obj.version)

    def finish(self) -> None:
        """After one flush: fill in the versions, then remember every result (exactly once)."""
        self.session.flush()
        for mutation, result, obj in self.fresh:
            if obj is not None and result["status"] != "rejected":
                result["version"] = obj.version
            self.session.add(AppliedMutation(device_id=self.ctx.device_id, mutation_id=mutation["id"],
                                             organization_id=self.ctx.organization_id, result=result))


def _rejection(mutation: dict[str, Any], exc: Rejected, version: int | None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": exc.code, "message": exc.message or ERRORS.get(exc.code, exc.code)}
    if exc.fields:
        error["fields"] = exc.fields
    if exc.state:
        error["state"] = exc.state
    return {"id": mutation["id"], "status": "rejected", "record_id": mutation.get("record_id"),
            "version": version, "error": error}


def check_envelope(mutation: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors in a mutation's envelope (its type, op, record id, base version)."""
    errors: dict[str, list[str]] = {}
    if mutation.get("type") not in MUTABLE_TYPES:
        errors["type"] = [MSG["choice"]]
    if mutation.get("op") not in ("upsert", "delete"):
        errors["op"] = [MSG["choice"]]
    record_id = mutation.get("record_id")
    if not isinstance(record_id, str) or not UUID_RE.match(record_id):
        errors["record_id"] = [MSG["uuid"]]
    base = mutation.get("base_version")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 0):
        errors["base_version"] = [MSG["type_int"]]
    if mutation.get("op") == "upsert" and not isinstance(mutation.get("fields", {}), dict):
        errors["fields"] = [MSG["type_list"]]
    return errors


def _apply(session: Session, ctx: DeviceContext, mutation: dict[str, Any], force: set[tuple[str, str]],
           known: dict[tuple[str, str], Any]) -> tuple[dict[str, Any], Any]:
    """Apply one mutation without flushing; returns its result and the record (None if none)."""
    envelope_errors = check_envelope(mutation)
    if envelope_errors:
        raise Rejected("invalid", envelope_errors)
    binding = BINDINGS[mutation["type"]]
    author = ctx.author
    record_id: str = mutation["record_id"]
    obj = known.get((binding.type_name, record_id))
    if obj is not None and not _in_scope(session, binding, obj, ctx):
        raise Rejected("forbidden")
    if obj is not None and getattr(obj, "deleted_at", None) is not None and mutation["op"] == "delete":
        return _result(mutation, "applied", record_id, obj.version), obj
    if obj is None:
        if mutation["op"] == "delete":
            return _result(mutation, "applied", record_id, None), None  # nothing to delete, no version
        if not binding.spec.guide_creates:
            raise Rejected("not_found")
        obj = _create(session, binding, ctx, mutation, author)
        known[(binding.type_name, record_id)] = obj
        return _result(mutation, "applied", record_id, obj.version), obj

    base = mutation.get("base_version") or 0
    lock = binding.lock_reason(obj, author)
    if lock is not None:
        raise Rejected("locked", state=lock)
    history = record_history(session, binding.type_name, record_id)
    if mutation["op"] == "delete":
        if not binding.spec.guide_deletes:
            raise Rejected("forbidden")
        resolution = merge_delete(history, base, author)
    else:
        clean, errors = binding.spec.validate(mutation.get("fields") or {}, "guide", creating=False)
        errors.update(binding.validate_references(session, obj, clean, ctx.organization_id, ctx.guide_id))
        if errors:
            raise Rejected("invalid", errors)
        handled = binding.guide_upsert(session, obj, clean, author) if obj.deleted_at is None else None
        if handled is not None:
            return _result(mutation, handled, record_id, obj.version), obj
        if obj.deleted_at is not None:
            deleted_by = next((c.author for c in reversed(history) if "deleted" in c.fields), feed.SYSTEM)
            resolution = merge_edit_of_deleted(deleted_by, clean, author)
        else:
            resolution = merge_edit(binding.current_values(session, obj), history, base, clean, author)
    conflict_ids = apply_resolution(session, binding, obj, resolution, author, flush=False)
    result = _result(mutation, resolution.status, record_id, obj.version)
    if conflict_ids:
        result["conflict_id"] = conflict_ids[0]
        result["conflict_ids"] = conflict_ids
        force.add((binding.type_name, record_id))
    return result, obj


def _create(session: Session, binding: Binding, ctx: DeviceContext, mutation: dict[str, Any],
            author: Author) -> Any:
    if mutation["op"] != "upsert":
        raise Rejected("invalid", {"op": [MSG["choice"]]})
    clean, errors = binding.spec.validate(mutation.get("fields") or {}, "guide", creating=True)
    errors.update(binding.validate_references(session, None, clean, ctx.organization_id, ctx.guide_id))
    if errors:
        raise Rejected("invalid", errors)
    obj = binding.create(session, mutation["record_id"], ctx.organization_id, ctx.guide_id)
    values = binding.before_write(session, obj, clean, author)
    binding.set_fields(session, obj, values, author)
    session.add(obj)
    binding.after_write(session, obj, values, author)
    return obj


def apply_resolution(session: Session, binding: Binding, obj: Any, resolution: Resolution,
                     author: Author, flush: bool = True) -> list[str]:
    """Write the merged values and keep every losing value as a conflict record."""
    values = dict(resolution.apply)
    deleted = values.pop("deleted", None)
    if deleted is True:
        obj.deleted_at = utcnow()
    elif deleted is False:
        obj.deleted_at = None
    if values:
        values = binding.before_write(session, obj, values, author)
        binding.set_fields(session, obj, values, author)
    if values:
        binding.after_write(session, obj, values, author)
    conflict_ids: list[str] = []
    owner = binding.owner_guide_id(obj)
    for lost in resolution.conflicts:
        conflict = Conflict(
            id=new_uuid(), organization_id=obj.organization_id, guide_id=owner,
            record_type=binding.type_name, record_id=obj.id, field=lost.field,
            kept_value=wire_value(lost.kept_value), lost_value=wire_value(lost.lost_value),
            lost_by=lost.lost_by.role if lost.lost_by.role != "system" else "coordinator",
            lost_device_id=lost.lost_by.device_id,
        )
        session.add(conflict)
        conflict_ids.append(conflict.id)
    if flush:
        session.flush()
    return conflict_ids


def _in_scope(session: Session, binding: Binding, obj: Any, ctx: DeviceContext) -> bool:
    return obj.organization_id == ctx.organization_id and binding.visible_to_guide(session, obj, ctx.guide_id)


def _result(mutation: dict[str, Any], status: str, record_id: str, version: int | None) -> dict[str, Any]:
    return {"id": mutation["id"], "status": status, "record_id": record_id, "version": version}


def record_history(session: Session, record_type: str, record_id: str) -> list[Change]:
    rows = session.execute(
        select(RecordHistory.version, RecordHistory.fields, RecordHistory.author_role, RecordHistory.device_id,
               RecordHistory.author_user_id)
        .where(RecordHistory.record_type == record_type, RecordHistory.record_id == record_id)
        .order_by(RecordHistory.version)
    ).all()
    return [Change(version, frozenset(fields), Author(role, device, user)) for version, fields, role, device, user in rows]


__all__ = ["BadCursor", "DeviceContext", "FeedRewound", "NotNew", "Rejected", "SyncOutcome", "sync"]
