"""Every read and write of the feed whose SQL differs between SQLite and PostgreSQL, in one place.

* `one_of`, `each_of`: an id list as one JSON parameter on PostgreSQL (publishing's and the push's
  look-ups; `each_of` one LATERAL index probe per id);
* `insert_for`, `upsert_feed_rows`: the counter's first row and the feed rows' upsert;
* `page_rows`, `page_query`: the page a pull reads — the app's own query (`sync/pull.py` runs it, and
  `tests/syncing/test_late_commit.py` proves the gap-free guarantee on it), LATERAL on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Text, and_, bindparam, cast, func, inspect, select, true, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sync.db import json_text
from sync.registry import BINDINGS, Binding
from sync.spec import wire_value
from sync.tables import EVERYONE, SyncChange


def one_of(session: Session, column: Any, values: list[Any]) -> Any:
    """`column IN (values)`. On PostgreSQL as `IN (SELECT json_array_elements_text(…))`: one parameter
    instead of hundreds, so the SQL text stays the same for every batch (the driver caches and prepares
    it), and the planner joins the ids to an index. (`= ANY(array)` would be read as a filter on every
    row of the table once the statement is prepared: 50 ms a batch on the feed at 10,000 rows.) The
    list goes as JSON text: the driver's array adapter took 0.55 ms for 500 ids, orjson 3 µs."""
    if session.get_bind().dialect.name == "postgresql":
        listed = func.json_array_elements_text(cast(bindparam(None, json_text(values), type_=Text), postgresql.JSON))
        return column.in_(select(cast(listed, column.type)))
    return column.in_(values)


def each_of(session: Session, columns: list[Any], key: Any, values: list[Any], *conditions: Any,
            unique: bool = True) -> Any:
    """The rows with `key = value` (and `conditions`) for each value; `unique`: at most one row each (a
    primary key). On PostgreSQL a LATERAL look-up per value, so the plan is one index probe per value
    whatever the planner believes. As `key IN (…)`, once ANALYZE had seen a table of other devices'
    results, a device it had not seen was estimated at one row and its 9,500 stored results were read
    and compared with each of 500 ids (4.7 million comparisons, 2–4 s a batch); and a prepared
    statement's generic plan hashed the whole feed to find 200 records' rows
    (`tests/syncing/test_write_plans.py`). LIMIT 1, or else OFFSET 0, keeps PostgreSQL from flattening
    the LATERAL subquery into a plain join again."""
    if session.get_bind().dialect.name != "postgresql":
        return select(*columns).where(*conditions, key.in_(values))
    wanted = func.json_array_elements_text(
        cast(bindparam(None, json_text(values), type_=Text), postgresql.JSON)).table_valued("value").alias("wanted")
    each = select(*columns).where(*conditions, key == cast(wanted.c.value, key.type))
    found = (each.limit(1) if unique else each.offset(0)).lateral("found")
    return select(*found.c).select_from(wanted).join(found, true())


def load_many(session: Session, binding: Binding, ids: list[str]) -> list[Any]:
    """The records of one type with these ids, in one query per 500 ids."""
    pk = inspect(binding.model).primary_key[0]
    keys: list[Any] = [int(i) for i in ids] if pk.type.python_type is int else list(ids)
    found: list[Any] = []
    for start in range(0, len(keys), 500):
        found.extend(session.scalars(select(binding.model).where(one_of(session, pk, keys[start:start + 500]))).all())
    return found


def insert_for(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)


FEED_COLUMNS = ("organization_id", "audience", "record_type", "record_id", "version", "deleted", "seq")


def upsert_feed_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert or renumber feed rows. On PostgreSQL in one statement from arrays (`unnest`): an
    executemany would send one message per row."""
    table: Any = SyncChange.__table__
    if session.get_bind().dialect.name == "postgresql":
        source = select(*(func.unnest(bindparam(None, [row[c] for row in rows],
                                                type_=postgresql.ARRAY(table.c[c].type))).label(c)
                          for c in FEED_COLUMNS))
        stmt: Any = postgresql.insert(table).from_select(list(FEED_COLUMNS), source)
        parameters: Any = None
    else:
        stmt, parameters = sqlite.insert(table), rows
    stmt = stmt.on_conflict_do_update(
        index_elements=["organization_id", "audience", "record_type", "record_id"],
        set_={"seq": stmt.excluded.seq, "version": stmt.excluded.version, "deleted": stmt.excluded.deleted},
    )
    session.execute(stmt, parameters)


# ------------------------------------------------------------------ a pull's page

FEED_PAGE_COLUMNS = ("record_type", "record_id", "version", "deleted", "audience", "seq")


def page_rows(org_id: Any, guide_audience: Any, after_seq: Any, fetch: Any) -> Any:
    """The page's feed rows as a subquery (columns FEED_PAGE_COLUMNS, unordered: order by `seq`)."""
    columns = [getattr(SyncChange, name) for name in FEED_PAGE_COLUMNS]
    per_audience = [
        select(*columns).where(
            SyncChange.organization_id == org_id, SyncChange.audience == audience, SyncChange.seq > after_seq,
        ).order_by(SyncChange.seq).limit(fetch).subquery()
        for audience in (guide_audience, EVERYONE)
    ]
    # Each audience is one index range scan that stops after limit+1 rows and reads the rows it needs
    # there (no second lookup by id); SQLite wants the limited scans wrapped as subqueries before they
    # can be combined. Plain columns, not SyncChange objects: a page is read once.
    union = union_all(*(select(*sub.c) for sub in per_audience)).subquery()
    return select(*union.c).order_by(union.c.seq).limit(fetch).subquery("page")


# A plain type's place in a page row (after the six feed columns): its version's index, the end of its
# fields, their names, and the converters of those that need one.
_Layout = tuple[int, int, list[str], list[tuple[str, Any]]]
_PageQuery = tuple[Any, dict[str, _Layout]]
_PAGE_QUERIES: dict[Any, _PageQuery] = {}


def page_query(lateral: bool = True) -> Any:
    """The statement a pull page runs (bind parameters org, audience, after, fetch), for EXPLAIN."""
    return page_query_and_layouts(lateral)[0]


def page_query_and_layouts(lateral: bool) -> _PageQuery:
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
        page = page_rows(bindparam("org"), bindparam("audience"), bindparam("after"), bindparam("fetch"))
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
