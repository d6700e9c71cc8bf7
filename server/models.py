"""Imports every model so that the metadata (and Alembic) sees all tables."""

from server.accounts.models import AccountToken, Device, EnrolmentCode, Membership, User, UserSession
from server.activities.models import Activity, PlenumAttendance, PlenumEvent
from server.assignments.models import (
    Assignment,
    AssignmentOffer,
    AssignmentRequest,
    Client,
    PartnerInstitution,
)
from server.audit.models import AuditEvent
from server.blobs.models import Blob
from server.courses.models import Course, CourseAttendance, CourseRegistration, CourseSession, CourseTrainer
from server.expenses.models import Claim, Expense, ExpenseReceipt
from server.guides.models import GuideLanguage, GuideProfile, Qualification
from server.messages.models import Message
from server.money.models import AllowanceLine, AllowanceRate, Certificate, Payout, PayoutItem, TaxFreeLimit
from server.organizations.models import MileageRate, Organization
from server.outbox.models import OutboxMessage
from server.public.models import PartnerLink, PublicProfile
from server.push.models import PushSubscription
from server.reminders.models import SentReminder
from sync.tables import AppliedMutation, Conflict, RecordHistory, SyncChange, SyncCounter

__all__ = [
    "AccountToken", "Activity", "AllowanceLine", "AllowanceRate", "AppliedMutation", "Assignment", "AssignmentOffer",
    "AssignmentRequest", "AuditEvent", "Blob", "Certificate", "PayoutItem", "TaxFreeLimit",
    "Claim", "Client", "Course", "CourseAttendance", "CourseRegistration", "CourseSession", "CourseTrainer", "Conflict", "Device", "EnrolmentCode", "Expense", "ExpenseReceipt", "GuideLanguage",
    "GuideProfile", "Membership", "Message", "MileageRate", "Organization", "OutboxMessage", "PartnerInstitution", "PartnerLink",
    "Payout", "PlenumAttendance", "PlenumEvent", "PublicProfile", "PushSubscription", "Qualification", "RecordHistory",
    "SentReminder", "SyncChange", "SyncCounter", "User", "UserSession",
]
