"""Load-or-404 helpers that own the organization check (CONVENTIONS §2).

Every handler that takes an id from the URL loads the object through one of these. Another
organization's object answers 404 exactly like a missing one, so ids cannot be probed.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from server.accounts.models import Device, Membership, User, UserSession
from server.activities.models import Activity, PlenumEvent
from server.assignments.models import Assignment, AssignmentOffer, AssignmentRequest, PartnerInstitution
from server.coordinator.auth import current_org_id
from server.extensions import db
from server.guides.models import GuideProfile, Qualification
from sync.tables import Conflict

MAX_ID = 2**31 - 1  # an id column's range; a number from a form may be anything


def get_guide_or_404(user_id: int) -> tuple[User, GuideProfile]:
    """A guide of the current organization and their competence profile."""
    if not 0 < user_id <= MAX_ID:
        abort(404)
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


def get_activity_or_404(activity_id: str) -> Activity:
    """A live activity of the current organization."""
    activity = db.session.get(Activity, activity_id) if len(activity_id) <= 36 else None
    if activity is None or activity.organization_id != current_org_id() or activity.deleted_at is not None:
        abort(404)
    return activity


def get_conflict_or_404(conflict_id: str) -> Conflict:
    """A sync conflict of the current organization."""
    conflict = db.session.get(Conflict, conflict_id) if len(conflict_id) <= 36 else None
    if conflict is None or conflict.organization_id != current_org_id() or conflict.deleted_at is not None:
        abort(404)
    return conflict


def get_partner_or_404(partner_id: int) -> PartnerInstitution:
    partner = db.session.get(PartnerInstitution, partner_id)
    if partner is None or partner.organization_id != current_org_id():
        abort(404)
    return partner


def get_request_or_404(request_id: int) -> AssignmentRequest:
    row = db.session.get(AssignmentRequest, request_id)
    if row is None or row.organization_id != current_org_id():
        abort(404)
    return row


def get_assignment_or_404(assignment_id: str) -> Assignment:
    """A live assignment (agreement) of the current organization."""
    assignment = db.session.get(Assignment, assignment_id) if len(assignment_id) <= 36 else None
    if assignment is None or assignment.organization_id != current_org_id() or assignment.deleted_at is not None:
        abort(404)
    return assignment


def get_offer_or_404(assignment: Assignment, offer_id: int) -> AssignmentOffer:
    offer = db.session.get(AssignmentOffer, offer_id)
    if offer is None or offer.assignment_id != assignment.id or offer.organization_id != current_org_id():
        abort(404)
    return offer


def get_plenum_event_or_404(event_id: int) -> PlenumEvent:
    event = db.session.get(PlenumEvent, event_id)
    if event is None or event.organization_id != current_org_id():
        abort(404)
    return event
