"""Finding guides and changing their competence profile.

Profile fields that travel to the guide's app (`profile` record) are changed only through
`sync.coordinator.edit_record`, so the change gets a version and reaches the guide's phones.
Qualifications are kept by the coordination office; they are child rows of the profile, so the sync
engine gives the profile a new version when one is added or removed (`qualifications` is read-only on
the wire) and the guide's app receives the new list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.accounts.models import Device, Membership, User
from server.activities.models import Activity
from server.expenses.models import Expense
from server.guides.models import GuideLanguage, GuideProfile, Qualification
from sync import clock, feed
from sync.coordinator import edit_from_form
from sync.merge import Author, Resolution
from sync.registry import BINDINGS

IDLE_DAYS = 60


@dataclass
class GuideRow:
    user: User
    profile: GuideProfile
    last_activity: dt.date | None

    @property
    def idle(self) -> bool:
        return self.last_activity is None or (clock.today() - self.last_activity).days > IDLE_DAYS


@dataclass
class GuideFilters:
    q: str = ""
    language: str = ""
    specialisation: str = ""
    district: str = ""
    active: str = ""  # "", "yes", "no"
    idle: bool = False


def search_guides(session: Session, organization_id: int, filters: GuideFilters,
                  today: dt.date | None = None) -> list[GuideRow]:
    """The organization's guides matching every given filter, by name."""
    today = today or clock.today()
    last_activity = (
        select(Activity.guide_id, func.max(Activity.date).label("last"))
        .where(Activity.organization_id == organization_id, Activity.deleted_at.is_(None))
        .group_by(Activity.guide_id).subquery()
    )
    query = (
        select(User, GuideProfile, last_activity.c.last)
        .join(Membership, Membership.user_id == User.id)
        .join(GuideProfile, GuideProfile.user_id == User.id)
        .outerjoin(last_activity, last_activity.c.guide_id == User.id)
        .where(Membership.organization_id == organization_id, Membership.role == "guide",
               User.erased_at.is_(None))  # an erased guide (DSGVO Art. 17) is no longer listed
        .order_by(func.lower(User.name), User.id)
    )
    if filters.q.strip():
        pattern = f"%{filters.q.strip().lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern)))
    if filters.language:
        query = query.where(GuideProfile.id.in_(
            select(GuideLanguage.profile_id).where(GuideLanguage.language == filters.language)))
    if filters.active == "yes":
        query = query.where(User.active.is_(True))
    elif filters.active == "no":
        query = query.where(User.active.is_(False))
    if filters.idle:
        cutoff = today - dt.timedelta(days=IDLE_DAYS)
        query = query.where(or_(last_activity.c.last.is_(None), last_activity.c.last < cutoff))
    rows = [GuideRow(user, profile, last) for user, profile, last in session.execute(query)]
    # JSON lists: filtered here, the same on SQLite and PostgreSQL (an organization has tens of guides).
    if filters.specialisation:
        rows = [r for r in rows if filters.specialisation in (r.profile.specialisations or [])]
    if filters.district:
        rows = [r for r in rows if filters.district in (r.profile.districts or [])]
    return rows


def count_idle_guides(session: Session, organization_id: int, today: dt.date | None = None) -> int:
    """How many active guides `search_guides(..., GuideFilters(active="yes", idle=True))` finds, counted in
    the database (the dashboard and the digest need the number, not 500 profiles)."""
    cutoff = (today or clock.today()) - dt.timedelta(days=IDLE_DAYS)
    recent = select(Activity.guide_id).where(Activity.organization_id == organization_id,
                                             Activity.deleted_at.is_(None), Activity.date >= cutoff)
    return int(session.scalar(
        select(func.count()).select_from(User).join(Membership, Membership.user_id == User.id)
        .join(GuideProfile, GuideProfile.user_id == User.id)
        .where(Membership.organization_id == organization_id, Membership.role == "guide",
               User.erased_at.is_(None), User.active.is_(True), User.id.not_in(recent))) or 0)


def languages_in_use(session: Session, organization_id: int) -> list[str]:
    return list(session.scalars(
        select(GuideLanguage.language).join(GuideProfile, GuideProfile.id == GuideLanguage.profile_id)
        .where(GuideProfile.organization_id == organization_id).distinct().order_by(GuideLanguage.language)))


def profile_changes(session: Session, profile: GuideProfile, wanted: dict[str, Any]) -> dict[str, Any]:
    """Only the wire fields whose value differs from what is stored (an unchanged form changes nothing)."""
    binding = BINDINGS["profile"]
    current = binding.current_values(session, profile)
    return {name: value for name, value in wanted.items() if current.get(name) != value}


def edit_profile(session: Session, author: Author, profile: GuideProfile, wanted: dict[str, Any],
                 opened_version: int | None = None, opened: dict[str, Any] | None = None
                 ) -> tuple[dict[str, Any], Resolution | None]:
    """Write the profile fields she changed on the form (opened at `opened_version` showing `opened`)
    through the sync engine; returns (changed fields, resolution). A field the phone changed meanwhile
    that she changed too raises `EditClash` (sync.coordinator.edit_from_form)."""
    return edit_from_form(session, author, profile.organization_id, "profile", profile.id, wanted,
                          opened_version, opened)


def add_qualification(session: Session, author: Author, profile: GuideProfile, kind: str, title: str,
                      completed_on: dt.date, provider: str) -> Qualification:
    # profile_id set here (not only by the relationship): the sync engine reads it before the flush.
    qualification = Qualification(profile_id=profile.id, kind=kind, title=title.strip(),
                                  completed_on=completed_on, provider=provider.strip())
    feed.set_author(session, author)
    profile.qualifications.append(qualification)
    session.flush()
    return qualification


def remove_qualification(session: Session, author: Author, profile: GuideProfile,
                         qualification: Qualification) -> None:
    feed.set_author(session, author)
    profile.qualifications.remove(qualification)
    session.delete(qualification)
    session.flush()


def guide_devices(session: Session, guide: User) -> list[Device]:
    return list(session.scalars(select(Device).where(Device.user_id == guide.id)
                                .order_by(Device.revoked_at.is_not(None), Device.created_at.desc())))


@dataclass
class TimelineEntry:
    date: dt.date
    kind: str  # activity | expense
    record: Any


def guide_timeline(session: Session, organization_id: int, guide: User, limit: int = 100) -> list[TimelineEntry]:
    """The guide's latest activities and expenses, newest first."""
    activities = session.scalars(select(Activity).where(
        Activity.organization_id == organization_id, Activity.guide_id == guide.id, Activity.deleted_at.is_(None),
    ).order_by(Activity.date.desc(), Activity.created_at.desc()).limit(limit))
    expenses = session.scalars(select(Expense).where(
        Expense.organization_id == organization_id, Expense.guide_id == guide.id, Expense.deleted_at.is_(None),
        Expense.restricted_until.is_(None),  # restricted after erasure: only the finance view shows them
    ).order_by(Expense.date.desc(), Expense.created_at.desc()).limit(limit))
    entries = [TimelineEntry(a.date, "activity", a) for a in activities]
    entries += [TimelineEntry(e.date, "expense", e) for e in expenses]
    entries.sort(key=lambda e: (e.date, e.record.created_at), reverse=True)
    return entries[:limit]
