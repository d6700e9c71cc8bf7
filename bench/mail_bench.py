"""Mail benchmark on PostgreSQL: an organization of 2,000 guides, a real SMTP server (aiosmtpd) on loopback.

Prints (median of RUNS), each beside its floor measured in the same run:
  the daily digest for every coordinator: counted (the dashboard's queries over 2,000 guides), rendered, queued
  the desk's message to all 2,000 guides: a synced row each, with its feed row and history, and the audit
  a message-to-everyone-sized batch: 2,000 mails rendered in each guide's language and queued (outbox + audit
    rows); floor: a bare COPY of the very same outbox rows
  the sender: 2,000 queued mails delivered to a local SMTP server (aiosmtpd in its own process; mails/s), over
    1 and over MAIL_CONNECTIONS connections; floor: the same mails' bytes sent raw with smtplib (no database,
    no MIME building) over 1 and over as many connections

The queueing runs are rolled back (a digest is queued once a day: a second run would be skipped).

Usage: .venv/bin/python bench/mail_bench.py [--quick]   (--quick: 2 runs)
"""

from __future__ import annotations

import datetime as dt
import random
import smtplib
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fmt, free_port, fresh_database, median_of, timed  # noqa: E402

QUICK = "--quick" in sys.argv
RUNS = 2 if QUICK else 5
GUIDES, COORDINATORS = 2000, 3
LOCALES = ("de", "de", "de", "tr", "ar", "ru", "uk", "fa", "pl", None)


def seed(url: str, smtp_config: dict[str, object]) -> tuple[object, int]:
    from sqlalchemy import insert, select

    from server import create_app
    from server.accounts.models import Membership, User
    from server.accounts.operations import create_organization, create_user
    from server.activities.models import Activity
    from server.extensions import db
    from server.guides.models import GuideProfile
    from sync.clock import utcnow

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING", **smtp_config})
    ctx = app.app_context()
    ctx.push()
    rng = random.Random(2026)
    org = create_organization("bench", "Bench e.V. Hannover")
    for i in range(COORDINATORS):
        create_user(org, f"coord{i}@bench.example", "coordinator", f"Koordination {i}", "bench password 1")
    now = utcnow()
    db.session.execute(insert(User), [
        {"email": f"guide{i}@bench.example", "name": f"Lotsin {i} Müller", "locale": rng.choice(LOCALES),
         "active": True, "created_at": now, "session_generation": 0, "mail_opt_out": []} for i in range(GUIDES)])
    ids = list(db.session.scalars(select(User.id).where(User.email.like("guide%@bench.example"))))
    db.session.execute(insert(Membership), [{"user_id": i, "organization_id": org.id, "role": "guide",
                                             "created_at": now} for i in ids])
    db.session.execute(insert(GuideProfile), [{"user_id": i, "organization_id": org.id} for i in ids])
    today = dt.date.today()
    # Two thirds of the guides were active lately, the others are silent (the digest counts them).
    db.session.execute(insert(Activity), [
        {"organization_id": org.id, "guide_id": i, "date": today - dt.timedelta(days=rng.randint(1, 120)),
         "minutes": 60, "kind": "accompaniment"} for i in ids for _ in range(3)])
    db.session.commit()
    return app, org.id


def main() -> None:
    # aiosmtpd in a process of its own: in the sender's process it would compete for the GIL.
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                               "-c", "aiosmtpd.handlers.Sink"])
    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_BACKEND": "smtp",
              "MAIL_DEFAULT_SENDER": "Lotsenbuch <lotsenbuch@bench.example>"}
    try:
        time.sleep(1.0)
        with fresh_database("lotsenbuch_mail_bench") as url:
            app, org_id = seed(url, config)
            run(app, org_id)
    finally:
        server.terminate()
        server.wait()


