"""Load-or-404 helpers that own the organization check (docs/ARCHITECTURE.md §4.2).

Every handler that takes an id from the URL loads the object through one of these. Another
organization's object answers 404 exactly like a missing one, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from server.accounts.models import Device, Membership, User, UserSession
from server.activities.models import Activity, PlenumEvent
from server.assignments.models import Assignment, AssignmentOffer, AssignmentRequest, PartnerInstitution
from server.coordinator.common.auth import current_org_id
from server.extensions import db
from server.guides.models import GuideProfile, Qualification
from sync.tables import Conflict

MAX_ID = 2**31 - 1  # an id column's range; a number from a form may be anything
T = TypeVar("T", bound=Any)


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


def get_in_org_or_404(model: type[T], row_id: int | str, live: bool = False) -> T:
    """The row of `model` with this id if it belongs to the current organization (and, with `live`,
    is not deleted); 404 otherwise, the same for a missing row as for another organization's. An id
    out of its column's range (a number past 2^31, a string past a UUID's 36 characters) is missing."""
    in_range = 0 < row_id <= MAX_ID if isinstance(row_id, int) else len(row_id) <= 36
    row = db.session.get(model, row_id) if in_range else None
    if row is None or row.organization_id != current_org_id() or (live and row.deleted_at is not None):
        abort(404)
    return row


def get_activity_or_404(activity_id: str) -> Activity:
    """A live activity of the current organization."""
    return get_in_org_or_404(Activity, activity_id, live=True)


def get_conflict_or_404(conflict_id: str) -> Conflict:
    """A sync conflict of the current organization."""
    return get_in_org_or_404(Conflict, conflict_id, live=True)


def get_partner_or_404(partner_id: int) -> PartnerInstitution:
    return get_in_org_or_404(PartnerInstitution, partner_id)


def get_request_or_404(request_id: int) -> AssignmentRequest:
    return get_in_org_or_404(AssignmentRequest, request_id)


def get_assignment_or_404(assignment_id: str) -> Assignment:
    """A live assignment (agreement) of the current organization."""
    return get_in_org_or_404(Assignment, assignment_id, live=True)


def get_offer_or_404(assignment: Assignment, offer_id: int) -> AssignmentOffer:
    offer = get_in_org_or_404(AssignmentOffer, offer_id)
    if offer.assignment_id != assignment.id:
        abort(404)
    return offer


def get_plenum_event_or_404(event_id: int) -> PlenumEvent:
    return get_in_org_or_404(PlenumEvent, event_id)
