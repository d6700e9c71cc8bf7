"""Signing coordinators in and out; who may see which organization.

A signed-in browser is a `UserSession` row. The (signed) session cookie carries the row's id and the
user's session generation; the user loader refuses the cookie when the row was signed out or the
generation was bumped ("sign out everywhere"). Nothing is kept in process memory, so any host of a
cluster can check any session.

Roles: a coordinator sees their one organization; an admin sees every organization and picks the one
they work on (kept in the session). `current_org_id()` is the one place that decides; the
`get_<thing>_or_404` helpers in `server/coordinator/common/access.py` build on it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

import pyotp
from flask import Flask, abort, g, request, session
from flask_babel import lazy_gettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update

from server.accounts.models import Membership, User, UserSession
from server.accounts.operations import STAFF_ROLES, may_sign_in, staff_membership  # noqa: F401 - also the desk's names
from server.extensions import db, login_manager
from server.organizations.models import Organization
from sync.clock import utcnow
from sync.merge import Author

# How often a session's "last seen" is written (not on every request).
LAST_SEEN_EVERY = dt.timedelta(minutes=1)
# How long the step between password and TOTP code may take.
TOTP_PENDING_SECONDS = 300


def init_login(app: Flask) -> None:
    login_manager.login_view = "coordinator.login"
    login_manager.login_message = lazy_gettext("Please sign in.")
    login_manager.login_message_category = "info"

    @app.before_request
    def forget_previous_user() -> None:
        # An app context can outlive a request (tests, CLI); each request loads its user afresh.
        g.pop("_login_user", None)
        g.pop("staff_membership", None)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or session.get("gen") != user.session_generation:
            return None
        row = db.session.get(UserSession, session.get("sid") or "")
        if row is None or row.user_id != user.id or row.revoked_at is not None \
                or row.generation != user.session_generation:
            return None
        now = utcnow()
        if now - row.last_seen_at > LAST_SEEN_EVERY:
            db.session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
            db.session.commit()
        return user


def is_admin() -> bool:
    membership = _membership()
    return membership is not None and membership.role == "admin"


def current_author() -> Author:
    """The signed-in staff member as the author of a sync operation (an admin's rules are wider)."""
    return Author(role="admin" if is_admin() else "coordinator", user_id=current_user.id)


def _membership() -> Membership | None:
    if "staff_membership" not in g:
        g.staff_membership = staff_membership(current_user) if current_user.is_authenticated else None
    return g.staff_membership  # type: ignore[no-any-return]


def current_org_id() -> int:
    """The organization this request works on: the coordinator's own, or the one an admin picked."""
    membership = _membership()
    if membership is None:
        abort(403)
    if membership.role == "admin":
        chosen = session.get("org_id")
        if isinstance(chosen, int) and db.session.get(Organization, chosen) is not None:
            return chosen
    return membership.organization_id


def current_org() -> Organization:
    org = db.session.get(Organization, current_org_id())
    assert org is not None
    return org


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in as a coordinator or admin; anyone else goes to the sign-in page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or _membership() is None:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @staff_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not is_admin():
            abort(404)
        return view(*args, **kwargs)

    return wrapped


# ------------------------------------------------------------------ password and TOTP

def start_session(user: User) -> UserSession:
    """Sign the user in: a new session row, its id and the generation in the cookie."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, generation=user.session_generation,
                      user_agent=(request.user_agent.string or "")[:300])
    db.session.add(row)
    # "New since my last visit" counts from the previous sign-in.
    previous = user.last_sign_in_at
    session["since"] = previous.isoformat() if previous else None
    user.last_sign_in_at = utcnow()
    db.session.commit()
    session["sid"] = row.id
    session["gen"] = user.session_generation
    login_user(user)
    return row


def end_session() -> None:
    sid = session.get("sid")
    if sid:
        db.session.execute(update(UserSession).where(UserSession.id == sid).values(revoked_at=utcnow()))
        db.session.commit()
    logout_user()
    session.clear()


def sign_out_everywhere_else(user: User) -> int:
    """Bump the generation (every other cookie stops working) and keep this browser signed in."""
    now = utcnow()
    sid = session.get("sid")
    result = db.session.execute(update(UserSession).where(
        UserSession.user_id == user.id, UserSession.id != sid, UserSession.revoked_at.is_(None),
    ).values(revoked_at=now))
    user.session_generation += 1
    db.session.execute(update(UserSession).where(UserSession.id == sid).values(generation=user.session_generation))
    db.session.commit()
    session["gen"] = user.session_generation
    return int(getattr(result, "rowcount", 0) or 0)


def active_sessions(user: User) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
        UserSession.generation == user.session_generation,
    ).order_by(UserSession.last_seen_at.desc())))


def totp_step(at: dt.datetime | None = None) -> int:
    return int((at or utcnow()).timestamp()) // 30


def verify_totp(user: User, secret: str, code: str) -> bool:
    """Check a 6-digit code (±1 step for clock drift) that was not used before; remember its step."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for offset in (0, -1, 1):
        at = now + dt.timedelta(seconds=30 * offset)
        step = totp_step(at)
        if secrets.compare_digest(totp.at(at), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # this code (or an older one) was used already
            user.totp_last_step = step
            return True
    return False
