"""Reading the audit log: one organization's events, filtered, as rows for a page or a CSV file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from server.accounts.models import Membership, User
from server.audit.models import AuditEvent

BERLIN = ZoneInfo("Europe/Berlin")
CSV_COLUMNS = ("id", "at", "actor_email", "actor_name", "device_id", "action", "object_type", "object_id",
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


def csv_lines(session: Session, organization_id: int, filters: AuditFilters) -> Iterator[str]:
    """The filtered events as CSV, a line at a time (the log can be long)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    query = events_query(organization_id, filters).execution_options(yield_per=500)
    for event, actor in session.execute(query):
        writer.writerow([
            event.id, event.at.astimezone(BERLIN).isoformat(timespec="seconds"),
            _safe(actor.email if actor else ""), _safe(actor.name if actor else ""), event.device_id or "",
            event.action, event.object_type, _safe(event.object_id),
            _safe(json.dumps(event.details, ensure_ascii=False, sort_keys=True)),
        ])
        yield flush()


def _safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
