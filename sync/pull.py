"""The pull half of a round trip: read the feed after a cursor and turn rows into wire changes.

The cursor is opaque to clients: `v1:<organization>:<seq>`, base64url. A cursor of another
organization, or one that does not parse, is refused (`BadCursor` → 400 `invalid_cursor`); a forged
one can only re-read the device's own scope, because the feed is addressed per audience.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, inspect, select, true
from sqlalchemy.orm import Session

from sync import feed
from sync.registry import BINDINGS, Binding
from sync.spec import UUID_RE, wire_value
from sync.tables import SyncCounter

if TYPE_CHECKING:
    from sync.engine import DeviceContext


class BadCursor(ValueError):
    pass


# ------------------------------------------------------------------------------------------ cursor

def encode_cursor(organization_id: int, seq: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{organization_id}:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, organization_id: int) -> int:
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, org, seq = raw.split(":")
        if version != "v1" or int(org) != organization_id or int(seq) < 0:
            raise ValueError(raw)
        return int(seq)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None


# ------------------------------------------------------------------------------------------ pull

def pull(session: Session, ctx: DeviceContext, after_seq: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
    """A page of changes after `after_seq` (wire form), the page's last seq and whether more remain."""
    if after_seq:
        top = session.scalar(select(SyncCounter.value).where(SyncCounter.organization_id == ctx.organization_id))
        if top is not None and top <= after_seq:
            return [], after_seq, False  # nothing numbered since the cursor: skip the feed query
    # The feed page with plain records' columns joined in: one query reads most of a page.
    statement, layouts = _page_query(session.get_bind().dialect.name == "postgresql")
    result = session.connection().execute(statement, {
        "org": ctx.organization_id, "audience": str(ctx.guide_id), "after": after_seq, "fetch": limit + 1,
    }).all()
    rows, has_more = result[:limit], len(result) > limit
    changes: list[dict[str, Any]] = []
    waiting: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # type -> (index, id, audience)
    for record_type, record_id, version, deleted, audience, _seq, *columns in rows:
        change = {"type": record_type, "record_id": record_id, "version": version, "deleted": True, "data": None}
        changes.append(change)
        if deleted:
            continue
        layout = layouts.get(record_type)
        if layout is None:  # shaped by its binding: loaded below
            waiting[record_type].append((len(changes) - 1, record_id, audience))
            continue
        # A plain record: wire data straight from its joined columns (its version first, then its fields;
        # no version: the record is deleted and the feed row not yet marked).
        start, end, names, converted = layout
        if columns[start] is not None:
            data = dict(zip(names, columns[start + 1:end], strict=True))
            for name, convert in converted:
                data[name] = convert(data[name])
            change.update(version=columns[start], deleted=False, data=data)
    # The other types: loaded as objects, one query per type, shaped by their binding.
    for record_type, entries in waiting.items():
        binding = BINDINGS[record_type]
        objects = {binding.record_id_of(obj): obj for obj in feed.load_many(session, binding, [e[1] for e in entries])}
        for index, record_id, audience in entries:
            obj = objects.get(record_id)
            if obj is not None and getattr(obj, "deleted_at", None) is None:
                changes[index].update(version=obj.version, deleted=False,
                                      data=binding.to_wire(session, obj, audience))
    last_seq = rows[-1].seq if rows else after_seq
    return changes, last_seq, has_more


# A plain type's place in a page row (after the six feed columns): its version's index, the end of its
# fields, their names, and the converters of those that need one.
_Layout = tuple[int, int, list[str], list[tuple[str, Any]]]
_PageQuery = tuple[Any, dict[str, _Layout]]
_PAGE_QUERIES: dict[Any, _PageQuery] = {}


def page_query(lateral: bool = True) -> Any:
    """The statement a pull page runs (bind parameters org, audience, after, fetch), for EXPLAIN."""
    return _page_query(lateral)[0]


