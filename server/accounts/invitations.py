"""Staff accounts by mail: invitations, "forgot my password", a reset an admin sends.

Each function works in the caller's transaction: the token and its mail (server/outbox/) are written
together or not at all. With email off the caller gets the link to hand over instead; nobody but
its owner ever types a staff password.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.accounts.operations import create_user, hash_secret
from server.accounts.tokens import INVITATION_LIFETIME, RESET_LIFETIME, expire_older_tokens, issue_token
from server.organizations.models import Organization
from server.outbox.mail import mail_enabled
from server.outbox.render import absolute_url, public_base_url, queue_mail, render_mail


@dataclass(frozen=True)
class LinkIssued:
    user: User
    link: str
    mailed: bool


def set_password_link(token: str) -> str:
    return absolute_url("coordinator.set_password", token=token)


def invite_staff(session: Session, org: Organization, name: str, email: str, role: str,
                 invited_by: User) -> LinkIssued:
    """A new coordinator (or admin) without a password, and a 72-hour link to choose one."""
    user = create_user(org, email, role, name, invited=True)
    token = issue_token(session, user, "invitation", created_by=invited_by)
    link = set_password_link(token)
    outbox_id = queue_mail(session, "staff_invitation", org.id, user, actor_user_id=invited_by.id, link=link,
                           org_name=org.name, inviter_name=invited_by.name,
                           hours=int(INVITATION_LIFETIME.total_seconds() // 3600),
                           login_url=absolute_url("coordinator.login"))
    return LinkIssued(user=user, link=link, mailed=outbox_id is not None)


def send_reset_link(session: Session, user: User, organization_id: int | None,
                    by_admin: User | None = None) -> LinkIssued:
    """A one-hour link to set a new password (asked for by the user, or sent by an admin)."""
    token = issue_token(session, user, "password_reset", created_by=by_admin)
    link = set_password_link(token)
    outbox_id = queue_mail(session, "password_reset", organization_id, user,
                           actor_user_id=by_admin.id if by_admin else None, link=link, by_admin=by_admin is not None,
                           minutes=int(RESET_LIFETIME.total_seconds() // 60))
    return LinkIssued(user=user, link=link, mailed=outbox_id is not None)


# "Forgot my password" answers no sooner than this, known address or not: the writes of a real reset (token,
# outbox row, audit events) fit well inside it, so the answer's time does not tell which addresses exist.
RESET_ANSWER_FLOOR = 0.25  # seconds


def request_reset(session: Session, email: str) -> User | None:
    """"Forgot my password": a link if the address belongs to an active staff member; nothing otherwise.
    The caller answers the same either way, and no sooner than `answer_floor`. An unknown address costs the
    same computation as a known one (a token hashed, the mail rendered in the default language, the same
    look-ups); only the rows are not written. Returns the user (for the audit log) or None."""
    from server.accounts.operations import may_sign_in, staff_membership

    if not mail_enabled():
        return None
    address = email.strip().lower()
    user = session.scalar(select(User).where(User.email == address))
    if user is None or not may_sign_in(user):
        _stand_in_reset(session, address)
        return None
    membership = staff_membership(user)
    send_reset_link(session, user, membership.organization_id if membership else None)
    return user


def _stand_in_reset(session: Session, address: str) -> None:
    """What `send_reset_link` computes, for nobody: the older-links update (it matches no row), a token and
    its hash, the rendered mail. Nothing is written."""
    expire_older_tokens(session, None, "password_reset")
    hash_secret(secrets.token_urlsafe(32))
    render_mail("password_reset", str(current_app.config["DEFAULT_LOCALE"]),
                recipient=User(name="", email=address), link=set_password_link(secrets.token_urlsafe(32)),
                by_admin=False, minutes=int(RESET_LIFETIME.total_seconds() // 60))


def answer_floor(started: float) -> None:
    """Wait until RESET_ANSWER_FLOOR seconds have passed since `started` (a `time.perf_counter()`)."""
    left = RESET_ANSWER_FLOOR - (time.perf_counter() - started)
    if left > 0:
        time.sleep(left)


def mail_enrolment_link(session: Session, guide: User, org: Organization, sent_by: User) -> int | None:
    """A fresh one-time enrolment code (ENROLMENT_CODE_DAYS), mailed to the guide in her language.
    Returns the outbox id, or None when email is off (then no code is issued)."""
    from flask import current_app

    from server.accounts.operations import enrolment_link, format_code, issue_enrolment_code

    if not mail_enabled():
        return None
    code = issue_enrolment_code(guide, created_by=sent_by)
    base = public_base_url()
    return queue_mail(session, "enrolment_link", org.id, guide, actor_user_id=sent_by.id,
                      link=enrolment_link(code, base), code=format_code(code), enroll_url=f"{base}/enroll",
                      org_name=org.name, days=current_app.config["ENROLMENT_CODE_DAYS"])
