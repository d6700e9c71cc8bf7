"""A coordinator's short message to a guide. A message "to all guides" is one row per guide (`to_all`,
grouped by `batch_id`), so each guide has her own read state and her own tombstone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from sync.records import SyncedRecord

MESSAGE_MAX_LENGTH = 1000


class Message(SyncedRecord, db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        ForeignKeyConstraint(["guide_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             ondelete="CASCADE", name="fk_messages_guide"),
        CheckConstraint(f"length(body) BETWEEN 1 AND {MESSAGE_MAX_LENGTH}", name="body_length"),
        SyncedRecord.version_check(),
        Index("ix_messages_guide_created", "guide_id", "created_at"),
    )

    guide_id: Mapped[int] = mapped_column(Integer)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    to_all: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[str] = mapped_column(String(36), index=True)  # the rows of one sending share it
    sent_at: Mapped[dt.datetime] = mapped_column()
    read_at: Mapped[dt.datetime | None] = mapped_column(default=None)
