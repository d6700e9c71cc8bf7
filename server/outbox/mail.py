"""The mail channel: SMTP (or .eml files) through Flask-Mailman.

Whether email is on is decided here once (`mail_enabled`): MAIL_BACKEND, or `smtp` when MAIL_SERVER
is set. When it is off nothing is queued and the desk shows links to hand over instead.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from email.utils import parseaddr
from typing import Any

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail

from server.outbox.channels import SENT, Outcome, register_channel
from server.outbox.queue import ClaimedMessage

mail = Mail()

BACKENDS = {"smtp": "smtp", "file": "server.outbox.eml_backend.EmailBackend"}


def mail_backend(app: Flask | None = None) -> str:
    """`smtp`, `file` or `off`."""
    config = (app or current_app).config
    chosen = (config.get("MAIL_BACKEND") or "").strip().lower()
    if chosen in ("smtp", "file", "off"):
        return chosen
    return "smtp" if config.get("MAIL_SERVER") else "off"


def mail_enabled(app: Flask | None = None) -> bool:
    return mail_backend(app) != "off"


def init_mail(app: Flask) -> None:
    # Flask-Mailman reads MAIL_* from the config; an unknown MAIL_BACKEND value would fail at send time,
    # so the backend is passed explicitly to every connection (`_connection`).
    mail.init_app(app)
    register_channel("mail", send_mails)
    from server.outbox.render import templates

    app.register_blueprint(templates)


def sender_domain() -> str:
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2] or "localhost"


def message_id(outbox_id: int) -> str:
    """Stable per outbox row: a resent message (lost lease, retry) is recognisably the same mail."""
    return f"<lotsenbuch.outbox.{outbox_id}@{sender_domain()}>"


def build_email(message: ClaimedMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body_text, from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[message.address],
        headers={"Message-ID": message_id(message.id), "Content-Language": message.locale,
                 "Auto-Submitted": "auto-generated"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _connection() -> Any:
    return mail.get_connection(backend=BACKENDS[mail_backend()], fail_silently=False)


def _smtp_code(exc: BaseException) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return max(codes) if codes else None
    code = getattr(exc, "smtp_code", None)
    return code if isinstance(code, int) else None


def classify(exc: BaseException) -> Outcome:
    """5xx is permanent; 4xx, a refused or dropped connection and timeouts are temporary."""
    code = _smtp_code(exc)
    text = f"{exc.__class__.__name__}: {exc}"[:500]
    return Outcome(ok=False, permanent=code is not None and 500 <= code < 600, error=text)


def send_mails(messages: Sequence[ClaimedMessage]) -> list[Outcome]:
    """Send a batch over MAIL_CONNECTIONS connections at once, each its share of the batch in turn: the
    SMTP round trips (MAIL, RCPT, DATA) of one connection overlap the others' (bench/README.md)."""
    if mail_backend() == "off":
        return [Outcome(ok=False, error="email is off (MAIL_BACKEND/MAIL_SERVER)") for _ in messages]
    connections = max(1, min(int(current_app.config["MAIL_CONNECTIONS"]), len(messages) // 10 or 1))
    if connections == 1:
        return send_over_one_connection(messages)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    shares = [messages[i::connections] for i in range(connections)]

    def send_share(share: Sequence[ClaimedMessage]) -> list[Outcome]:
        with app.app_context():
            return send_over_one_connection(share)

    with ThreadPoolExecutor(max_workers=connections, thread_name_prefix="smtp") as pool:
        results = list(pool.map(send_share, shares))
    outcomes: list[Outcome] = [SENT] * len(messages)
    for i, result in enumerate(results):
        outcomes[i::connections] = result
    return outcomes


def send_over_one_connection(messages: Sequence[ClaimedMessage]) -> list[Outcome]:
    """Send over one connection. A lost connection leaves the rest for a later attempt."""
    outcomes: list[Outcome] = []
    connection = _connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        return [classify(exc)] * len(messages)
    try:
        for message in messages:
            try:
                if not connection.send_messages([build_email(message)]):
                    raise smtplib.SMTPServerDisconnected("the connection was lost")
            except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError) as exc:
                outcomes.append(classify(exc))
                break
            except (OSError, smtplib.SMTPException) as exc:
                outcomes.append(classify(exc))
                _reset(connection)
            else:
                outcomes.append(SENT)
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            pass
    rest = len(messages) - len(outcomes)
    if rest:
        outcomes.extend([Outcome(ok=False, error=outcomes[-1].error)] * rest)
    return outcomes


def _reset(connection: Any) -> None:
    """After a refused message, RSET so that the next one starts a clean transaction."""
    smtp = getattr(connection, "connection", None)
    if smtp is not None:
        try:
            smtp.rset()
        except (OSError, smtplib.SMTPException):
            pass
