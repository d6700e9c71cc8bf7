"""Insert many rows at once in the session's transaction: COPY on PostgreSQL, executemany elsewhere.

Used for the rows of a bulk push (`sync/push/bulk_writer.py`), their feed rows (`sync/feed/publish.py`) and
audit events.
If the database refuses a row it raises as SQLAlchemy would (IntegrityError, DataError, ...), so the
engine rolls back and tries again as `sync/push/plan.py` decides.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from sync.db import json_text

# Below this many rows a plain INSERT is as fast: COPY costs a few more round trips to set up.
COPY_FROM_ROWS = 20


def insert_many(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows in bulk, in the session's transaction: one statement per set of columns (rows that
    left different optional fields unset differ). Many rows on PostgreSQL go with COPY: an executemany
    sends one protocol message per row, which costs more than writing the rows themselves."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    connection = session.connection()
    for keys, group in groups.items():
        if connection.dialect.name == "postgresql" and len(group) >= COPY_FROM_ROWS:
            _copy(connection, table, keys, group)
        else:
            session.execute(insert(table), group)


def _copy(connection: Connection, table: Any, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    dialect = connection.dialect
    # Each column's bind processing as SQLAlchemy would do it (our UTC timestamps); JSON columns as
    # text (psycopg adapts them per statement otherwise, which COPY does not do).
    converting: list[tuple[int, Callable[[Any], Any]]] = []
    for index, key in enumerate(keys):
        if isinstance(table.c[key].type, JSON):
            converting.append((index, json_text))
        elif (process := table.c[key].type.bind_processor(dialect)) is not None:
            converting.append((index, _once_per_value(process)))
    columns = ", ".join(dialect.identifier_preparer.quote(table.c[key].name) for key in keys)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({columns}) FROM STDIN"
    values_of = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                values = values_of(row)
                if converting:
                    values = list(values)
                    for index, convert in converting:
                        values[index] = convert(values[index])
                copy.write_row(values)
    except dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy would raise it (IntegrityError, DataError, ...): the caller retries (sync_endpoint).
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error) from exc


def _once_per_value(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A bind processor that converts each distinct timestamp once: a batch's rows mostly share theirs
    (one `now` per batch), and converting each again cost more than writing it. (Timestamps only:
    equal values of some other types, such as Decimal('1.0') and Decimal('1.00'), are not the same.)"""
    done: dict[dt.datetime, Any] = {}

    def converted(value: Any) -> Any:
        if type(value) is not dt.datetime:
            return process(value)
        try:
            return done[value]
        except KeyError:
            result = done[value] = process(value)
            return result

    return converted
