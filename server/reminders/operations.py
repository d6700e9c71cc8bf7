"""The reminders `flask --app server send-reminders` sends (run it from cron, e.g. daily at 9:00):

* claim  — on the 1st to 5th of a month, when expenses of the previous month are still open:
           "submit your claim for <month>"; once per guide and month.
* hours  — during an active assignment, 14 days after its last logged entry (or its start):
           "log your hours"; once per assignment and gap (a new entry starts a new gap).
* plenum — the day before a plenum, to every active guide; once per plenum.

Every reminder decided is recorded (`SentReminder`, unique per guide and key) in the same transaction
as its pushes, so a second run the same day sends nothing. A guide can switch each kind off in the
app (profile `muted_reminders`). The texts are built on the phone (server/push/operations.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import Membership, User
from server.activities.models import Activity, PlenumEvent
from server.assignments.models import Assignment
from server.expenses.models import Expense
from server.expenses.rules import month_bounds
from server.guides.models import GuideProfile
from server.push.operations import notify_guides
from server.reminders.models import SentReminder

CLAIM_DAYS = range(1, 6)  # the 1st to the 5th
HOURS_AFTER_DAYS = 14


@dataclass
class ReminderRun:
    sent: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.sent.values())


@dataclass(frozen=True)
class Due:
    organization_id: int
    guide_id: int
    kind: str
    dedupe_key: str
    record_id: str
    extra: dict[str, object]


def _previous_month(today: dt.date) -> str:
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last:%Y-%m}"


def _active_guides(session: Session) -> dict[int, tuple[int, list[str]]]:
    """guide id → (organization id, muted reminder kinds), for active guides."""
    rows = session.execute(
        select(Membership.user_id, Membership.organization_id, GuideProfile.muted_reminders)
        .join(User, User.id == Membership.user_id)
        .outerjoin(GuideProfile, (GuideProfile.user_id == Membership.user_id)
                   & (GuideProfile.organization_id == Membership.organization_id))
        .where(Membership.role == "guide", User.active.is_(True), User.erased_at.is_(None)))
    return {user_id: (org_id, list(muted or [])) for user_id, org_id, muted in rows}


def _claim_reminders(session: Session, today: dt.date) -> list[Due]:
    if today.day not in CLAIM_DAYS:
        return []
    month = _previous_month(today)
    first, following = month_bounds(month)
    rows = session.execute(
        select(Expense.organization_id, Expense.guide_id, func.count(Expense.id))
        .where(Expense.state == "open", Expense.deleted_at.is_(None), Expense.claim_id.is_(None),
               Expense.date >= first, Expense.date < following)
        .group_by(Expense.organization_id, Expense.guide_id))
    return [Due(org, guide, "claim", f"claim:{month}", month, {"month": month, "count": int(count)})
            for org, guide, count in rows]


def _hours_reminders(session: Session, today: dt.date) -> list[Due]:
    last_entry = (select(func.max(Activity.date)).where(
        Activity.assignment_id == Assignment.id, Activity.guide_id == Assignment.guide_id,
        Activity.deleted_at.is_(None)).correlate(Assignment).scalar_subquery())
    rows = session.execute(
        select(Assignment.organization_id, Assignment.guide_id, Assignment.id, Assignment.starts_on, last_entry)
        .where(Assignment.state == "active", Assignment.guide_id.is_not(None), Assignment.starts_on <= today,
               (Assignment.ends_on.is_(None)) | (Assignment.ends_on >= today)))
    due = []
    for org, guide, assignment_id, starts_on, last in rows:
        since = max(last, starts_on) if last is not None else starts_on
        if (today - since).days >= HOURS_AFTER_DAYS:
            due.append(Due(org, guide, "hours", f"hours:{assignment_id}:{since.isoformat()}", assignment_id,
                           {"days": (today - since).days}))
    return due


def _plenum_reminders(session: Session, today: dt.date, guides: dict[int, tuple[int, list[str]]]) -> list[Due]:
    tomorrow = today + dt.timedelta(days=1)
    due = []
    for event in session.scalars(select(PlenumEvent).where(PlenumEvent.date == tomorrow)):
        due += [Due(event.organization_id, guide, "plenum", f"plenum:{event.id}", str(event.id),
                    {"date": tomorrow.isoformat()})
                for guide, (org, _muted) in sorted(guides.items()) if org == event.organization_id]
    return due


def send_reminders(session: Session, today: dt.date) -> ReminderRun:
    """Decide, record and queue today's reminders; the caller commits (all or nothing)."""
    guides = _active_guides(session)
    candidates = _claim_reminders(session, today) + _hours_reminders(session, today) \
        + _plenum_reminders(session, today, guides)
    wanted = [d for d in candidates if d.guide_id in guides and guides[d.guide_id][0] == d.organization_id
              and d.kind not in guides[d.guide_id][1]]
    done = {(guide_id, key) for guide_id, key in session.execute(
        select(SentReminder.guide_id, SentReminder.dedupe_key).where(
            SentReminder.dedupe_key.in_({d.dedupe_key for d in wanted})))} if wanted else set()
    run = ReminderRun()
    for d in wanted:
        if (d.guide_id, d.dedupe_key) in done:
            continue
        done.add((d.guide_id, d.dedupe_key))
        session.add(SentReminder(organization_id=d.organization_id, guide_id=d.guide_id, kind=d.kind,
                                 dedupe_key=d.dedupe_key))
        notify_guides(session, d.organization_id, [(d.guide_id, d.record_id)], f"reminder_{d.kind}", d.extra,
                      dedupe=f"{d.guide_id}:{d.dedupe_key}")
        run.sent[d.kind] += 1
    session.flush()
    return run