def run(app: object, org_id: int) -> None:
    from sqlalchemy import delete, func, select

    from server.accounts.models import Membership, User
    from server.extensions import db
    from server.outbox.alerts import queue_daily_digests
    from server.outbox.batch_render import MailShapes
    from server.outbox.models import OutboxMessage
    from server.outbox.render import MailTo, queue_mails, recipient_locale
    from server.outbox.sender import send_due
    from sync.bulk_insert import insert_many

    def load_guides() -> list[User]:
        """The recipients, in one query (as a message to everyone would load them)."""
        return list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.organization_id == org_id, Membership.role == "guide")))

    assert len(load_guides()) == GUIDES

    def digest() -> float:
        seconds = timed(lambda: queue_daily_digests(db.session))
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == COORDINATORS
        db.session.rollback()
        return seconds

    def everyone() -> float:
        def queue() -> None:
            queue_mails(db.session, "enrolment_link", org_id, [
                MailTo(g, {"link": "https://lotsen.example/enroll#code=ABCD-EFGH-JKMN", "code": "ABCD-EFGH-JKMN",
                           "enroll_url": "https://lotsen.example/enroll", "org_name": "Bench e.V.", "days": 7})
                for g in load_guides()])
            db.session.flush()

        seconds = timed(queue)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == GUIDES
        db.session.rollback()
        return seconds

    def sender() -> float:
        queue_mails(db.session, "enrolment_link", org_id, [
            MailTo(g, {"link": "https://lotsen.example/enroll#code=X", "code": "X",
                       "enroll_url": "https://lotsen.example/enroll", "org_name": "Bench e.V.", "days": 7})
            for g in load_guides()])
        db.session.commit()
        seconds = timed(send_due)
        sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "sent"))
        assert sent == GUIDES, sent
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
        return GUIDES / seconds

    def outbox_rows() -> list[dict[str, object]]:
        queue_mails(db.session, "enrolment_link", org_id, [
            MailTo(g, {"link": "https://lotsen.example/enroll#code=ABCD-EFGH-JKMN", "code": "ABCD-EFGH-JKMN",
                       "enroll_url": "https://lotsen.example/enroll", "org_name": "Bench e.V.", "days": 7})
            for g in load_guides()])
        columns = [c for c in OutboxMessage.__table__.columns if c.name != "id"]
        rows = [dict(r._mapping) for r in db.session.execute(select(*columns))]
        db.session.rollback()
        return rows

    rows = outbox_rows()

    def bare_insert() -> float:
        seconds = timed(lambda: insert_many(db.session, OutboxMessage.__table__, rows))
        db.session.rollback()
        return seconds

    def render_only() -> float:
        guides = load_guides()
        shapes = MailShapes("enrolment_link")
        return timed(lambda: [shapes.render(recipient_locale(g), g, {
            "link": "https://lotsen.example/enroll#code=ABCD-EFGH-JKMN", "code": "ABCD-EFGH-JKMN",
            "enroll_url": "https://lotsen.example/enroll", "org_name": "Bench e.V.", "days": 7}) for g in guides])

    def raw_smtp(connections: int) -> float:
        """The floor of the sender: the same mails' bytes over plain smtplib, nothing else."""
        from server.outbox.mail import build_email
        from server.outbox.queue import ClaimedMessage

        host, port = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]  # type: ignore[attr-defined]
        wire = [(r["address"], build_email(ClaimedMessage(
            id=i, channel="mail", kind=str(r["kind"]), organization_id=org_id, user_id=None, address=str(r["address"]),
            locale=str(r["locale"]), subject=str(r["subject"]), body_text=str(r["body_text"]),
            body_html=str(r["body_html"]), payload={}, attempts=1, lease_token="")).message().as_bytes(linesep="\r\n"))
            for i, r in enumerate(rows)]

        def share(part: list[tuple[object, bytes]]) -> None:
            with smtplib.SMTP(host, port) as smtp:
                for address, data in part:
                    smtp.sendmail("lotsenbuch@bench.example", [str(address)], data)

        def send() -> None:
            with ThreadPoolExecutor(connections) as pool:
                list(pool.map(share, [wire[i::connections] for i in range(connections)]))

        return len(wire) / timed(send)

    def sender_over(connections: int) -> float:
        app.config["MAIL_CONNECTIONS"] = connections  # type: ignore[attr-defined]
        return sender()

    def message_to_all() -> float:
        """The desk's "message to all guides": one synced row per guide (feed, history, audit), rolled back."""
        from server.messages.operations import active_guides, send_message
        from sync.merge import Author

        coordinator = db.session.scalar(select(User).where(User.email == "coord0@bench.example"))
        assert coordinator is not None

        def send() -> None:
            send_message(db.session, Author(role="coordinator", user_id=coordinator.id), coordinator, org_id,
                         active_guides(db.session, org_id), "Das Plenum ist am Donnerstag um 18 Uhr.", to_all=True)
            db.session.flush()

        seconds = timed(send)
        db.session.rollback()
        return seconds

    connections = int(app.config["MAIL_CONNECTIONS"])  # type: ignore[attr-defined]
    median, values = median_of(RUNS, digest)
    print(f"daily digest ({COORDINATORS} coordinators, {GUIDES} guides) counted, rendered, queued: "
          f"{fmt(median)} (runs: {', '.join(fmt(v) for v in values)})")
    median, values = median_of(RUNS, message_to_all)
    print(f"a message to all {GUIDES} guides (synced rows, feed, audit) written: {fmt(median)} "
          f"(runs: {', '.join(fmt(v) for v in values)})")
    median, values = median_of(RUNS, everyone)
    print(f"{GUIDES} mails rendered in each guide's language and queued: {fmt(median)} "
          f"(runs: {', '.join(fmt(v) for v in values)})")
    median, values = median_of(RUNS, render_only)
    print(f"  of which rendering {GUIDES} mails: {fmt(median)} (runs: {', '.join(fmt(v) for v in values)})")
    median, values = median_of(RUNS, bare_insert)
    print(f"  floor, a bare COPY of the same {len(rows)} outbox rows: {fmt(median)} "
          f"(runs: {', '.join(fmt(v) for v in values)})")
    for n in (1, connections):
        median, values = median_of(max(2, RUNS - 2), lambda n=n: sender_over(n))
        print(f"sender to a local aiosmtpd over {n} connection(s): {median:.0f} mails/s "
              f"(runs: {', '.join(f'{v:.0f}' for v in values)})")
        median, values = median_of(max(2, RUNS - 2), lambda n=n: raw_smtp(n))
        print(f"  floor, the same mails raw over {n} smtplib connection(s): {median:.0f} mails/s "
              f"(runs: {', '.join(f'{v:.0f}' for v in values)})")


if __name__ == "__main__":
    main()