def _page_query(lateral: bool) -> _PageQuery:
    """The page query with bind parameters, built once per set of bindings (building it took about a
    millisecond a page): the feed rows, then per plain record type its version and wire columns
    (NULL when the row is another type's or the record is deleted); and where each plain type's
    columns are in a row.

    On PostgreSQL each plain type is joined LATERAL: one index lookup per change of the page. As a
    plain join the planner hashed the whole table instead once it had statistics (8 ms for a page of
    1,000 at 30,000 activities, growing with the table; 2.4 ms with the lookups). SQLite has no
    LATERAL and always looks up by index.

    (PostgreSQL once rendered these changes as JSON text in this query; plain columns encoded by
    orjson take 20 ms for 10,000 changes where the database took 34 ms, see bench/README.md.)"""
    key = (lateral, tuple((name, id(binding)) for name, binding in sorted(BINDINGS.items())))
    if key not in _PAGE_QUERIES:
        if any(known[1] != key[1] for known in _PAGE_QUERIES):
            _PAGE_QUERIES.clear()  # bindings registered anew (another app in tests): forget the old ones
        page = feed.page_rows(bindparam("org"), bindparam("audience"), bindparam("after"), bindparam("fetch"))
        statement = select(*page.c).order_by(page.c.seq)
        layouts: dict[str, _Layout] = {}
        offset = 0
        for binding, fields in _joined_bindings():
            model, name = binding.model, binding.type_name
            columns = [model.version.label(f"{name}__version"),
                       *(getattr(model, field).label(f"{name}__{field}") for field, _convert in fields)]
            match = and_(page.c.record_type == name, model.id == page.c.record_id, model.deleted_at.is_(None))
            if lateral:
                # LIMIT 1 (the id is unique): PostgreSQL would flatten the subquery into a plain join again
                record = select(*columns).where(match).limit(1).lateral(f"{name}_row")
                statement = statement.outerjoin(record, true()).add_columns(*record.c)
            else:
                statement = statement.outerjoin(model, match).add_columns(*columns)
            end = offset + 1 + len(fields)
            layouts[binding.type_name] = (offset, end, [name for name, _convert in fields],
                                          [(name, convert) for name, convert in fields if convert is not None])
            offset = end
        _PAGE_QUERIES[key] = (statement, layouts)
    return _PAGE_QUERIES[key]


def _joined_bindings() -> list[tuple[Binding, list[tuple[str, Any]]]]:
    """Bindings whose records a pull reads as plain columns joined to the feed (string keys only: the
    feed keeps record ids as text)."""
    found = []
    for type_name in sorted(BINDINGS):
        binding = BINDINGS[type_name]
        fields = plain_wire_columns(binding)
        if fields is not None and inspect(binding.model).primary_key[0].type.python_type is str:
            found.append((binding, fields))
    return found


_PLAIN: dict[str, list[tuple[str, Any]] | None] = {}


def plain_wire_columns(binding: Binding) -> list[tuple[str, Any]] | None:
    """For a binding whose wire form is its columns as they are (the base `to_wire`): its wire fields
    in wire order, each with the function that makes its value wire-ready (None: as it is). None when
    the binding shapes its wire form itself. Such records are pulled as plain rows, no ORM objects."""
    if binding.type_name not in _PLAIN:
        cls = type(binding)
        own = any(getattr(cls, name) is not getattr(Binding, name) for name in ("to_wire", "current_values", "get_field"))
        names = [f.name for f in binding.spec.fields] + list(binding.spec.read_only_fields)
        columns = {prop.key: prop.columns[0] for prop in inspect(binding.model).column_attrs}
        plain = not own and set(names) <= set(columns) and "deleted_at" in columns
        _PLAIN[binding.type_name] = [(name, _converter(columns[name])) for name in names] if plain else None
    return _PLAIN[binding.type_name]


def _converter(column: Any) -> Any:
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return wire_value
    # Timestamps to UTC with `Z`; the rest as is (orjson writes dates as `wire_value` does)
    return wire_value if issubclass(python_type, dt.datetime) else None


def current_change(session: Session, ctx: DeviceContext, record_type: str, record_id: str) -> dict[str, Any] | None:
    """The record as the device should hold it now, outside the cursor order (after a rejection)."""
    binding = BINDINGS.get(record_type)
    if binding is None or not UUID_RE.match(record_id):
        return None
    obj = session.get(binding.model, record_id)
    if obj is None or obj.organization_id != ctx.organization_id:
        return None
    if not binding.visible_to_guide(session, obj, ctx.guide_id):
        return None
    deleted = obj.deleted_at is not None
    return {"type": record_type, "record_id": record_id, "version": obj.version, "deleted": deleted,
            "data": None if deleted else binding.to_wire(session, obj, str(ctx.guide_id))}
