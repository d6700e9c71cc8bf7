"""Load-or-404 helpers that own the organization check (CONVENTIONS §2).

Every handler that takes an id from the URL loads the object through one of these. Another
organization's object answers 404 exactly like a missing one, so ids cannot be probed.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from server.accounts.models import Device, Membership, User, UserSession
from server.coordinator.auth import current_org_id
from server.extensions import db
from server.guides.models import GuideProfile, Qualification


def get_guide_or_404(user_id: int) -> tuple[User, GuideProfile]:
    """A guide of the current organization and their competence profile."""
    row = db.session.execute(
        select(User, GuideProfile)
        .join(Membership, Membership.user_id == User.id)
        .join(GuideProfile, GuideProfile.user_id == User.id)
        .where(User.id == user_id, Membership.organization_id == current_org_id(), Membership.role == "guide",
               GuideProfile.organization_id == current_org_id())
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def get_device_or_404(guide: User, device_id: str) -> Device:
    device = db.session.get(Device, device_id)
    if device is None or device.user_id != guide.id or device.organization_id != current_org_id():
        abort(404)
    return device


def get_qualification_or_404(profile: GuideProfile, qualification_id: int) -> Qualification:
    qualification = db.session.get(Qualification, qualification_id)
    if qualification is None or qualification.profile_id != profile.id \
            or profile.organization_id != current_org_id():
        abort(404)
    return qualification


def get_own_session_or_404(session_id: str) -> UserSession:
    """One of the signed-in user's own sessions (never another user's)."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    return row
