"""Creating organizations and users, issuing enrolment codes, revoking devices.

Shared by the CLI and the coordinator pages; each function validates its input and raises
`AccountError` with a translatable message instead of letting the database refuse it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from server.accounts.models import Device, EnrolmentCode, Membership, User, UserSession
from server.accounts.passwords import hash_password
from server.extensions import db
from server.guides.models import GuideProfile
from server.organizations.models import Organization
from sync.clock import utcnow
from sync.vocabulary import ROLES

# The roles that work at the desk (guides never sign in there).
STAFF_ROLES = ("coordinator", "admin")

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
# Enrolment codes are typed on phones: no 0/O or 1/I/L to misread.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


class AccountError(ValueError):
    pass


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def create_organization(slug: str, name: str) -> Organization:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise AccountError(_("The slug may contain only lowercase letters, digits and hyphens (2–63 characters)."))
    if not name.strip():
        raise AccountError(_("The name must not be empty."))
    if db.session.scalar(select(Organization).where(Organization.slug == slug)):
        raise AccountError(_("An organization with the slug %(slug)s exists already.", slug=slug))
    org = Organization(slug=slug, name=name.strip())
    db.session.add(org)
    db.session.flush()
    return org


def get_organization(slug: str) -> Organization:
    org = db.session.scalar(select(Organization).where(Organization.slug == slug.strip().lower()))
    if org is None:
        raise AccountError(_("There is no organization with the slug %(slug)s.", slug=slug))
    return org


def create_user(org: Organization, email: str, role: str, name: str, password: str | None = None,
                locale: str | None = None, invited: bool = False) -> User:
    """A user with one role in `org`; guides also get an (empty) competence profile.

    Staff get a password (the CLI, for the very first admin), or are `invited`: they choose it themselves
    through a one-time link (server/accounts/invitations.py)."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise AccountError(_("%(email)s is not a valid email address.", email=email))
    if role not in ROLES:
        raise AccountError(_("Unknown role %(role)s; use one of: %(roles)s.", role=role, roles=", ".join(ROLES)))
    if not name.strip():
        raise AccountError(_("The name must not be empty."))
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(_("A user with the email %(email)s exists already.", email=email))
    if role in ("coordinator", "admin") and not invited:
        if not password:
            raise AccountError(_("Coordinators and admins need a password."))
    if password is not None and role in ("coordinator", "admin"):
        if len(password) < 10:
            raise AccountError(_("The password must have at least 10 characters."))
    user = User(email=email, name=name.strip(), locale=locale,
                password_hash=hash_password(password) if password else None)
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, organization_id=org.id, role=role))
    db.session.flush()
    if role == "guide":
        db.session.add(GuideProfile(user_id=user.id, organization_id=org.id))
        db.session.flush()
    return user


def get_user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise AccountError(_("There is no user with the email %(email)s.", email=email))
    return user


def guide_membership(user: User) -> Membership:
    membership = next((m for m in user.memberships if m.role == "guide"), None)
    if membership is None:
        raise AccountError(_("%(email)s is not a guide.", email=user.email))
    return membership


def issue_enrolment_code(user: User, created_by: User | None = None) -> str:
    """A new one-time code for one of the guide's phones; only its hash is stored."""
    membership = guide_membership(user)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    days = current_app.config["ENROLMENT_CODE_DAYS"]
    db.session.add(EnrolmentCode(
        user_id=user.id, organization_id=membership.organization_id, code_hash=hash_secret(code),
        expires_at=utcnow() + dt.timedelta(days=days), created_by_id=created_by.id if created_by else None,
    ))
    db.session.flush()
    return code


def format_code(code: str) -> str:
    """Groups of four, easier to read aloud and type: ABCD-EFGH-JKMN."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def enrolment_link(code: str, base_url: str) -> str:
    # The code travels in the fragment, so it never reaches a server log.
    return f"{base_url.rstrip('/')}/enroll#code={format_code(code)}"


def revoke_devices(user: User) -> int:
    """Revoke every active device of the guide; returns how many were revoked."""
    guide_membership(user)
    now = utcnow()
    devices = db.session.scalars(select(Device).where(Device.user_id == user.id, Device.revoked_at.is_(None))).all()
    for device in devices:
        device.revoked_at = now
    db.session.flush()
    return len(devices)


def deactivate_user(user: User) -> int:
    """The user can no longer sign in, and every open session ends now; returns how many ended.

    Bumping the session generation makes the user loader refuse every existing cookie, on any host."""
    now = utcnow()
    sessions = db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None))).all()
    for row in sessions:
        row.revoked_at = now
    user.active = False
    user.session_generation += 1
    db.session.flush()
    return len(sessions)


def staff_membership(user: User) -> Membership | None:
    """The user's coordinator or admin membership, if any (guides never sign in at the desk)."""
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.role.in_(STAFF_ROLES))
        .order_by(Membership.id).limit(1)
    )


def may_sign_in(user: User | None) -> bool:
    """Whether this account may sign in at the desk: active, and staff of some organization."""
    return user is not None and user.active and staff_membership(user) is not None
