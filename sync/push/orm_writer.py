"""The ORM writer: each mutation through the record type's binding, the merge and the feed's hooks.

It takes every batch the bulk writer does not (`sync/push/plan.py`). Ordinarily the whole batch is
applied without SAVEPOINTs and flushed once; our own rejections are raised before anything is written.
`careful` (the attempt after the database refused something we did not foresee) runs each mutation in
its own SAVEPOINT, so a refused one is rejected alone and leaves no trace while the batch goes on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from sync import feed
from sync.clock import utcnow
from sync.db import new_uuid
from sync.merge import Author, Change, Resolution, merge_delete, merge_edit, merge_edit_of_deleted
from sync.push.answers import DeviceContext, Rejected, answer
from sync.push.batch import Batch, Item
from sync.push.validate import clean_fields
from sync.registry import Binding
from sync.spec import MSG, wire_value
from sync.tables import AppliedMutation, Conflict, RecordHistory


class OrmWriter:
    def __init__(self, careful: bool = False) -> None:
        self.careful = careful

    def write(self, batch: Batch) -> list[dict[str, Any]]:
        waiting: list[tuple[Item, dict[str, Any], Any]] = []  # results whose version the flush sets
        results = [self._push(batch, item, waiting) for item in batch.items]
        session = batch.session
        session.flush()
        for item, result, obj in waiting:
            if obj is not None and result["status"] != "rejected":
                result["version"] = obj.version
            session.add(AppliedMutation(device_id=batch.ctx.device_id, mutation_id=item.mutation["id"],
                                        organization_id=batch.ctx.organization_id, result=result))
        return results

    def _push(self, batch: Batch, item: Item, waiting: list[tuple[Item, dict[str, Any], Any]]) -> dict[str, Any]:
        """Apply one mutation exactly once and return its result."""
        replayed = batch.replayed(item)
        if replayed is not None:
            return replayed
        session = batch.session
        feed.set_author(session, batch.ctx.author)
        obj = None
        if self.careful:
            marks_before = dict(feed.state_of(session).marks)
            savepoint = session.begin_nested()
            try:
                result, obj = _apply(session, batch, item)
                session.flush()
                savepoint.commit()
            except (Rejected, IntegrityError, DataError) as exc:
                savepoint.rollback()
                feed.state_of(session).marks = marks_before
                batch.known.pop(item.key, None)
                result = batch.reject(item, exc if isinstance(exc, Rejected) else Rejected("invalid"))
        else:
            try:
                result, obj = _apply(session, batch, item)
            except Rejected as exc:
                result = batch.reject(item, exc)
        batch.answer(item, result)
        waiting.append((item, result, obj))
        return result


def _apply(session: Session, batch: Batch, item: Item) -> tuple[dict[str, Any], Any]:
    """Apply one mutation without flushing; returns its result and the record (None if none)."""
    if item.binding is None:
        raise Rejected("invalid", item.errors)
    binding, mutation, ctx = item.binding, item.mutation, batch.ctx
    author = ctx.author
    record_id: str = mutation["record_id"]
    obj = batch.known.get((binding.type_name, record_id))
    if obj is not None and not _in_scope(session, binding, obj, ctx):
        raise Rejected("forbidden")
    if obj is not None and getattr(obj, "deleted_at", None) is not None and mutation["op"] == "delete":
        return answer(mutation, "applied", record_id, obj.version), obj
    if obj is None:
        if mutation["op"] == "delete":
            return answer(mutation, "applied", record_id, None), None  # nothing to delete, no version
        if not binding.spec.guide_creates:
            raise Rejected("not_found")
        obj = _create(session, binding, ctx, mutation, author)
        batch.known[(binding.type_name, record_id)] = obj
        return answer(mutation, "applied", record_id, obj.version), obj

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
        clean = clean_fields(session, ctx, binding, obj, mutation, creating=False)
        handled = binding.guide_upsert(session, obj, clean, author) if obj.deleted_at is None else None
        if handled is not None:
            return answer(mutation, handled, record_id, obj.version), obj
        if obj.deleted_at is not None:
            deleted_by = next((c.author for c in reversed(history) if "deleted" in c.fields), feed.SYSTEM)
            resolution = merge_edit_of_deleted(deleted_by, clean, author)
        else:
            resolution = merge_edit(binding.current_values(session, obj), history, base, clean, author)
    conflict_ids = apply_resolution(session, binding, obj, resolution, author, flush=False)
    result = answer(mutation, resolution.status, record_id, obj.version)
    if conflict_ids:
        result["conflict_id"] = conflict_ids[0]
        result["conflict_ids"] = conflict_ids
        batch.force.add((binding.type_name, record_id))
    return result, obj


def _create(session: Session, binding: Binding, ctx: DeviceContext, mutation: dict[str, Any],
            author: Author) -> Any:
    if mutation["op"] != "upsert":
        raise Rejected("invalid", {"op": [MSG["choice"]]})
    clean = clean_fields(session, ctx, binding, None, mutation, creating=True)
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


def record_history(session: Session, record_type: str, record_id: str) -> list[Change]:
    rows = session.execute(
        select(RecordHistory.version, RecordHistory.fields, RecordHistory.author_role, RecordHistory.device_id,
               RecordHistory.author_user_id)
        .where(RecordHistory.record_type == record_type, RecordHistory.record_id == record_id)
        .order_by(RecordHistory.version)
    ).all()
    return [Change(version, frozenset(fields), Author(role, device, user)) for version, fields, role, device, user in rows]
