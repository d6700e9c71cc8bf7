"""Writing rows into the outbox, and the senders' side of it: claim (lease), mark sent, retry, give up.

Enqueueing happens in the caller's transaction (nothing is committed here): the message exists exactly
when the action that causes it does. Claiming is a short transaction of its own, so that a lease is
visible to every other sender before any message goes out.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.outbox.models import OutboxMessage
from sync.clock import utcnow
from sync.db import json_text

# Backoff between attempts: 30 s, 1 min, 2 min, … at most an hour.
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)


@dataclass(frozen=True)
class NewMessage:
    """A message to queue; `queue_messages` writes many of these in one statement."""

    channel: str
    kind: str
    organization_id: int | None
    user_id: int | None
    address: str = ""
    locale: str = "de"
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None


@dataclass(frozen=True)
class ClaimedMessage:
    """A leased row as a sender sees it: a snapshot, free of the session that claimed it."""

    id: int
    channel: str
    kind: str
    organization_id: int | None
    user_id: int | None
    address: str
    locale: str
    subject: str
    body_text: str
    body_html: str
    payload: dict[str, Any]
    attempts: int
    lease_token: str


def queue_messages(session: Session, messages: Sequence[NewMessage]) -> list[int]:
    """Insert the messages in the session's transaction; one whose dedupe key is queued already is
    skipped (INSERT … ON CONFLICT DO NOTHING on both databases). Returns the ids of the rows written."""
    if not messages:
        return []
    now = utcnow()
    rows = [{"channel": m.channel, "kind": m.kind, "organization_id": m.organization_id, "user_id": m.user_id,
             "address": m.address, "locale": m.locale, "subject": m.subject, "body_text": m.body_text,
             "body_html": m.body_html, "payload": m.payload, "dedupe_key": m.dedupe_key, "state": "pending",
             "attempts": 0, "next_attempt_at": now, "last_error": "", "created_at": now}
            for m in messages]
    dialect = session.get_bind().dialect.name
    table = OutboxMessage.__table__
    if dialect == "postgresql" and len(rows) >= MANY_ROWS:
        return [row[0] for row in _insert_json_rows(session, rows)]
    statement: Any
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
    else:  # pragma: no cover - the two supported databases are above
        statement = insert(table)
    result = session.execute(statement.returning(table.c.id), rows)
    return [row[0] for row in result]


# From this many rows on PostgreSQL, the rows travel as one JSON parameter: an executemany of 2,000 rows
# spends most of its time in the driver, splitting a statement of 32,000 placeholders (bench/README.md).
MANY_ROWS = 20


_ROW_COLUMNS = ("channel", "kind", "organization_id", "user_id", "address", "locale", "subject", "body_text",
                "body_html", "payload", "dedupe_key", "state", "attempts", "next_attempt_at", "last_error", "created_at")
_COLUMN_LIST = ", ".join(_ROW_COLUMNS)


def _insert_json_rows(session: Session, rows: list[dict[str, Any]]) -> Any:
    """INSERT … SELECT FROM json_populate_recordset(one JSON text) ON CONFLICT DO NOTHING RETURNING id."""
    assert all(key in _ROW_COLUMNS for key in rows[0])
    return session.execute(text(
        f"INSERT INTO outbox_messages ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} "  # noqa: S608 - constant columns
        "FROM json_populate_recordset(NULL::outbox_messages, CAST(:rows AS json)) "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"), {"rows": json_text(rows)})


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: doubling from 30 s, capped at an hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _due(now: dt.datetime) -> Any:
    """Waiting rows whose time has come, and rows of a sender that died holding their lease."""
    return or_(and_(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now),
               and_(OutboxMessage.state == "sending", OutboxMessage.leased_until < now))


def claim(session: Session, channels: Iterable[str], limit: int, lease: dt.timedelta) -> list[ClaimedMessage]:
    """Lease up to `limit` due rows to this sender and commit, so no other sender takes them.

    On PostgreSQL the rows are locked with SKIP LOCKED: senders on several hosts take disjoint
    batches without waiting for each other. The UPDATE repeats the due condition, so even without
    row locks (SQLite) a row leased by someone else in the meantime is not taken twice."""
    now = utcnow()
    channels = tuple(channels)
    candidates = select(OutboxMessage.id).where(OutboxMessage.channel.in_(channels), _due(now)) \
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ids = list(session.scalars(candidates))
    if not ids:
        session.commit()
        return []
    token = secrets.token_hex(16)
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), _due(now)).values(
        state="sending", lease_token=token, leased_until=now + lease, attempts=OutboxMessage.attempts + 1,
    ).execution_options(synchronize_session=False))
    rows = session.execute(select(OutboxMessage).where(OutboxMessage.lease_token == token)
                           .order_by(OutboxMessage.id)).scalars().all()
    claimed = [ClaimedMessage(id=r.id, channel=r.channel, kind=r.kind, organization_id=r.organization_id,
                              user_id=r.user_id, address=r.address, locale=r.locale, subject=r.subject,
                              body_text=r.body_text, body_html=r.body_html, payload=dict(r.payload or {}),
                              attempts=r.attempts, lease_token=token) for r in rows]
    session.commit()
    return claimed


def _leased(message: ClaimedMessage) -> Any:
    return and_(OutboxMessage.id == message.id, OutboxMessage.lease_token == message.lease_token,
                OutboxMessage.state == "sending")


def mark_sent(session: Session, message: ClaimedMessage) -> bool:
    """Sent, once: only under this sender's lease. False if the lease was lost (it ran out and another
    sender took the row), which the sender logs. The content is emptied: it is delivered now."""
    result = session.execute(update(OutboxMessage).where(_leased(message)).values(
        state="sent", sent_at=utcnow(), lease_token=None, leased_until=None, last_error="",
        body_text="", body_html="").execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def mark_all_sent(session: Session, messages: Sequence[ClaimedMessage]) -> set[int]:
    """`mark_sent` for a whole batch of one lease in one UPDATE; returns the ids marked. Rows whose
    lease was lost in between are not marked (the caller finds them missing from the result)."""
    if not messages:
        return set()
    token = messages[0].lease_token
    ids = [m.id for m in messages]
    assert all(m.lease_token == token for m in messages)
    marked = set(session.scalars(update(OutboxMessage).where(
        OutboxMessage.id.in_(ids), OutboxMessage.lease_token == token, OutboxMessage.state == "sending",
    ).values(state="sent", sent_at=utcnow(), lease_token=None, leased_until=None, last_error="", body_text="",
             body_html="").returning(OutboxMessage.id).execution_options(synchronize_session=False)))
    return marked


def mark_failed(session: Session, message: ClaimedMessage, error: str, *, give_up: bool) -> str:
    """After a failed attempt: wait (exponential backoff) and try again, or give up. Returns the new state."""
    now = utcnow()
    values: dict[str, Any] = {"lease_token": None, "leased_until": None, "last_error": error[:500]}
    if give_up:
        values.update(state="failed", body_text="", body_html="")
    else:
        values.update(state="pending", next_attempt_at=now + backoff(message.attempts))
    session.execute(update(OutboxMessage).where(_leased(message)).values(**values)
                    .execution_options(synchronize_session=False))
    return str(values["state"])


@dataclass(frozen=True)
class OutboxStats:
    """The outbox's length for metrics and the desk: rows per channel and state, the oldest waiting."""

    counts: dict[tuple[str, str], int]
    oldest_waiting: dt.datetime | None

    def waiting(self, channel: str | None = None) -> int:
        return sum(n for (c, s), n in self.counts.items() if s in ("pending", "sending")
                   and (channel is None or c == channel))


def outbox_stats(session: Session, organization_id: int | None = None) -> OutboxStats:
    where = [] if organization_id is None else [OutboxMessage.organization_id == organization_id]
    counts = {(c, s): int(n) for c, s, n in session.execute(
        select(OutboxMessage.channel, OutboxMessage.state, func.count()).where(*where)
        .group_by(OutboxMessage.channel, OutboxMessage.state))}
    oldest = session.scalar(select(func.min(OutboxMessage.created_at)).where(
        *where, OutboxMessage.state.in_(("pending", "sending"))))
    return OutboxStats(counts=counts, oldest_waiting=oldest)


def failed_messages(session: Session, organization_id: int, limit: int = 50) -> list[OutboxMessage]:
    """Messages given up, newest first: shown to admins on the organization's page."""
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.organization_id == organization_id, OutboxMessage.state == "failed")
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)))
