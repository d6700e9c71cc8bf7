"""Columns every synced record table carries, as a mixin for SQLAlchemy models.

A synced record has a client-made UUID key, belongs to one organization, and carries a server
`version` that grows by one with every accepted change. Deletions are soft (`deleted_at`) so that a
tombstone can be sent to devices and a late edit can still be merged or turned into a conflict.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from sync.clock import utcnow
from sync.db import UUIDString, new_uuid


class SyncedRecord:
    id: Mapped[str] = mapped_column(UUIDString(), primary_key=True, default=new_uuid)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    @declared_attr
    def organization_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True)

    @classmethod
    def version_check(cls) -> CheckConstraint:
        return CheckConstraint("version >= 1", name="version_positive")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
