"""The confirmation mail to whoever filed a request on the public form, with the private status link.

Written in the language the form was filled in; the link is the only way back to the request's state.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from server.assignments.models import AssignmentRequest
from server.organizations.models import Organization
from server.outbox.mail import mail_enabled
from server.outbox.queue import NewMessage, queue_messages


@dataclass(frozen=True)
class ConfirmationMail:
    to: str
    subject: str
    body: str


def confirmation_mail(org: Organization, row: AssignmentRequest, to: str, status_url: str,
                      locale: str) -> ConfirmationMail:
    with force_locale(locale):
        subject = _("Your request to %(organization)s was received", organization=org.name)
        body = "\n\n".join((
            _("Thank you. %(organization)s has received your request for an integration guide "
              "(number %(number)s).", organization=org.name, number=row.id),
            _("You can see at any time how far it has got – received, in matching, guide found or closed – "
              "at this private address:"),
            status_url,
            _("Please keep this address to yourself: anyone who has it sees the state of the request "
              "(never names or other personal data). The coordination office will contact you by phone or "
              "email when a guide has been found."),
            _("This message was sent automatically because this address was entered on the request form. "
              "If you did not file a request, you can ignore it."),
        ))
    return ConfirmationMail(to=to, subject=subject, body=body)


def send_confirmation(session: Session, org: Organization, row: AssignmentRequest, to: str, status_url: str,
                      locale: str) -> bool:
    """Queue the confirmation in the outbox, in the same transaction as the request (the caller commits):
    it exists exactly when the request does. False when this installation sends no email (the page
    that thanks for the request shows the status link either way)."""
    if not mail_enabled():
        return False
    mail = confirmation_mail(org, row, to, status_url, locale)
    queue_messages(session, [NewMessage(
        channel="mail", kind="request_confirmation", organization_id=org.id, user_id=None, address=mail.to,
        locale=locale, subject=mail.subject, body_text=mail.body, dedupe_key=f"request-confirmation:{row.id}")])
    return True
