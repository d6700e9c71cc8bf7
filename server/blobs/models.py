"""Receipt files, addressed by their organization and the SHA-256 of the bytes the phone uploaded.

A blob belongs to one organization (the key is both): the same bytes uploaded in two organizations are
two owned copies, and listing another organization's hash in an expense reaches nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from sync.clock import utcnow


class Blob(db.Model):
    __tablename__ = "blobs"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_non_negative"),)

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True,
                                                 index=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Only for BLOB_STORE=database; the folder store keeps bytes on disk.
    data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
