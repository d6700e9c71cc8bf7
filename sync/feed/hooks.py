"""The write side of the change feed: every change to a synced record, whatever code made it, is
versioned, written into its history and marked for publishing.

Session hooks do it, so no code path (a sync push, a coordinator's page, the demo seed, a CLI command)
can forget:
* `before_flush` bumps the `version` of each new or changed synced record (also when only one of its
  child rows changed, e.g. a receipt), writes a history entry naming the changed wire fields and their
  author (`set_author`), and marks the record for publishing;
* `before_commit` publishes the marks as the very last step of the transaction (`sync/feed/publish.py`).
What they carry between those moments is one `FeedState` on the session (`sync/feed/state.py`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from sync.feed.publish import publish
from sync.feed.state import state_of
from sync.merge import Author
from sync.registry import BINDINGS, BY_MODEL, CHILD_LINKS, Binding
from sync.spec import wire_value
from sync.tables import RecordHistory


def set_author(session: Session, author: Author) -> None:
    state_of(session).author = author


def _changed_attrs(obj: Any) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _history(session: Session, binding: Binding, obj: Any, fields: set[str], bumped: dict[int, RecordHistory]) -> None:
    state = state_of(session)
    author = state.author
    entry = bumped.get(id(obj))
    if entry is not None:  # a second change to the same record in this flush: one version, more fields
        merged = dict(entry.fields)
        merged.update({name: history_value(session, binding, obj, name) for name in fields})
        entry.fields = merged
        return
    values = {name: history_value(session, binding, obj, name) for name in sorted(fields)}
    org_id, record_id = binding.organization_id_of(obj), binding.record_id_of(obj)
    entry = RecordHistory(
        organization_id=org_id, record_type=binding.type_name, record_id=record_id,
        version=obj.version, fields=values, author_role=author.role, author_user_id=author.user_id,
        device_id=author.device_id,
    )
    session.add(entry)
    bumped[id(obj)] = entry
    state.marks[(binding.type_name, record_id)] = org_id


def history_value(session: Session, binding: Binding, obj: Any, name: str) -> Any:
    """A field's value as a history entry keeps it (wire form)."""
    if name == "deleted":
        return getattr(obj, "deleted_at", None) is not None
    try:
        return wire_value(binding.get_field(session, obj, name))
    except Exception:  # noqa: BLE001 - history values are informative only; never break a write
        return None


@event.listens_for(Session, "before_flush")
def _version_and_history(session: Session, flush_context: Any, instances: Any) -> None:
    bumped: dict[int, RecordHistory] = {}
    created = state_of(session).created
    for obj in list(session.new):
        binding = BY_MODEL.get(type(obj))
        if binding is not None:
            obj.version = 1
            created.append(obj)  # its id may only exist after the INSERT: history follows in after_flush
    for obj in list(session.dirty):
        binding = BY_MODEL.get(type(obj))
        if binding is None or obj in session.new:
            continue
        fields = binding.wire_fields_of(_changed_attrs(obj))
        if fields and id(obj) not in bumped:
            obj.version = (obj.version or 0) + 1
        if fields:
            _history(session, binding, obj, fields, bumped)
    # Records whose derived fields depend on what changed (a claim's total on its expenses).
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        binding = BY_MODEL.get(type(obj))
        if binding is None:
            continue
        changed = _changed_attrs(obj) if obj not in session.new else {"*"}
        for record_type, record_id in binding.related_records(obj, changed):
            related_binding = BINDINGS[record_type]
            related = session.get(related_binding.model, record_id)
            if related is None or related in session.new:
                continue
            if id(related) not in bumped:
                related.version = (related.version or 0) + 1
            _history(session, related_binding, related, set(related_binding.spec.read_only_fields), bumped)
    # Child rows (receipts, languages, offers) changed directly: the parent gets a new version too.
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        link = CHILD_LINKS.get(type(obj))
        if link is None:
            continue
        parent_binding = BINDINGS[link.parent_type]
        parent_id = getattr(obj, link.parent_id_attr)
        parent = session.get(parent_binding.model, parent_id) if parent_id else None
        if parent is None or parent in session.new:
            continue
        if id(parent) not in bumped:
            parent.version = (parent.version or 0) + 1
        _history(session, parent_binding, parent, {link.wire_field}, bumped)


@event.listens_for(Session, "after_flush_postexec")
def _history_of_created(session: Session, flush_context: Any) -> None:
    state = state_of(session)
    created, state.created = state.created, []
    bumped: dict[int, RecordHistory] = {}
    for obj in created:
        binding = BY_MODEL[type(obj)]
        _history(session, binding, obj, set(created_fields(binding)), bumped)


@event.listens_for(Session, "before_commit")
def _publish_on_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: publish once, when the whole transaction commits
    session.flush()
    state = state_of(session)
    if state.created or session.new:
        session.flush()
    marks = state.take_marks()
    if marks:
        publish(session, marks)
    state.end_transaction()


@event.listens_for(Session, "after_rollback")
def _forget_marks(session: Session) -> None:
    state_of(session).end_transaction()


def created_in_bulk(session: Session, binding: Binding, obj: Any, at: Any) -> dict[str, Any]:
    """What the hooks do for a record the ORM creates, for one written without the ORM
    (`sync/push/bulk_writer.py`): marks it for publishing and returns its history row (version 1, every
    field, by the session's author) for the writer to insert with the others."""
    mark_written(session, binding, obj)
    names = created_fields(binding)
    if type(binding).get_field is Binding.get_field:
        # What `history_value` returns for a binding that reads plain attributes, without a call per
        # field (a push of 10,000 activities makes 140,000 of them).
        state = obj.__dict__
        fields = {name: state.get("deleted_at") is not None if name == "deleted" else wire_value(state.get(name))
                  for name in names}
    else:
        fields = {name: history_value(session, binding, obj, name) for name in names}
    author = state_of(session).author
    return {"organization_id": binding.organization_id_of(obj), "record_type": binding.type_name,
            "record_id": binding.record_id_of(obj), "version": obj.version, "fields": fields,
            "author_role": author.role, "author_user_id": author.user_id, "device_id": author.device_id,
            "at": at}


_CREATED_FIELDS: dict[str, list[str]] = {}


def created_fields(binding: Binding) -> list[str]:
    """The wire fields a record's first history entry names: all of them."""
    if binding.type_name not in _CREATED_FIELDS:
        _CREATED_FIELDS[binding.type_name] = sorted({f.name for f in binding.spec.fields}
                                                    | set(binding.spec.read_only_fields))
    return _CREATED_FIELDS[binding.type_name]


def mark_written(session: Session, binding: Binding, obj: Any) -> None:
    """Publish a record written without the ORM. Its version and audiences are known now, so
    publishing need not load it again (unless the ORM loads it before the commit)."""
    record_id, org_id = binding.record_id_of(obj), binding.organization_id_of(obj)
    mark(session, binding.type_name, record_id, org_id)
    state_of(session).known[(binding.type_name, record_id)] = (obj.version, binding.audiences(session, obj))


def mark(session: Session, record_type: str, record_id: str, organization_id: int) -> None:
    """Publish a record again without a change of its own (e.g. its audience changed)."""
    state_of(session).marks[(record_type, record_id)] = organization_id
