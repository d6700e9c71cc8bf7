"""One row per message to send, written in the transaction of the action that causes it.

The row is the whole truth of a message's delivery: a sender leases due rows (`state = 'sending'`,
`lease_token`, `leased_until`), delivers them and marks each `sent` under its lease only, so a message
is marked sent exactly once even when several senders run on several hosts. Rows are never deleted by
the application; `state` and `next_attempt_at` (indexed together) answer "how long is the outbox".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from sync.clock import utcnow

CHANNELS = ("mail", "push")
# pending: waits for its next attempt; sending: leased to a sender; sent: delivered; failed: given up.
STATES = ("pending", "sending", "sent", "failed")


def _sql_in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(_sql_in("channel", CHANNELS), name="channel_known"),
        CheckConstraint(_sql_in("state", STATES), name="state_known"),
        # The senders' claim and the outbox-length metric: due rows per state, oldest first.
        Index("ix_outbox_messages_state_next", "state", "next_attempt_at"),
        Index("ix_outbox_messages_org_created", "organization_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    # Plain ids, like the audit log: a message's record outlives what it names (see sync/tables.py).
    organization_id: Mapped[int | None] = mapped_column(Integer, default=None)
    user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    address: Mapped[str] = mapped_column(String(254), default="")
    kind: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(10), default="de")
    subject: Mapped[str] = mapped_column(String(300), default="")
    # The rendered content; emptied once the message is sent or given up (it may hold a one-time link).
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # What a channel needs beyond text (a push message's data, its subscription, …).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_token: Mapped[str | None] = mapped_column(String(32), default=None)
    leased_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # A reminder or digest is queued once: a second row with the same key is not written.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
