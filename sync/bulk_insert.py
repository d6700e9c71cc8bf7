"""Insert many rows at once in the session's transaction: COPY on PostgreSQL, executemany elsewhere.

Used for the rows of a bulk push (`sync/bulk.py`), their feed rows (`sync/feed.py`) and audit events.
If the database refuses a row it raises as SQLAlchemy would (IntegrityError, DataError, ...), so the
sync endpoint rolls back and retries in careful mode.
"""

from __future__ import annotations

from collections import defaultdict
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
    processors = [json_text if isinstance(table.c[key].type, JSON) else table.c[key].type.bind_processor(dialect)
                  for key in keys]
    columns = ", ".join(dialect.identifier_preparer.quote(table.c[key].name) for key in keys)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({columns}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[key] if convert is None else convert(row[key])
                                for key, convert in zip(keys, processors, strict=True)])
    except dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy would raise it (IntegrityError, DataError, ...): the caller retries carefully.
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error) from exc
