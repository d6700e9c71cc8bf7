"""A partner institution that files often is remembered by its email: it asks for a one-time link on the
request form, and the link opens the form filled with its details (institution, contact person, email,
phone) — no account, no password. The link goes only to an email a request from this organization's
form came from; the page says the same whether or not the address is known, so nobody learns which
institutions file. Tokens are random, stored as hashes, valid once and for LINK_DAYS."""

from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.assignments.models import AssignmentRequest, PartnerInstitution
from server.organizations.models import Organization
from server.outbox.mail import mail_enabled
from server.outbox.queue import NewMessage, queue_messages
from server.public.models import PartnerLink
from server.public.requests import token_hash
from sync.clock import utcnow

LINK_DAYS = 7


def known_partner(session: Session, organization_id: int, email: str) -> PartnerInstitution | None:
    """The partner that most recently filed on this organization's web form from this email."""
    return session.scalar(
        select(PartnerInstitution).join(AssignmentRequest, AssignmentRequest.partner_id == PartnerInstitution.id)
        .where(PartnerInstitution.organization_id == organization_id, AssignmentRequest.source == "web_form",
               func.lower(PartnerInstitution.contact_email) == email.strip().lower())
        .order_by(AssignmentRequest.id.desc()).limit(1))


def send_link(session: Session, org: Organization, email: str, form_url: str, locale: str) -> None:
    """Queue the link mail when the address is a known partner's (the caller commits); nothing otherwise."""
    partner = known_partner(session, org.id, email)
    if partner is None or not mail_enabled():
        return
    token = secrets.token_urlsafe(24)
    session.add(PartnerLink(organization_id=org.id, partner_id=partner.id, token_hash=token_hash(token),
                            expires_at=utcnow() + dt.timedelta(days=LINK_DAYS)))
    session.flush()
    with force_locale(locale):
        subject = _("Your link to the request form of %(organization)s", organization=org.name)
        body = "\n\n".join((
            _("This link opens the request form of %(organization)s with your institution's details filled in. "
              "It works once, for %(days)s days:", organization=org.name, days=LINK_DAYS),
            f"{form_url}?key={token}",
            _("This message was sent automatically because this address was entered on the request form. "
              "If you did not ask for it, you can ignore it."),
        ))
    queue_messages(session, [NewMessage(
        channel="mail", kind="partner_link", organization_id=org.id, user_id=None, address=partner.contact_email,
        locale=locale, subject=subject, body_text=body, dedupe_key=f"partner-link:{token_hash(token)}")])


def redeem(session: Session, organization_id: int, token: str) -> PartnerInstitution | None:
    """The partner a valid, unused link of this organization stands for; the link is used up."""
    if not token or len(token) > 100:
        return None
    link = session.scalar(select(PartnerLink).where(PartnerLink.token_hash == token_hash(token),
                                                    PartnerLink.organization_id == organization_id))
    if link is None or link.used_at is not None or _aware(link.expires_at) < utcnow():
        return None
    link.used_at = utcnow()
    return session.get(PartnerInstitution, link.partner_id)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
