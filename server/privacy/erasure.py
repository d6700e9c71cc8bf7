"""Erasure of a guide (DSGVO Art. 17): personal data removed or anonymised, booking records restricted.

The rules, in one place:

* **The person** (`users`): name → "Gelöschte Person #<id>", email → `erased-<id>@erased.invalid`
  (unique, never deliverable), password, TOTP secret and language preference removed, the account
  deactivated, `erased_at` set. The row itself stays: activities, expenses and the audit log point to it.
* **Competence profile**: phone, IBAN, BIC, account holder, availability, the coordinator's notes,
  languages, specialisations, districts, hour limit and qualifications removed. No per-person language
  figures are kept; counts of activities per language come from assignments, which stay.
* **Devices** are revoked (the phones get 401 `device_revoked` on their next sync) and unused enrolment
  codes deleted.
* **Activities** stay for the organization's statistics (date, minutes, kind, district), but their notes
  are cleared and the "needs professional help" flag reset.
* **Messages** from the desk to the guide are deleted (tombstones, their text replaced by "–": a
  coordinator's message may name her or her clients); the sync history of them loses its values.
* **Sync conflicts** of the guide lose both values; the **sync history** of the guide's activities,
  profile and conflicts loses its values (only which fields changed is kept — all the merge needs).
* **Money** — expenses, claims, their receipts and the payouts they went into — is *not* deleted:
  § 147 AO (and § 257 HGB) require booking records for 10 years. They are *restricted* (Art. 18,
  Art. 17 (3) (b)): `restricted_until` is set to the end of the retention period (31 Dec of the record's
  year + the organization's `booking_retention_years`, 10 by default), and only the finance view may
  show them until then; the guide's page and timeline no longer do.
* Erasure is refused while money is still owed to the guide (expenses submitted or approved but not yet
  paid): settle or reject them first, otherwise the payout would lack the account.
* **Certificates** the organization issued to the guide are *revoked and anonymised*: the name on them
  becomes "Gelöschte Person #<id>", their qualifications are removed, and the public check
  (/verify/<token>) says "revoked, no longer valid" without any name or fact (a revoked certificate
  confirms nothing). The hours, period and issuer stay in the row for the organization's statistics.
  Only if the coordinator records that the guide asked to keep them (`keep_certificates`, a checkbox on
  the erasure form) do they stay valid, with the name, as issued — the guide's own wish (Art. 17 (1)
  applies at her request, and she may want proof of her volunteering); the audit event says so.
* The audit log keeps the event `guide.erased` with counts only — never the erased name or email.

Everything changes in the caller's transaction; synced records go through the session hooks, so every
remaining device of the guide (if any were not revoked) would receive the anonymised state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from server.accounts.models import Device, EnrolmentCode, User
from server.activities.models import Activity
from server.expenses.models import Claim, Expense
from server.guides.models import GuideLanguage, GuideProfile, Qualification
from server.messages.models import Message
from server.money.models import Certificate
from server.organizations.models import Organization
from sync import feed
from sync.clock import utcnow
from sync.merge import Author
from sync.tables import Conflict, RecordHistory

ERASED_NAME = "Gelöschte Person #{id}"
ERASED_EMAIL = "erased-{id}@erased.invalid"
ERASED_TEXT = "–"  # a message's body may not be empty (its check constraint)


class ErasureRefused(ValueError):
    def __init__(self, code: str, count: int = 0) -> None:
        super().__init__(code)
        self.code, self.count = code, count


@dataclass
class ErasureSummary:
    devices_revoked: int = 0
    activities_cleared: int = 0
    conflicts_cleared: int = 0
    messages_deleted: int = 0
    expenses_restricted: int = 0
    claims_restricted: int = 0
    history_entries_cleared: int = 0
    certificates_revoked: int = 0
    certificates_kept: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def erased_name(user_id: int) -> str:
    return ERASED_NAME.format(id=user_id)


def unpaid_expenses(session: Session, organization_id: int, guide_id: int) -> int:
    return len(session.scalars(select(Expense.id).where(
        Expense.organization_id == organization_id, Expense.guide_id == guide_id, Expense.deleted_at.is_(None),
        Expense.state.in_(("submitted", "approved")))).all())


def restricted_until(record_day: dt.date, years: int) -> dt.date:
    """End of the retention period: it starts with the end of the record's calendar year (§ 147 (4) AO)."""
    return dt.date(record_day.year + years, 12, 31)


