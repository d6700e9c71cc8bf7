"""Retention periods (DSGVO Art. 5 (1) (e)): closed records older than the organization's
`retention_months` are anonymised. Run by `flask --app server apply-retention [--dry-run]` from cron.

What counts as closed, and what happens (the period is counted back from today):

* **ended or cancelled assignments** whose end (or, without one, last change) lies before the cut-off:
  title → "–", description cleared, `anonymised_at` set;
* **their clients' pseudonyms**, once no open or recent assignment refers to the client any more:
  code → "anon-<8 hex>", household size removed (the language stays: it is no personal datum alone
  and feeds the statistics), `anonymised_at` set;
* **notes of approved activities** dated before the cut-off are cleared (minutes, kind and date stay
  for the statistics); notes of activities still `logged` are the coordinator's open work and stay;
* **resolved conflicts** resolved before the cut-off lose both values, `anonymised_at` set.

The sync history of every anonymised record loses its values too. Money records are not touched here:
they follow the booking retention (see `server/privacy/erasure.py`).

Idempotent: each rule selects only records not yet anonymised, so a second run changes nothing. Synced
records change through the session hooks, so guides' phones receive the anonymised state.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.activities.models import Activity
from server.assignments.models import Assignment, Client
from server.organizations.models import Organization
from server.privacy.erasure import clear_history
from sync import clock, feed
from sync.clock import utcnow
from sync.merge import Author
from sync.tables import Conflict

CLOSED_ASSIGNMENT_STATES = ("ended", "cancelled")
ANONYMISED_TITLE = "–"


@dataclass
class RetentionCounts:
    assignments: int = 0
    clients: int = 0
    activity_notes: int = 0
    conflicts: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def total(self) -> int:
        return self.assignments + self.clients + self.activity_notes + self.conflicts


def cutoff_for(today: dt.date, months: int) -> dt.date:
    """The day `months` months before `today` (clamped to the month's last day)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(today.day, last))


def _as_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def apply_to_organization(session: Session, organization: Organization, today: dt.date) -> RetentionCounts:
    feed.set_author(session, Author(role="system"))
    cutoff = cutoff_for(today, organization.retention_months)
    now, counts = utcnow(), RetentionCounts()
    org_id = organization.id

    assignments = list(session.scalars(select(Assignment).where(
        Assignment.organization_id == org_id, Assignment.state.in_(CLOSED_ASSIGNMENT_STATES),
        Assignment.anonymised_at.is_(None),
        or_(Assignment.ends_on < cutoff, Assignment.ends_on.is_(None) & (Assignment.updated_at < _as_of(cutoff))))))
    for assignment in assignments:
        assignment.title, assignment.description, assignment.anonymised_at = ANONYMISED_TITLE, "", now
    counts.assignments = len(assignments)
    session.flush()
    clear_history(session, org_id, "assignment", [a.id for a in assignments])

    # A client is closed when every assignment that names them is anonymised (closed and old).
    still_open = select(Assignment.client_id).where(
        Assignment.organization_id == org_id, Assignment.client_id.is_not(None), Assignment.anonymised_at.is_(None))
    used = select(Assignment.client_id).where(Assignment.organization_id == org_id,
                                              Assignment.client_id.is_not(None))
    for client in session.scalars(select(Client).where(
            Client.organization_id == org_id, Client.anonymised_at.is_(None), Client.id.in_(used),
            Client.id.not_in(still_open))):
        client.code, client.household_size, client.anonymised_at = f"anon-{secrets.token_hex(4)}", None, now
        counts.clients += 1

    activities = list(session.scalars(select(Activity).where(
        Activity.organization_id == org_id, Activity.state == "approved", Activity.date < cutoff,
        func.length(Activity.note) > 0)))
    for activity in activities:
        activity.note = ""
    counts.activity_notes = len(activities)

    conflicts = list(session.scalars(select(Conflict).where(
        Conflict.organization_id == org_id, Conflict.resolved.is_(True), Conflict.anonymised_at.is_(None),
        Conflict.resolved_at < _as_of(cutoff))))
    for conflict in conflicts:
        conflict.kept_value = conflict.lost_value = None
        conflict.anonymised_at = now
    counts.conflicts = len(conflicts)
    session.flush()
    clear_history(session, org_id, "activity", [a.id for a in activities])
    clear_history(session, org_id, "conflict", [c.id for c in conflicts])
    return counts


def apply_retention(session: Session, today: dt.date | None = None) -> dict[str, RetentionCounts]:
    """Anonymise every organization's closed, old records; returns the counts by organization slug.
    The caller commits (or rolls back, for a dry run)."""
    today = today or clock.today()
    result = {}
    for organization in session.scalars(select(Organization).order_by(Organization.slug)):
        result[organization.slug] = apply_to_organization(session, organization, today)
    return result
