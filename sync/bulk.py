"""Bulk creates: a batch made only of new records is written with one executemany per table.

A phone that was offline for weeks sends hundreds of new activities at once. Through the ORM each one
costs an object flush, a history row written by the `before_flush` hooks and a stored result, one by
one. Here the batch is validated mutation by mutation exactly as `sync.engine` does, then every table
gets one INSERT for the whole batch: records, history (the three-way merge's base), stored results
(exactly once). The records are marked for publishing like any other change, so the feed rows are
numbered at commit from the counter (`sync/feed/publish.py`), and the caller writes the audit events.

Only bindings that declare `bulk_creates` qualify: a record that is one row, whose creation touches no
other record (no child rows, no `after_write`, no `related_records`). Anything else in the batch (an
edit, a delete, a record that exists, the same record twice) sends the whole batch down the
per-mutation path, and so does careful mode. If the database refuses a row, the caller rolls back and
retries in careful mode, as for the ORM fast path. The sync endpoint does not even look the records up
first (`optimistic`, see `sync.engine.sync`): a record that exists after all makes the INSERT fail, and
the retry looks them up.

`tests/syncing/test_bulk_creates.py` proves that both paths write the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from sync import feed
from sync.bulk_insert import insert_many
from sync.clock import utcnow
from sync.registry import BINDINGS, Binding
from sync.spec import UUID_RE, wire_value
from sync.tables import AppliedMutation, RecordHistory

if TYPE_CHECKING:
    from sync.engine import _Batch


def qualifies(batch: _Batch, mutations: list[dict[str, Any]], base_less: bool = False) -> bool:
    """Whether every mutation not answered before creates a new record of a bulk-creatable type (not
    among the batch's prefetched records); with `base_less`, also whether none claims a base version."""
    fresh = [m for m in mutations if m["id"] not in batch.prior]
    if not fresh:
        return False
    if len({m["id"] for m in fresh}) != len(fresh):
        return False
    if len({(m.get("type"), m.get("record_id")) for m in fresh}) != len(fresh):
        return False
    if base_less and any(m.get("base_version") for m in fresh):
        return False
    return all(_new_create(batch, m) for m in fresh)


def _new_create(batch: _Batch, mutation: dict[str, Any]) -> bool:
    binding = BINDINGS.get(str(mutation.get("type")))
    record_id = mutation.get("record_id")
    base = mutation.get("base_version")
    return (binding is not None and binding.bulk_creates and binding.spec.guide_creates
            and mutation.get("op") == "upsert" and isinstance(mutation.get("fields", {}), dict)
            and isinstance(record_id, str) and UUID_RE.match(record_id) is not None
            and (base is None or (isinstance(base, int) and not isinstance(base, bool) and base >= 0))
            and (binding.type_name, record_id) not in batch.known)


def push_creates(batch: _Batch, mutations: list[dict[str, Any]], assume_new: bool = False) -> list[dict[str, Any]]:
    """Apply a qualifying batch (see `qualifies`); returns one result per mutation, in order.

    With `assume_new` the batch's records were not looked up. A record that exists makes the database
    refuse its INSERT; but an invalid mutation writes nothing, and its answer would depend on whether
    its record exists (an invalid create, or an edit, perhaps forbidden): those few are looked up here,
    and if one exists, `NotNew` is raised before anything is written."""
    from sync.engine import NotNew, Rejected

    session, ctx = batch.session, batch.ctx
    author = ctx.author
    feed.set_author(session, author)
    records: dict[str, list[dict[str, Any]]] = defaultdict(list)
    history: list[dict[str, Any]] = []
    stored: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    now = utcnow()
    invalid: dict[str, list[str]] = defaultdict(list)
    for mutation in mutations:
        if mutation["id"] in batch.prior:
            results.append(batch.push(mutation))  # a replay: its stored result, nothing written
            continue
        binding = BINDINGS[mutation["type"]]
        clean, errors = binding.spec.validate(mutation.get("fields") or {}, "guide", creating=True)
        errors.update(binding.validate_references(session, None, clean, ctx.organization_id, ctx.guide_id))
        if errors:
            invalid[binding.type_name].append(mutation["record_id"])
            result = batch._rejected(mutation, Rejected("invalid", errors))
        else:
            # A plain object, not the model: the binding's hooks only get and set attributes, and an
            # ORM instance costs more to build than its row costs to write.
            obj = NewRecord(id=mutation["record_id"], organization_id=ctx.organization_id, guide_id=ctx.guide_id,
                            version=1)
            values = binding.before_write(session, obj, clean, author)
            binding.set_fields(session, obj, values, author)
            obj.version = 1
            records[binding.type_name].append(_record_row(binding, obj))
            history.append(_history_row(session, binding, obj, author, now))
            feed.mark_written(session, binding, obj)
            result = {"id": mutation["id"], "status": "applied", "record_id": mutation["record_id"], "version": 1}
            batch.applied.append((mutation, result))
        batch.by_id[mutation["id"]] = result
        stored.append({"device_id": ctx.device_id, "mutation_id": mutation["id"],
                       "organization_id": ctx.organization_id, "applied_at": now, "result": result})
        results.append(result)
    if assume_new and any(_existing(session, type_name, ids) for type_name, ids in invalid.items()):
        raise NotNew()
    for type_name in sorted(records):
        insert_many(session, BINDINGS[type_name].model.__table__, records[type_name])
    insert_many(session, RecordHistory.__table__, history)
    insert_many(session, AppliedMutation.__table__, stored)
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


def _history_row(session: Session, binding: Binding, obj: NewRecord, author: Any, now: Any) -> dict[str, Any]:
    names = _history_fields(binding)
    if type(binding).get_field is Binding.get_field:
        # What `feed.history_value` returns for a binding that reads plain attributes, without a call
        # per field (a push of 10,000 activities makes 140,000 of them).
        state = obj.__dict__
        fields = {name: state.get("deleted_at") is not None if name == "deleted" else wire_value(state.get(name))
                  for name in names}
    else:
        fields = {name: feed.history_value(session, binding, obj, name) for name in names}
    return {"organization_id": binding.organization_id_of(obj), "record_type": binding.type_name,
            "record_id": binding.record_id_of(obj), "version": obj.version, "fields": fields,
            "author_role": author.role, "author_user_id": author.user_id, "device_id": author.device_id,
            "at": now}


_HISTORY_FIELDS: dict[str, list[str]] = {}


def _history_fields(binding: Binding) -> list[str]:
    if binding.type_name not in _HISTORY_FIELDS:
        _HISTORY_FIELDS[binding.type_name] = sorted({f.name for f in binding.spec.fields}
                                                    | set(binding.spec.read_only_fields))
    return _HISTORY_FIELDS[binding.type_name]


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
        rows.append(_record_row(binding, obj))
        history.append(_history_row(session, binding, obj, author, now))
        feed.mark_written(session, binding, obj)
    insert_many(session, binding.model.__table__, rows)
    insert_many(session, RecordHistory.__table__, history)
