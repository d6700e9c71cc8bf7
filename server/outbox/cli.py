"""`flask --app server send-mail`: the outbox sender, as a loop (systemd, a container) or once (cron)."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click
from flask import Flask, current_app
from flask_babel import gettext as _

from server.outbox.mail import mail_backend
from server.outbox.sender import run_forever, send_due


def register_outbox_cli(app: Flask) -> None:
    @app.cli.command("send-mail")
    @click.option("--once", is_flag=True, help="Send what is due now and exit (for cron and tests).")
    def send_mail(once: bool) -> None:
        """Deliver the outbox: every due mail (and push message); runs until stopped unless --once."""
        backend = mail_backend()
        if backend == "file":
            click.echo(_("Mail goes to files in %(folder)s (MAIL_BACKEND=file).",
                         folder=current_app.config["MAIL_FILE_PATH"]))
        elif backend == "off":
            click.echo(_("Email is off (set MAIL_SERVER, or MAIL_BACKEND=file); mails are not sent."))
        if once:
            report = send_due()
            click.echo(_("%(sent)s sent, %(retrying)s to retry later, %(failed)s given up.",
                         sent=report.sent, retrying=report.retrying, failed=report.failed))
            return
        stop = threading.Event()

        def _stop(signum: int, frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        run_forever(stop)

    @app.cli.command("send-digest")
    def send_digest() -> None:
        """Queue today's digest for every coordinator who wants it (for cron; once per person and day)."""
        from server.extensions import db
        from server.outbox.alerts import queue_daily_digests

        if backend_off():
            click.echo(_("Email is off (set MAIL_SERVER, or MAIL_BACKEND=file); no digest is queued."))
            return
        queued = queue_daily_digests(db.session)
        db.session.commit()
        for slug, count in queued.items():
            click.echo(_("%(org)s: %(count)s digest(s) queued", org=slug, count=count))
        click.echo(_("%(count)s digest(s) queued; `send-mail` delivers them.", count=sum(queued.values())))


def backend_off() -> bool:
    return mail_backend() == "off"
