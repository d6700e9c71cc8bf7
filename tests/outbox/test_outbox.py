"""The outbox delivers each mail exactly once: through an SMTP server that is down for a while,
answers 4xx or 5xx, or is shared by several senders; a row's Message-ID is stable."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from server.audit.models import AuditEvent
from server.extensions import db
from server.outbox.models import OutboxMessage
from server.outbox.queue import NewMessage, claim, mark_sent, outbox_stats, queue_messages
from server.outbox.sender import send_due

NOW = "2026-12-04T09:00:00+01:00"


def queue(n: int = 1, org_id: int | None = 1, dedupe: str | None = None, kind: str = "test") -> list[int]:
    ids = queue_messages(db.session, [
        NewMessage(channel="mail", kind=kind, organization_id=org_id, user_id=100 + i,
                   address=f"person{i}@example.org", locale="de", subject=f"Betreff {i}",
                   body_text=f"Hallo {i}", body_html=f"<p>Hallo {i}</p>", dedupe_key=dedupe)
        for i in range(n)])
    db.session.commit()
    return ids


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_queued_mail_arrives_once_with_text_html_and_a_stable_message_id(app, smtp_server):
    (outbox_id,) = queue()
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert app.test_cli_runner().invoke(args=["send-mail", "--once"]).exit_code == 0
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == "person0@example.org"
    assert mail["Subject"] == "Betreff 0"
    assert mail["Message-ID"] == f"<lotsenbuch.outbox.{outbox_id}@lotsen.example>"
    assert mail["Content-Language"] == "de"
    assert mail.get_body(("plain",)).get_content().strip() == "Hallo 0"
    assert mail.get_body(("html",)).get_content().strip() == "<p>Hallo 0</p>"
    (row,) = rows()
    assert (row.state, row.attempts, row.body_text) == ("sent", 1, "")  # the content does not stay
    assert row.sent_at is not None
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mail.sent")).all()
    assert [(a.object_id, a.details["kind"]) for a in audit] == [("100", "test")]


def test_while_the_server_is_down_mails_wait_and_go_exactly_once_when_it_is_back(app, smtp_server, clock):
    clock(NOW)
    smtp_server.stop()
    queue(3)
    report = send_due()
    assert (report.sent, report.retrying) == (0, 3)
    assert {r.state for r in rows()} == {"pending"}
    assert all(r.last_error and r.attempts == 1 for r in rows())
    # Not due yet: backoff.
    smtp_server.start()
    assert send_due().handled == 0
    clock("2026-12-04T09:00:31+01:00")
    assert send_due().sent == 3
    clock("2026-12-04T12:00:00+01:00")
    assert send_due().handled == 0
    assert sorted(m["To"] for m in smtp_server.messages) == [f"person{i}@example.org" for i in range(3)]
    assert {r.state for r in rows()} == {"sent"}


def test_backoff_doubles_and_a_temporary_refusal_is_retried(app, smtp_server, clock):
    clock(NOW)
    smtp_server.answer = "451 4.3.0 try again later"
    queue()
    waits = []
    for minute in range(0, 200, 1):
        moment = dt.datetime.fromisoformat(NOW) + dt.timedelta(minutes=minute)
        clock(moment.isoformat())
        if send_due().handled:
            waits.append((rows()[0].next_attempt_at - moment).total_seconds())
        if len(waits) == 4:
            break
    # 30 s, 1, 2, 4 min after the attempt (the clock ticks on while it runs: a few seconds' slack).
    assert [int(w // 30) if w % 30 < 15 else None for w in waits] == [1, 2, 4, 8], waits
    assert rows()[0].state == "pending" and "451" in rows()[0].last_error
    smtp_server.answer = None
    clock("2026-12-04T15:00:00+01:00")
    assert send_due().sent == 1
    assert len(smtp_server.messages) == 1


def test_a_permanent_refusal_is_given_up_after_a_bounded_number_of_attempts(app, smtp_server, clock):
    clock(NOW)
    smtp_server.answer = "550 5.1.1 no such mailbox"
    queue()
    for hour in range(10):
        clock(f"2026-12-04T{10 + hour:02d}:00:00+01:00")
        send_due()
    (row,) = rows()
    assert row.state == "failed"
    assert row.attempts == app.config["OUTBOX_PERMANENT_ATTEMPTS"]
    assert "550" in row.last_error
    assert smtp_server.messages == []
    assert outbox_stats(db.session).counts == {("mail", "failed"): 1}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "mail.failed")) == 1


def test_a_dedupe_key_queues_a_message_once(app):
    assert len(queue(dedupe="digest:1:2026-12-04")) == 1
    assert queue(dedupe="digest:1:2026-12-04") == []
    assert len(rows()) == 1


def test_a_lease_that_ran_out_goes_to_another_sender_and_the_first_cannot_mark_it(app, clock):
    clock(NOW)
    queue()
    (first,) = claim(db.session, ["mail"], 10, dt.timedelta(minutes=5))
    assert claim(db.session, ["mail"], 10, dt.timedelta(minutes=5)) == []
    clock("2026-12-04T09:06:00+01:00")
    (second,) = claim(db.session, ["mail"], 10, dt.timedelta(minutes=5))
    assert second.id == first.id and second.attempts == 2
    assert mark_sent(db.session, first) is False
    assert mark_sent(db.session, second) is True
    assert mark_sent(db.session, second) is False  # marked once
    db.session.commit()
    assert rows()[0].state == "sent"


def test_outbox_length_is_counted_per_channel_and_state(app, smtp_server):
    queue(2)
    stats = outbox_stats(db.session)
    assert stats.waiting() == 2 and stats.waiting("push") == 0 and stats.oldest_waiting is not None
    send_due()
    assert outbox_stats(db.session).counts == {("mail", "sent"): 2}


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_two_senders_at_once_send_every_mail_once(app, smtp_server, backend):
    app.config["OUTBOX_BATCH"] = 25
    queue(300)
    errors: list[Any] = []

    def sender() -> None:
        try:
            with app.app_context():
                send_due()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 300 and len(set(ids)) == 300
    assert {r.state for r in rows()} == {"sent"}
    assert all(r.attempts == 1 for r in rows())
