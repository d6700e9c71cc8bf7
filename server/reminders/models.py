"""What send-reminders has sent: one row per guide and reminder, so a second run sends nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from sync.clock import utcnow


class SentReminder(db.Model):
    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("guide_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # e.g. "claim:2026-11", "hours:<assignment id>:<last entry date>", "plenum:<event id>"
    dedupe_key: Mapped[str] = mapped_column(String(120))
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
