"""Receipt files, addressed by the SHA-256 of their stored bytes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from sync.clock import utcnow


class Blob(db.Model):
    __tablename__ = "blobs"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_non_negative"),)

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Only for BLOB_STORE=database; the folder store keeps bytes on disk.
    data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
