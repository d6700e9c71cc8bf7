"""One-time links to choose a password: invitations of new staff and password resets.

A link carries a random token; only its SHA-256 is stored (`AccountToken`). Redeeming checks it is
known, unused, not expired and the newest of its purpose for that user, then marks it used in the
same transaction as the new password, which also ends every session of the user.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.accounts.models import AccountToken, User, UserSession
from server.accounts.operations import AccountError, hash_secret
from server.accounts.passwords import hash_password
from sync.clock import utcnow

INVITATION_LIFETIME = dt.timedelta(hours=72)
RESET_LIFETIME = dt.timedelta(hours=1)
LIFETIMES = {"invitation": INVITATION_LIFETIME, "password_reset": RESET_LIFETIME}
MIN_PASSWORD_LENGTH = 10


class TokenRefused(AccountError):
    """The link is unknown, used already, expired or replaced by a newer one (one clear page for all)."""


def issue_token(session: Session, user: User, purpose: str, created_by: User | None = None) -> str:
    """A new link's token; the user's older unused links of the same purpose stop working."""
    now = expire_older_tokens(session, user.id, purpose)
    token = secrets.token_urlsafe(32)
    session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=hash_secret(token),
                             expires_at=now + LIFETIMES[purpose], created_by_id=created_by.id if created_by else None))
    session.flush()
    return token


def expire_older_tokens(session: Session, user_id: int | None, purpose: str) -> dt.datetime:
    """End the user's unused links of this purpose (None: nobody, the same statement for a stand-in)."""
    now = utcnow()
    session.execute(update(AccountToken).where(
        AccountToken.user_id == (user_id if user_id is not None else -1), AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None), AccountToken.expires_at > now).values(expires_at=now))
    return now


def find_token(session: Session, token: str) -> AccountToken:
    """The link's row if it may still be used; TokenRefused otherwise."""
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == hash_secret(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise TokenRefused(_("This link was used already or has expired."))
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise TokenRefused(_("This link was used already or has expired."))
    return row


def check_new_password(password: str, confirmation: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("The password must have at least 10 characters."))
    if password != confirmation:
        raise AccountError(_("The two passwords are not the same."))


def end_all_sessions(session: Session, user: User) -> int:
    """Every browser signed in as the user is signed out, on every host (the generation changes)."""
    result = session.execute(update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)).values(revoked_at=utcnow()))
    user.session_generation += 1
    return int(getattr(result, "rowcount", 0) or 0)


def redeem_token(session: Session, token: str, password: str, confirmation: str) -> tuple[User, AccountToken, int]:
    """Set the password through a link: the link is used up and every session of the user ends.

    The row is marked used with a conditional UPDATE, so two submissions racing each other cannot both
    succeed. Returns the user, the token row and how many sessions ended."""
    row = find_token(session, token)
    check_new_password(password, confirmation)
    now = utcnow()
    result = session.execute(update(AccountToken).where(
        AccountToken.id == row.id, AccountToken.used_at.is_(None)).values(used_at=now)
        .execution_options(synchronize_session=False))
    if not getattr(result, "rowcount", 0):
        raise TokenRefused(_("This link was used already or has expired."))
    user = session.get(User, row.user_id)
    assert user is not None
    user.password_hash = hash_password(password)
    ended = end_all_sessions(session, user)
    session.flush()
    return user, row, ended
