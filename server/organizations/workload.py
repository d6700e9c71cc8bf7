"""What needs a coordinator's attention, and the last twelve months in figures (the dashboard's queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, extract, func, or_, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.activities.models import Activity
from server.assignments.models import Assignment, AssignmentRequest
from server.expenses.models import Claim
from server.guides.operations import count_idle_guides
from server.money.limits import LimitStatus, guide_limit_status
from server.money.models import LEGAL_BASES, AllowanceLine
from sync import clock
from sync.tables import Conflict

ENDING_WITHIN_DAYS = 14
# Tax-free limit states worth a warning, most urgent first ("near" is ≥ 90 %: server/money/limits.py).
WARN_STATES = ("over", "at", "near")


@dataclass
class Attention:
    new_activities: int
    claims_waiting: int
    open_conflicts: int
    flagged_activities: int
    agreements_ending: int
    requests_without_guide: int
    idle_guides: int


def attention(session: Session, organization_id: int, since: dt.datetime | None,
              today: dt.date | None = None) -> Attention:
    today = today or clock.today()

    def count(query: object) -> int:
        return int(session.scalar(query) or 0)  # type: ignore[arg-type]

    live = (Activity.organization_id == organization_id, Activity.deleted_at.is_(None))
    new_activities = select(func.count()).select_from(Activity).where(*live)
    if since is not None:
        new_activities = new_activities.where(Activity.created_at > since)
    return Attention(
        new_activities=count(new_activities),
        claims_waiting=count(select(func.count()).select_from(Claim).where(
            Claim.organization_id == organization_id, Claim.state == "submitted", Claim.deleted_at.is_(None))),
        open_conflicts=count(select(func.count()).select_from(Conflict).where(
            Conflict.organization_id == organization_id, Conflict.resolved.is_(False),
            Conflict.deleted_at.is_(None))),
        flagged_activities=count(select(func.count()).select_from(Activity).where(
            *live, Activity.needs_professional_help.is_(True), Activity.state == "logged")),
        agreements_ending=count(select(func.count()).select_from(Assignment).where(
            Assignment.organization_id == organization_id, Assignment.state == "active",
            Assignment.deleted_at.is_(None), Assignment.ends_on.is_not(None),
            Assignment.ends_on >= today, Assignment.ends_on <= today + dt.timedelta(days=ENDING_WITHIN_DAYS))),
        requests_without_guide=count(select(func.count()).select_from(AssignmentRequest).where(
            AssignmentRequest.organization_id == organization_id, AssignmentRequest.state == "open")),
        idle_guides=count_idle_guides(session, organization_id, today),
    )


@dataclass
class MonthFigures:
    month: str  # YYYY-MM
    hours: float
    meetings: int

    @property
    def first_day(self) -> dt.date:
        return dt.date.fromisoformat(self.month + "-01")


def last_twelve_months(session: Session, organization_id: int, today: dt.date | None = None) -> list[MonthFigures]:
    """Hours logged and activities (meetings) per month, oldest first, months without any included."""
    today = today or clock.today()
    months = []
    year, month = today.year, today.month
    for _ in range(12):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    months.reverse()
    start = dt.date(*months[0], 1)
    year_col, month_col = extract("year", Activity.date), extract("month", Activity.date)
    rows = session.execute(
        select(year_col, month_col, func.sum(Activity.minutes), func.count())
        .where(Activity.organization_id == organization_id, Activity.deleted_at.is_(None), Activity.date >= start,
               Activity.date <= today)
        .group_by(year_col, month_col)
    ).all()
    found = {(int(y), int(m)): (int(minutes or 0), int(n)) for y, m, minutes, n in rows}
    return [MonthFigures(f"{y:04d}-{m:02d}", round(found.get((y, m), (0, 0))[0] / 60, 1), found.get((y, m), (0, 0))[1])
            for y, m in months]


@dataclass
class LimitWarning:
    guide_id: int
    guide_name: str
    status: LimitStatus


def limit_warnings(session: Session, organization_id: int, year: int) -> list[LimitWarning]:
    """Guides whose flat allowances this year (paid + approved-unpaid) are near (≥ 90 %), at or over a
    tax-free limit — so the coordinator can act before the next payout makes part of them taxable."""
    year_start, next_year = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    guide_ids = session.scalars(select(AllowanceLine.guide_id).where(
        AllowanceLine.organization_id == organization_id,
        or_(and_(AllowanceLine.state == "paid", AllowanceLine.paid_on >= year_start,
                 AllowanceLine.paid_on < next_year),
            and_(AllowanceLine.state == "approved", AllowanceLine.month.like(f"{year:04d}-%")))).distinct())
    warnings = []
    for guide_id in guide_ids:
        for basis in LEGAL_BASES:
            status = guide_limit_status(guide_id, year, basis)
            if status.state in WARN_STATES:
                warnings.append(LimitWarning(guide_id, "", status))
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_({w.guide_id for w in warnings}))).all())
    for warning in warnings:
        warning.guide_name = str(names.get(warning.guide_id, ""))
    order = {state: i for i, state in enumerate(WARN_STATES)}
    return sorted(warnings, key=lambda w: (order[w.status.state], -w.status.total_cents, w.guide_name))
