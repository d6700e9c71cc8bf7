"""Mails in their recipient's language: rendered from `templates/mail/<kind>.{subject.txt,txt,html}`
and queued in the caller's transaction, with one audit event each (kind and recipient, never the body).

Links in mails are absolute, built on PUBLIC_URL (or the current request's address), so they work from
the command line (the digest) as from a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, has_request_context, request
from flask_babel import force_locale, get_translations
from flask_babel import lazy_gettext as _l
from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.audit.models import AuditEvent
from server.i18n import available_locales
from server.outbox.mail import mail_enabled
from server.outbox.models import OutboxMessage
from server.outbox.queue import NewMessage, queue_messages
from sync.bulk_insert import insert_many
from sync.clock import utcnow

templates = Blueprint("outbox", __name__, template_folder="templates")


def public_base_url() -> str:
    base = current_app.config.get("PUBLIC_URL") or (request.host_url if has_request_context() else "")
    return (base or "http://127.0.0.1:5000").rstrip("/")


def absolute_url(endpoint: str, **values: Any) -> str:
    """An address for a mail: the same from a request and from the command line."""
    parts = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return str(adapter.build(endpoint, values, force_external=True))


def recipient_locale(user: User) -> str:
    """The user's own language (a guide's app setting, a staff member's account), else the default."""
    locales = available_locales()
    if user.locale in locales:
        return str(user.locale)
    return str(current_app.config["DEFAULT_LOCALE"])


# Subjects live here rather than in templates: the catalogs are extracted from Python and HTML templates
# (locales/babel.cfg), and the plain-text templates repeat the HTML ones' strings.
SUBJECTS = {
    "staff_invitation": _l("Your Lotsenbuch account at %(org_name)s"),
    "password_reset": _l("Set a new Lotsenbuch password"),
    "enrolment_link": _l("Lotsenbuch on your phone"),
    "professional_help": _l("Needs professional help: a meeting of %(guide_name)s"),
    "daily_digest": _l("Lotsenbuch %(org_name)s: what waits for you on %(day)s"),
}


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def _environment(locale: str) -> Environment:
    """The app's Jinja environment with the locale's catalog installed directly, one per locale.

    Flask-Babel looks up the request's translations on every `_()` call in a template (several times a
    mail); a batch of 2,000 mails rendered that way takes seconds, this way milliseconds."""
    cache: dict[str, Environment] = current_app.extensions.setdefault("mail_environments", {})
    if locale not in cache:
        with force_locale(locale):
            translations = get_translations()
        env = current_app.jinja_env.overlay()
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        cache[locale] = env
    return cache[locale]


def render_mail(kind: str, locale: str, **context: Any) -> RenderedMail:
    env = _environment(locale)
    context.setdefault("locale", locale)
    subjects: dict[tuple[str, str], str] = current_app.extensions.setdefault("mail_subjects", {})
    if (kind, locale) not in subjects:
        with force_locale(locale):
            subjects[(kind, locale)] = str(SUBJECTS[kind])
    subject = " ".join((subjects[(kind, locale)] % {k: v for k, v in context.items() if isinstance(v, str)}).split())
    text = env.get_template(f"mail/{kind}.txt").render(**context).strip() + "\n"
    html = env.get_template(f"mail/{kind}.html").render(subject=subject, **context)
    return RenderedMail(subject=subject, text=text, html=html)


@dataclass(frozen=True)
class MailTo:
    """One mail to queue: its recipient, and what its template needs."""

    user: User
    context: dict[str, Any]
    dedupe_key: str | None = None


def queue_mails(session: Session, kind: str, organization_id: int | None, mails: Sequence[MailTo],
                actor_user_id: int | None = None) -> list[int]:
    """Render each mail in its recipient's language and queue it, in the caller's transaction.

    Nothing is queued while email is off (the desk shows links to hand over instead). A mail whose
    dedupe key was queued before is skipped. Returns the ids of the queued rows."""
    if not mails or not mail_enabled():
        return []
    from server.outbox.batch_render import MailShapes  # it renders through render_mail below

    shapes, messages = MailShapes(kind), []
    for mail in mails:
        locale = recipient_locale(mail.user)
        rendered = shapes.render(locale, mail.user, mail.context)
        messages.append(NewMessage(
            channel="mail", kind=kind, organization_id=organization_id, user_id=mail.user.id,
            address=mail.user.email, locale=locale, subject=rendered.subject, body_text=rendered.text,
            body_html=rendered.html, dedupe_key=mail.dedupe_key))
    ids = queue_messages(session, messages)
    if ids:
        queued = set(ids)
        # The recipient of each row written (a duplicate's row was skipped): one look-up, exact.
        recipients = dict(session.execute(select(OutboxMessage.id, OutboxMessage.user_id)
                                          .where(OutboxMessage.id.in_(queued))).all())
        now = utcnow()
        insert_many(session, AuditEvent.__table__, [
            {"action": "mail.queued", "organization_id": organization_id, "at": now, "actor_user_id": actor_user_id,
             "device_id": None, "object_type": "user", "object_id": str(recipients[i]),
             "details": {"kind": kind, "outbox_id": i}} for i in ids])
    return ids


def queue_mail(session: Session, kind: str, organization_id: int | None, user: User,
               actor_user_id: int | None = None, dedupe_key: str | None = None, **context: Any) -> int | None:
    ids = queue_mails(session, kind, organization_id, [MailTo(user, context, dedupe_key)], actor_user_id)
    return ids[0] if ids else None
