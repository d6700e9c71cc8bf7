"""Plausibility of logged time: warnings, never refusals. A meeting dated in the future, longer than
12 hours, or overlapping another of the same guide's meetings on that day (both with a start time) may
still be right; the phone asks the guide to confirm it before saving (pwa/src/app/log/plausibility.ts,
the same three rules) and the coordinator sees the flag in review.

"Today" is `sync.clock.today()` (Europe/Berlin), the one clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.activities.models import Activity
from sync import clock

LONG_MINUTES = 12 * 60

LABELS = {"future": _l("in the future"), "long": _l("over 12 hours"), "overlap": _l("overlaps another entry")}


def _span(activity: Activity) -> tuple[int, int] | None:
    if not activity.start_time:
        return None
    hours, minutes = activity.start_time.split(":")
    start = int(hours) * 60 + int(minutes)
    return start, start + activity.minutes


def check(activity: Activity, same_day: Iterable[Activity]) -> list[str]:
    """The flags of one activity, given the guide's other activities of that day."""
    flags = []
    if activity.date > clock.today():
        flags.append("future")
    if activity.minutes > LONG_MINUTES:
        flags.append("long")
    span = _span(activity)
    if span and any((other_span := _span(other)) and other_span[0] < span[1] and span[0] < other_span[1]
                    for other in same_day if other.id != activity.id):
        flags.append("overlap")
    return flags


def flags_for(session: Session, activities: Sequence[Activity]) -> dict[str, list[tuple[str, str]]]:
    """Per activity id: its flags as (key, translated label), for the review pages (one query)."""
    if not activities:
        return {}
    guides, dates = {a.guide_id for a in activities}, {a.date for a in activities}
    timed = session.scalars(select(Activity).where(
        Activity.guide_id.in_(guides), Activity.date.in_(dates), Activity.start_time.is_not(None),
        Activity.deleted_at.is_(None))).all()
    by_day: dict[tuple[int, object], list[Activity]] = defaultdict(list)
    for other in timed:
        by_day[(other.guide_id, other.date)].append(other)
    out = {}
    for activity in activities:
        flags = check(activity, by_day[(activity.guide_id, activity.date)])
        if flags:
            out[activity.id] = [(key, str(LABELS[key])) for key in flags]
    return out
