"""Reading the audit log: one organization's events, filtered, as rows for a page or a CSV file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from server.accounts.models import Membership, User
from server.audit import labels
from server.audit.models import AuditEvent

BERLIN = ZoneInfo("Europe/Berlin")
MACHINE_COLUMNS = ("id", "at", "actor_id", "actor_email", "device_id", "action", "object_type", "object_id",
                   "details")


@dataclass
class AuditFilters:
    actor_id: int | None = None
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight in Berlin (the dates on the page), as a UTC timestamp."""
    return dt.datetime.combine(day, dt.time(), BERLIN).astimezone(dt.UTC)


def events_query(organization_id: int, filters: AuditFilters) -> Select[Any]:
    actor = aliased(User)
    query = (select(AuditEvent, actor).outerjoin(actor, actor.id == AuditEvent.actor_user_id)
             .where(AuditEvent.organization_id == organization_id))
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_user_id == filters.actor_id)
    if filters.action:
        # "device" matches device.enrolled, device.revoked, …; "device.revoked" only that one.
        query = query.where((AuditEvent.action == filters.action) | AuditEvent.action.startswith(filters.action + "."))
    if filters.date_from is not None:
        query = query.where(AuditEvent.at >= _day_start(filters.date_from))
    if filters.date_to is not None:
        query = query.where(AuditEvent.at < _day_start(filters.date_to + dt.timedelta(days=1)))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def events(session: Session, organization_id: int, filters: AuditFilters, limit: int, offset: int = 0
           ) -> list[tuple[AuditEvent, User | None]]:
    return [(e, u) for e, u in session.execute(events_query(organization_id, filters).limit(limit).offset(offset))]


def actions(session: Session, organization_id: int) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).where(AuditEvent.organization_id == organization_id)
                                .distinct().order_by(AuditEvent.action)))


def actors(session: Session, organization_id: int) -> list[User]:
    """Everyone of the organization who may appear as an actor (staff and guides)."""
    return list(session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                                .where(Membership.organization_id == organization_id).order_by(User.name)))


def export_rows(session: Session, organization_id: int, filters: AuditFilters) -> Iterator[list[Any]]:
    """The filtered events, one row each, read in batches (the log can be long): in words first (what a
    person reads: when, who, action, object, details), then the `MACHINE_COLUMNS` (what a script filters on)."""
    query = events_query(organization_id, filters).execution_options(yield_per=500)
    names: dict[int, str] = {}
    for event, actor in session.execute(query):
        add_names(session, names, labels.user_ids(event.details))
        yield [
            event.at.astimezone(BERLIN).replace(tzinfo=None), labels.actor_label(actor.name if actor else None),
            labels.action_label(event.action), labels.object_label(event),
            "\n".join(labels.describe(event.details, names)),
            event.id, event.at.astimezone(BERLIN).isoformat(timespec="seconds"),
            event.actor_user_id, actor.email if actor else "", event.device_id or "", event.action,
            event.object_type, event.object_id, json.dumps(event.details, ensure_ascii=False, sort_keys=True),
        ]


def add_names(session: Session, names: dict[int, str], user_ids: set[int]) -> dict[int, str]:
    """Look up the names of users not in `names` yet (the log names guides by id)."""
    missing = user_ids - names.keys()
    if missing:
        names.update({int(i): str(n) for i, n in session.execute(select(User.id, User.name).where(User.id.in_(missing)))})
    return names
