"""Plugs the server's models into the sync engine: one binding per wire record type."""

from __future__ import annotations

from server.activities.sync_binding import ActivityBinding
from server.assignments.models import AssignmentOffer
from server.assignments.sync_binding import AssignmentBinding
from server.courses.models import CourseSession
from server.courses.sync_binding import AttendanceBinding, CourseBinding, CourseRegistrationBinding
from server.expenses.models import ExpenseReceipt
from server.expenses.sync_binding import ClaimBinding, ExpenseBinding
from server.guides.models import GuideLanguage, Qualification
from server.guides.sync_binding import ProfileBinding
from server.messages.sync_binding import MessageBinding
from server.organizations.models import MileageRate
from server.organizations.sync_binding import OrganizationBinding
from sync.conflicts import ConflictBinding
from sync.registry import ChildLink, register


def register_bindings() -> None:
    register(ActivityBinding())
    register(ExpenseBinding(), {ExpenseReceipt: ChildLink("expense", "expense_id", "receipts")})
    register(ClaimBinding())
    register(AssignmentBinding(), {AssignmentOffer: ChildLink("assignment", "assignment_id", "response")})
    register(ProfileBinding(), {GuideLanguage: ChildLink("profile", "profile_id", "languages"),
                                Qualification: ChildLink("profile", "profile_id", "qualifications")})
    register(OrganizationBinding(), {MileageRate: ChildLink("organization", "organization_id", "mileage_rates")})
    register(ConflictBinding())
    register(MessageBinding())
    register(CourseBinding(), {CourseSession: ChildLink("course", "course_id", "sessions")})
    register(CourseRegistrationBinding())
    register(AttendanceBinding())
