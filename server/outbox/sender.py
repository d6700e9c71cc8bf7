"""The sender: lease due messages, hand them to their channel's handler, record each outcome.

Any number of senders may run at once, on any host (`flask --app server send-mail`): each leases its
own batch (server/outbox/queue.py). A message is marked sent under the lease it was sent under, so it
is marked once; if a sender dies between sending and marking, the lease runs out and the message goes
again with the same Message-ID (at least once on the wire, which mail servers recognise).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy.orm import Session

from server.audit.models import AuditEvent
from server.extensions import db
from server.outbox.channels import CHANNEL_HANDLERS, Outcome
from server.outbox.queue import ClaimedMessage, claim, mark_all_sent, mark_failed
from sync.bulk_insert import insert_many
from sync.clock import utcnow

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost_leases: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.lost_leases

    def add(self, other: SendReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.lost_leases += other.lost_leases
        self.errors.extend(other.errors)


def send_batch(session: Session | None = None) -> SendReport:
    """Lease one batch of due messages of every channel that has a handler, send, record outcomes."""
    session = session or db.session
    config = current_app.config
    claimed = claim(session, CHANNEL_HANDLERS.keys(), config["OUTBOX_BATCH"],
                    dt.timedelta(seconds=config["OUTBOX_LEASE_SECONDS"]))
    report = SendReport()
    if not claimed:
        return report
    by_channel: dict[str, list[ClaimedMessage]] = defaultdict(list)
    for message in claimed:
        by_channel[message.channel].append(message)
    for channel, messages in by_channel.items():
        try:
            outcomes = CHANNEL_HANDLERS[channel](messages)
        except Exception as exc:  # noqa: BLE001 - a broken handler must not lose the batch: retry it later
            log.exception("outbox: the %s handler failed", channel)
            outcomes = [Outcome(ok=False, error=f"{exc.__class__.__name__}: {exc}")] * len(messages)
        record_outcomes(session, messages, outcomes, report)
    return report


def record_outcomes(session: Session, messages: list[ClaimedMessage], outcomes: list[Outcome],
                    report: SendReport) -> None:
    """One transaction per batch: the new state of every row and its audit event (no bodies)."""
    config = current_app.config
    now = utcnow()
    events = []
    # Every message of a batch shares one lease: the sent ones are marked in one statement.
    marked = mark_all_sent(session, [m for m, o in zip(messages, outcomes, strict=True) if o.ok])
    for message, outcome in zip(messages, outcomes, strict=True):
        if outcome.ok:
            if message.id in marked:
                report.sent += 1
                action = f"{message.channel}.sent"
            else:
                report.lost_leases += 1
                log.warning("outbox: message %s was sent but its lease had run out", message.id)
                continue
        else:
            limit = config["OUTBOX_PERMANENT_ATTEMPTS"] if outcome.permanent else config["OUTBOX_MAX_ATTEMPTS"]
            state = mark_failed(session, message, outcome.error, give_up=message.attempts >= limit)
            report.errors.append(outcome.error)
            if state == "failed":
                report.failed += 1
                action = f"{message.channel}.failed"
                log.error("outbox: gave up message %s after %s attempts: %s", message.id, message.attempts,
                          outcome.error)
            else:
                report.retrying += 1
                continue  # a retry is not an event worth the audit log; the row keeps the last error
        events.append({"action": action, "organization_id": message.organization_id, "at": now,
                       "actor_user_id": None, "device_id": None, "object_type": "user",
                       "object_id": str(message.user_id or ""),
                       "details": {"kind": message.kind, "outbox_id": message.id, "attempts": message.attempts}})
    insert_many(session, AuditEvent.__table__, events)
    session.commit()


def send_due(session: Session | None = None, max_batches: int = 1000) -> SendReport:
    """Send everything that is due now, batch after batch (`send-mail --once`)."""
    total = SendReport()
    for _ in range(max_batches):
        report = send_batch(session)
        total.add(report)
        # A batch that was not full took everything due; what failed waits for its next attempt.
        if report.handled < current_app.config["OUTBOX_BATCH"]:
            break
    return total


def run_forever(stop: threading.Event | None = None) -> None:
    """The `send-mail` loop: send what is due, then wait a little; survives a database that is away."""
    stop = stop or threading.Event()
    interval = float(current_app.config["OUTBOX_POLL_SECONDS"])
    while not stop.is_set():
        try:
            report = send_due()
            if report.handled:
                log.info("outbox: %s sent, %s to retry, %s given up", report.sent, report.retrying, report.failed)
        except Exception:  # noqa: BLE001 - log and keep going: the next round may find the database back
            db.session.rollback()
            log.exception("outbox: a round failed")
        finally:
            db.session.remove()
        stop.wait(interval)
