"""The vocabulary of the access matrix (test_access_matrix.py): the objects a route addresses and its rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from server.accounts.models import Membership
from server.extensions import db

# Routes anyone may use (they sign in or only set the language).
PUBLIC = {"coordinator.login", "coordinator.login_code", "coordinator.set_language", "coordinator.static",
          "coordinator.forgot_password", "coordinator.set_password"}


@dataclass
class Objects:
    """One organization's objects addressed by URLs."""

    guide_id: int
    device_id: str
    qualification_id: int
    session_id: str  # a session of that organization's coordinator
    activity_id: str = ""  # an activity of that organization's guide
    conflict_id: str = ""  # an open conflict on it
    partner_id: int = 0  # requests, assignments and plenum (request_views.py, plenum_views.py)
    request_id: int = 0
    assignment_id: str = ""  # offered to that organization's guide
    offer_id: int = 0
    plenum_id: int = 0
    course_id: str = ""  # a course with one session and one registration (course_views.py)
    course_session_id: int = 0
    registration_id: str = ""


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: Callable[[Objects], str]
    takes_object: bool = True
    admin_only: bool = False
    refused_status: int = 404  # what a non-admin gets on an admin-only route (the set-up pages say 403)
    data: dict[str, Any] | None = None


def org_of(guide_id: int) -> int:
    return db.session.scalar(select(Membership.organization_id).where(Membership.user_id == guide_id))
