"""The monthly plenum: events, attendance, and the `plenum` activity each attending guide gets.

Attendance counts as an activity of the guide (seed: "Teilnahme am Plenum"). The activity is created
through the ORM, so the feed publishes it and the guide's phone receives it on its next sync; removing
the attendance soft-deletes it, which reaches the phone as a tombstone. The caller audits and commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import Membership, User
from server.activities.models import Activity, PlenumAttendance, PlenumEvent
from sync import feed
from sync.clock import utcnow
from sync.merge import Author


class PlenumError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def create_event(session: Session, organization_id: int, date: dt.date, minutes: int, title: str,
                 location: str) -> PlenumEvent:
    event = PlenumEvent(organization_id=organization_id, date=date, minutes=minutes, title=title.strip() or "Plenum",
                        location=location.strip())
    session.add(event)
    session.flush()
    return event


@dataclass
class EventRow:
    event: PlenumEvent
    attending: int


def events(session: Session, organization_id: int) -> list[EventRow]:
    """The organization's plenum events, newest first, with how many attended."""
    counts = (select(PlenumAttendance.event_id, func.count().label("n"))
              .where(PlenumAttendance.organization_id == organization_id)
              .group_by(PlenumAttendance.event_id).subquery())
    rows = session.execute(
        select(PlenumEvent, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.event_id == PlenumEvent.id)
        .where(PlenumEvent.organization_id == organization_id)
        .order_by(PlenumEvent.date.desc(), PlenumEvent.id.desc()))
    return [EventRow(event, int(n)) for event, n in rows]


def organization_guides(session: Session, organization_id: int) -> list[User]:
    """Everyone who may attend: the organization's guides, active ones first, by name."""
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, Membership.role == "guide")
        .order_by(User.active.desc(), func.lower(User.name), User.id)))


def attendance(session: Session, event: PlenumEvent) -> dict[int, PlenumAttendance]:
    return {a.guide_id: a for a in session.scalars(select(PlenumAttendance).where(
        PlenumAttendance.organization_id == event.organization_id, PlenumAttendance.event_id == event.id))}


def _live_activity(session: Session, row: PlenumAttendance) -> Activity | None:
    if row.activity_id is None:
        return None
    activity = session.get(Activity, row.activity_id)
    return activity if activity is not None and activity.deleted_at is None else None


def set_attendance(session: Session, author: Author, event: PlenumEvent,
                   guide_ids: set[int]) -> tuple[list[int], list[int]]:
    """Make the attendance list exactly `guide_ids`; returns (added, removed) guide ids.

    Each attending guide has one live `plenum` activity for the event; a removed guide's is deleted."""
    allowed = {u.id for u in organization_guides(session, event.organization_id)}
    if guide_ids - allowed:
        raise PlenumError("unknown_guide")
    feed.set_author(session, author)
    current = attendance(session, event)
    added, removed = [], []
    for guide_id in sorted(guide_ids):
        row = current.get(guide_id)
        if row is None:
            row = PlenumAttendance(organization_id=event.organization_id, event_id=event.id, guide_id=guide_id)
            session.add(row)
            added.append(guide_id)
        elif _live_activity(session, row) is not None:
            continue
        activity = Activity(organization_id=event.organization_id, guide_id=guide_id, date=event.date,
                            minutes=event.minutes, kind="plenum", plenum_event_id=event.id,
                            note=event.title[:2000])
        session.add(activity)
        session.flush()
        row.activity_id = activity.id
    for guide_id, row in current.items():
        if guide_id in guide_ids:
            continue
        activity = _live_activity(session, row)
        if activity is not None:
            activity.deleted_at = utcnow()
        session.delete(row)
        removed.append(guide_id)
    session.flush()
    return added, removed


def _event_activities(session: Session, event: PlenumEvent) -> list[Activity]:
    """Every attendance activity ever made for the event (live and already deleted)."""
    return list(session.scalars(select(Activity).where(
        Activity.organization_id == event.organization_id, Activity.plenum_event_id == event.id)))


def update_event(session: Session, author: Author, event: PlenumEvent, date: dt.date, minutes: int, title: str,
                 location: str) -> list[str]:
    """Change date, length, title and place; the live attendance activities follow. Returns the changed fields.

    An approved attendance activity is locked (approval is what the funder sees), so the date or length
    of an event with approved attendance cannot change. A note the guide rewrote is theirs and stays."""
    title = title.strip() or "Plenum"
    location = location.strip()
    changed = [name for name, value in (("date", date), ("minutes", minutes), ("title", title),
                                        ("location", location)) if getattr(event, name) != value]
    live = [a for a in _event_activities(session, event) if a.deleted_at is None]
    if {"date", "minutes"} & set(changed) and any(a.state == "approved" for a in live):
        raise PlenumError("attendance_approved")
    feed.set_author(session, author)
    for activity in live:
        if activity.state == "approved":
            continue
        if "date" in changed:
            activity.date = date
        if "minutes" in changed:
            activity.minutes = minutes
        if "title" in changed and activity.note == event.title[:2000]:
            activity.note = title[:2000]
    event.date, event.minutes, event.title, event.location = date, minutes, title, location
    session.flush()
    return changed


def delete_event(session: Session, author: Author, event: PlenumEvent) -> list[int]:
    """Delete the event and its attendance; returns the guides whose plenum activity was deleted.

    Refused while any attendance is approved (approved hours have been reported and may have been paid
    for). Otherwise each live attendance activity is soft-deleted, so every phone receives a tombstone."""
    activities = _event_activities(session, event)
    if any(a.deleted_at is None and a.state == "approved" for a in activities):
        raise PlenumError("attendance_approved")
    feed.set_author(session, author)
    now = utcnow()
    removed = []
    for activity in activities:
        if activity.deleted_at is None:
            activity.deleted_at = now
            removed.append(activity.guide_id)
        activity.plenum_event_id = None  # the tombstone outlives the event row
    for row in attendance(session, event).values():
        session.delete(row)
    session.flush()
    session.delete(event)
    session.flush()
    return sorted(removed)
