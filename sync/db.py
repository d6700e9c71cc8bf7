"""The one declarative base and column types shared by the server's models and the sync tables.

Why here and not in server/: the sync engine must work on the same tables without importing Flask,
so the base lives in the framework-free package and Flask-SQLAlchemy is handed it as `model_class`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import orjson
from sqlalchemy import DateTime, MetaData, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on every database (SQLite forgets the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def UUIDString() -> String:  # noqa: N802 - reads like a type in column declarations
    """Client-made UUIDs as 36-character strings: identical on SQLite and PostgreSQL and on the wire."""
    return String(36)


def new_uuid() -> str:
    return str(uuid.uuid4())




def json_text(value: Any) -> str:
    """Compact JSON by orjson, for everything sync writes (responses, JSON columns filled by COPY):
    several times faster than the stdlib on a page of changes. Dates and UTC times come out as
    `sync.spec.wire_value` writes them (`Z`); decimals as text."""
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS).decode()


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )
