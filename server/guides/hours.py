"""Hours against plan and limit: what an assignment has logged of its planned hours, and which guides
near (≥ 80 %) or exceed their monthly hour limit (`GuideProfile.monthly_hour_limit`) this month.

Both are SQL aggregates (the month's bounds from the one clock, sync/clock.py), never Python loops over
activities. Logged means every activity not deleted, approved or not: the guide's time is spent either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import Membership, User
from server.activities.models import Activity
from server.guides.models import GuideProfile
from sync import clock

NEAR_SHARE = 0.8  # from 80 % of the monthly limit on, the desk warns


def load_state(minutes: int, limit_hours: int | None) -> str:
    """"over" (the limit reached or exceeded: no room for more), "near" (≥ 80 % of it), "ok", or "" when
    there is no limit. Matching ranks by the same rule (server/assignments/matching.py)."""
    if not limit_hours:
        return ""
    if minutes >= limit_hours * 60:
        return "over"
    return "near" if minutes >= NEAR_SHARE * limit_hours * 60 else "ok"


def month_bounds(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """[first day, first day of the next month) of the current month in Berlin."""
    start = (today or clock.today()).replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1)


def logged_minutes(session: Session, assignment_ids: Iterable[str]) -> dict[str, int]:
    ids = list(assignment_ids)
    if not ids:
        return {}
    rows = session.execute(select(Activity.assignment_id, func.coalesce(func.sum(Activity.minutes), 0))
                           .where(Activity.assignment_id.in_(ids), Activity.deleted_at.is_(None))
                           .group_by(Activity.assignment_id))
    return {str(assignment_id): int(minutes) for assignment_id, minutes in rows}


@dataclass(frozen=True)
class HourLoad:
    guide_id: int
    guide_name: str
    minutes: int
    limit_hours: int

    @property
    def state(self) -> str:
        return load_state(self.minutes, self.limit_hours)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def percent(self) -> int:
        return round(100 * self.minutes / (self.limit_hours * 60))


def hour_limit_warnings(session: Session, organization_id: int, today: dt.date | None = None) -> list[HourLoad]:
    """The organization's guides at ≥ 80 % of their monthly hour limit this month, the fullest first."""
    start, end = month_bounds(today)
    minutes = func.coalesce(func.sum(Activity.minutes), 0)
    rows = session.execute(
        select(User.id, User.name, minutes, GuideProfile.monthly_hour_limit)
        .join(Membership, (Membership.user_id == User.id) & (Membership.organization_id == organization_id)
              & (Membership.role == "guide"))
        .join(GuideProfile, GuideProfile.user_id == User.id)
        .join(Activity, (Activity.guide_id == User.id) & (Activity.organization_id == organization_id)
              & Activity.deleted_at.is_(None) & (Activity.date >= start) & (Activity.date < end))
        .where(GuideProfile.monthly_hour_limit > 0)
        .group_by(User.id, User.name, GuideProfile.monthly_hour_limit)
        .having(minutes >= GuideProfile.monthly_hour_limit * 60 * NEAR_SHARE))
    loads = [HourLoad(int(i), str(name), int(m), int(limit)) for i, name, m, limit in rows]
    return sorted(loads, key=lambda load: (-load.minutes / (load.limit_hours * 60), load.guide_name))