def erase_guide(session: Session, author: Author, organization: Organization, guide: User,
                profile: GuideProfile, keep_certificates: bool = False) -> ErasureSummary:
    if guide.erased_at is not None:
        raise ErasureRefused("already_erased")
    owed = unpaid_expenses(session, organization.id, guide.id)
    if owed:
        raise ErasureRefused("money_owed", owed)
    feed.set_author(session, author)
    now = utcnow()
    summary = ErasureSummary()

    guide.name = erased_name(guide.id)
    guide.email = ERASED_EMAIL.format(id=guide.id)
    guide.password_hash = guide.totp_secret = guide.locale = None
    guide.totp_last_step = None
    guide.active = False
    guide.erased_at = now

    profile.phone = profile.iban = profile.bic = profile.account_holder = None
    profile.availability = profile.notes = ""
    profile.specialisations, profile.districts = [], []
    profile.monthly_hour_limit = None
    session.execute(delete(GuideLanguage).where(GuideLanguage.profile_id == profile.id))
    session.execute(delete(Qualification).where(Qualification.profile_id == profile.id))
    session.expire(profile, ["languages", "qualifications"])

    for device in session.scalars(select(Device).where(Device.user_id == guide.id, Device.revoked_at.is_(None))):
        device.revoked_at = now
        summary.devices_revoked += 1
    session.execute(delete(EnrolmentCode).where(EnrolmentCode.user_id == guide.id, EnrolmentCode.used_at.is_(None)))

    for activity in session.scalars(select(Activity).where(Activity.organization_id == organization.id,
                                                           Activity.guide_id == guide.id)):
        if activity.note or activity.needs_professional_help:
            activity.note, activity.needs_professional_help = "", False
            summary.activities_cleared += 1
    conflicts = list(session.scalars(select(Conflict).where(Conflict.organization_id == organization.id,
                                                            Conflict.guide_id == guide.id)))
    for conflict in conflicts:
        conflict.kept_value = conflict.lost_value = None
        conflict.anonymised_at = now
        summary.conflicts_cleared += 1

    messages = list(session.scalars(select(Message).where(Message.organization_id == organization.id,
                                                          Message.guide_id == guide.id)))
    for message in messages:
        if message.deleted_at is None or message.body != ERASED_TEXT:
            message.body, message.deleted_at = ERASED_TEXT, message.deleted_at or now
            summary.messages_deleted += 1

    for cert in session.scalars(select(Certificate).where(Certificate.organization_id == organization.id,
                                                          Certificate.guide_id == guide.id)):
        if keep_certificates:
            summary.certificates_kept += 1
            continue
        cert.guide_name = erased_name(guide.id)
        cert.qualifications = []
        cert.revoked_at = cert.revoked_at or now
        summary.certificates_revoked += 1

    years = organization.booking_retention_years
    for expense in session.scalars(select(Expense).where(Expense.organization_id == organization.id,
                                                         Expense.guide_id == guide.id)):
        expense.restricted_until = restricted_until(expense.date, years)
        summary.expenses_restricted += 1
    for claim in session.scalars(select(Claim).where(Claim.organization_id == organization.id,
                                                     Claim.guide_id == guide.id)):
        claim.restricted_until = restricted_until(dt.date.fromisoformat(claim.month + "-01"), years)
        summary.claims_restricted += 1
    session.flush()

    activity_ids = select(Activity.id).where(Activity.organization_id == organization.id,
                                             Activity.guide_id == guide.id)
    summary.history_entries_cleared = clear_history(session, organization.id, "activity", activity_ids)
    summary.history_entries_cleared += clear_history(session, organization.id, "profile", [profile.id])
    summary.history_entries_cleared += clear_history(session, organization.id, "conflict",
                                                     [c.id for c in conflicts])
    summary.history_entries_cleared += clear_history(session, organization.id, "message",
                                                     [m.id for m in messages])
    return summary


def clear_history(session: Session, organization_id: int, record_type: str, record_ids: object) -> int:
    """Blank the values in the sync history of these records; the field names (the merge's base) stay."""
    rows = session.scalars(select(RecordHistory).where(
        RecordHistory.organization_id == organization_id, RecordHistory.record_type == record_type,
        RecordHistory.record_id.in_(record_ids))).all()  # type: ignore[arg-type]
    changed = 0
    for row in rows:
        if any(value is not None for value in (row.fields or {}).values()):
            session.execute(update(RecordHistory).where(RecordHistory.id == row.id).values(
                fields={name: None for name in row.fields}))
            changed += 1
    return changed
