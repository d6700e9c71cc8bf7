"""The bulk writer: a batch made only of new records goes in with one statement per table.

A phone that was offline for weeks sends hundreds of new activities at once. Through the ORM each one
costs an object flush, a history row written by the feed's hooks and a stored result, one by one.
Here each mutation is validated as the ORM writer validates it (`sync/push/validate.py`), then every
table gets one INSERT for the whole batch: records, history (the three-way merge's base, as the feed
writes it: `feed.created_in_bulk`), stored results (exactly once). The records are marked for
publishing like any other change, so the feed rows are numbered at commit from the counter
(`sync/feed/publish.py`), and the endpoint writes the audit events.

Only bindings that declare `bulk_creates` qualify (`qualifies`): a record that is one row, whose
creation touches no other record (no child rows, no `after_write`, no `related_records`). With
`assume_new` the batch's records were not looked up first (`sync/push/plan.py`): should one exist
after all, the database refuses the INSERT and the next attempt looks them up.

`tests/syncing/test_bulk_creates.py` proves that both writers write the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from sync import feed
from sync.bulk_insert import insert_many
from sync.clock import utcnow
from sync.push.answers import Rejected
from sync.push.batch import Batch, Item
from sync.push.validate import clean_fields
from sync.registry import BINDINGS, Binding
from sync.tables import AppliedMutation, RecordHistory


class NotNew(Exception):
    """A batch assumed new named a record that exists: nothing was written; the next attempt looks the
    batch's records up (`sync/push/plan.py`)."""


def qualifies(batch: Batch, base_less: bool = False) -> bool:
    """Whether every mutation not answered before creates a new record of a bulk-creatable type (not
    among the batch's looked-up records); with `base_less`, also whether none claims a base version."""
    fresh = [item for item in batch.items if item.mutation["id"] not in batch.prior]
    if not fresh:
        return False
    if len({item.mutation["id"] for item in fresh}) != len(fresh):
        return False
    if len({item.key for item in fresh}) != len(fresh):
        return False
    if base_less and any(item.mutation.get("base_version") for item in fresh):
        return False
    return all(_new_create(batch, item) for item in fresh)


def _new_create(batch: Batch, item: Item) -> bool:
    binding = item.binding
    return (binding is not None and binding.bulk_creates and binding.spec.guide_creates
            and item.mutation["op"] == "upsert" and item.key not in batch.known)


class BulkWriter:
    def __init__(self, assume_new: bool = False) -> None:
        self.assume_new = assume_new

    def write(self, batch: Batch) -> list[dict[str, Any]]:
        """Apply a qualifying batch; one result per mutation, in order.

        With `assume_new` an invalid mutation writes nothing, and its answer would depend on whether
        its record exists (an invalid create, or an edit, perhaps forbidden): those few are looked up
        here, and if one exists, `NotNew` is raised before anything is written."""
        session, ctx = batch.session, batch.ctx
        author = ctx.author
        feed.set_author(session, author)
        records: dict[str, list[dict[str, Any]]] = defaultdict(list)
        history: list[dict[str, Any]] = []
        stored: list[dict[str, Any]] = []
        results: list[dict[str, Any]] = []
        now = utcnow()
        invalid: dict[str, list[str]] = defaultdict(list)
        for item in batch.items:
            mutation = item.mutation
            replayed = batch.replayed(item)
            if replayed is not None:  # a replay: its stored result, nothing written
                results.append(replayed)
                continue
            binding = item.binding
            assert binding is not None  # `qualifies`
            try:
                clean = clean_fields(session, ctx, binding, None, mutation, creating=True)
            except Rejected as exc:
                invalid[binding.type_name].append(mutation["record_id"])
                result = batch.reject(item, exc)
            else:
                # A plain object, not the model: the binding's hooks only get and set attributes, and an
                # ORM instance costs more to build than its row costs to write.
                obj = NewRecord(id=mutation["record_id"], organization_id=ctx.organization_id,
                                guide_id=ctx.guide_id, version=1)
                values = binding.before_write(session, obj, clean, author)
                binding.set_fields(session, obj, values, author)
                obj.version = 1
                records[binding.type_name].append(_record_row(binding, obj))
                history.append(feed.created_in_bulk(session, binding, obj, now))
                result = {"id": mutation["id"], "status": "applied", "record_id": mutation["record_id"], "version": 1}
            batch.answer(item, result)
            stored.append({"device_id": ctx.device_id, "mutation_id": mutation["id"],
                           "organization_id": ctx.organization_id, "applied_at": now, "result": result})
            results.append(result)
        if self.assume_new and any(_existing(session, type_name, ids) for type_name, ids in invalid.items()):
            raise NotNew()
        for type_name in sorted(records):
            insert_many(session, BINDINGS[type_name].model.__table__, records[type_name])
        insert_many(session, RecordHistory.__table__, history)
        insert_many(session, AppliedMutation.__table__, stored)
        session.flush()
        return results


def _existing(session: Session, type_name: str, record_ids: list[str]) -> bool:
    model = BINDINGS[type_name].model
    return session.scalar(select(model.id).where(feed.one_of(session, model.id, record_ids)).limit(1)) is not None


class NewRecord(SimpleNamespace):
    """A record about to be written in bulk: its attributes, as the model's would be."""


def _record_row(binding: Binding, obj: NewRecord) -> dict[str, Any]:
    """The record's column values as the ORM would insert them (Python-side defaults included); the
    defaults are also set on the object, so its history shows them as after an ORM flush."""
    state = obj.__dict__
    row: dict[str, Any] = {}
    for key, name, default, call in _columns(binding):
        if name in state:
            row[key] = state[name]
        elif default is not _NO_DEFAULT:
            value = default(None) if call else default
            row[key] = state[name] = value
    return row


_NO_DEFAULT = object()
_COLUMNS: dict[type[Any], list[tuple[str, str, Any, bool]]] = {}


def _columns(binding: Binding) -> list[tuple[str, str, Any, bool]]:
    """(column key, attribute name, Python-side default or _NO_DEFAULT, whether it is called) per column."""
    if binding.model not in _COLUMNS:
        found = []
        for prop in inspect(binding.model).column_attrs:
            column = prop.columns[0]
            default = column.default
            if default is not None and default.is_scalar:
                found.append((column.key, prop.key, default.arg, False))
            elif default is not None and default.is_callable:
                found.append((column.key, prop.key, default.arg, True))
            else:
                found.append((column.key, prop.key, _NO_DEFAULT, False))
        _COLUMNS[binding.model] = found
    return _COLUMNS[binding.model]


def write_new_records(session: Session, binding: Binding, objects: list[NewRecord], author: Any) -> None:
    """Server-side bulk creates (e.g. a message to every guide): each new record's row, its history entry
    and its feed mark, written as a push's new records are — one insert per table, in the caller's
    transaction. The objects get the columns' Python-side defaults, as after an ORM flush."""
    if not objects:
        return
    feed.set_author(session, author)
    now = utcnow()
    rows, history = [], []
    for obj in objects:
        obj.version = 1
        rows.append(_record_row(binding, obj))  # first: sets the defaults the history entry shows
        history.append(feed.created_in_bulk(session, binding, obj, now))
    insert_many(session, binding.model.__table__, rows)
    insert_many(session, RecordHistory.__table__, history)
