"""A plain record's change as JSON text, built by PostgreSQL in the pull query.

A pull page splices this text into the response as it is: the server no longer turns every column
into a Python value, a wire dict and back into JSON (most of a page's cost in Python). The text must
mean exactly what `json.dumps` of the Python-built change means: same keys, and values in the formats
of `sync.spec.wire_value` (dates `YYYY-MM-DD`, timestamps in UTC with `Z` and microseconds only when
there are any), nulls as `null`. A column of any other type keeps its binding on the Python path.
`tests/syncing/test_pull_json.py` compares both builds field by field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import Text, case, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

from sync.db import UTCDateTime

_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")


def json_value(column: Any) -> ColumnElement[Any] | None:
    """SQL for one column's wire value as JSON text (`null` for NULL); None if not supported."""
    column_type = column.type
    if isinstance(column_type, UTCDateTime):
        value = _utc_timestamp(column)
    else:
        try:
            python_type = column_type.python_type
        except NotImplementedError:
            return None
        if python_type not in (str, int, bool, dt.date):  # dt.date only: naive datetimes are not wire-ready
            return None
        value = cast(func.to_json(column), Text)
    return func.coalesce(value, _text("null"), type_=Text)


def _utc_timestamp(column: Any) -> ColumnElement[Any]:
    """`datetime.isoformat()` in UTC with `Z`: `2026-11-25T07:00:00Z`, `…07:00:00.000123Z`."""
    utc = func.timezone("UTC", column)
    seconds = func.to_char(utc, _text('YYYY-MM-DD"T"HH24:MI:SS'), type_=Text)
    micros = func.to_char(utc, _text("US"), type_=Text)
    fraction = case((micros == _text("000000"), _text("")), else_=_text(".") + micros)
    return cast(func.to_json(seconds + fraction + _text("Z")), Text)


def _text(text: str) -> ColumnElement[Any]:
    """A constant in the SQL text (no parameter: the statement stays the same for every page)."""
    return literal_column("'" + text.replace("'", "''") + "'", Text)


def change_json(type_name: str, record_id: Any, version: Any,
                fields: list[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    """The whole change `{"type", "record_id", "version", "deleted": false, "data": {…}}` as text;
    NULL when `version` is NULL (the record is not joined: deleted, or another type)."""
    expression: ColumnElement[Any] = _text('{"type":' + json.dumps(type_name) + ',"record_id":')
    expression = expression + cast(func.to_json(record_id), Text) + _text(',"version":') + cast(version, Text)
    expression = expression + _text(',"deleted":false,"data":{')
    for i, (name, value) in enumerate(fields):
        if not _KEY.match(name):
            raise ValueError(name)
        expression = expression + _text(("," if i else "") + json.dumps(name) + ":") + value
    return expression + _text("}}")
