"""The coordinator's review of synced activities: filters, pages, bulk approval.

Corrections go through `sync.coordinator.edit_record` and approvals through `approve_activity` here, so
both get a version and reach the guide's phone like any other change (the feed publishes them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.activities import plausibility
from server.activities.models import Activity
from sync import feed
from sync.clock import utcnow
from sync.coordinator import load_record
from sync.merge import Author
from sync.vocabulary import ACTIVITY_KINDS, ACTIVITY_STATES

PAGE_SIZE = 50
# A bulk approval handles at most this many activities at once (one page and a margin).
BULK_LIMIT = 500


@dataclass
class ReviewFilters:
    guide_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    state: str = ""
    kind: str = ""
    flagged: bool = False
    since: dt.datetime | None = None  # created after (the dashboard's "new since my last sign-in")
    errors: list[str] = field(default_factory=list)

    def query_args(self) -> dict[str, str]:
        """The filters as URL arguments (for the pager and the links back after an action)."""
        args = {"state": self.state, "guide": str(self.guide_id or ""), "from": self.date_from.isoformat() if self.date_from else "",
                "to": self.date_to.isoformat() if self.date_to else "", "kind": self.kind,
                "flagged": "1" if self.flagged else "", "since": self.since.isoformat() if self.since else ""}
        return {k: v for k, v in args.items() if v or k == "state"}  # state= is "any", kept explicit


def parse_filters(args: Mapping[str, str]) -> ReviewFilters:
    """Read the filters from URL arguments; an unreadable value is ignored (and named in `errors`)."""
    filters = ReviewFilters()

    def day(name: str) -> dt.date | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            filters.errors.append(name)
            return None

    guide = (args.get("guide") or "").strip()
    filters.guide_id = int(guide) if guide.isdigit() and len(guide) < 12 else None
    filters.date_from, filters.date_to = day("from"), day("to")
    # Opened without a state chosen, the list shows what waits for a decision ("any" is state=).
    filters.state = "logged" if "state" not in args else args["state"] if args["state"] in ACTIVITY_STATES else ""
    filters.kind = args.get("kind", "") if args.get("kind") in ACTIVITY_KINDS else ""
    filters.flagged = args.get("flagged") == "1"
    since = (args.get("since") or "").strip()
    if since:
        try:
            filters.since = dt.datetime.fromisoformat(since)
            if filters.since.tzinfo is None:
                filters.since = filters.since.replace(tzinfo=dt.UTC)
        except ValueError:
            filters.errors.append("since")
    return filters


def _query(organization_id: int, filters: ReviewFilters) -> Any:
    query = select(Activity).where(Activity.organization_id == organization_id, Activity.deleted_at.is_(None))
    if filters.guide_id is not None:
        query = query.where(Activity.guide_id == filters.guide_id)
    if filters.date_from is not None:
        query = query.where(Activity.date >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(Activity.date <= filters.date_to)
    if filters.state:
        query = query.where(Activity.state == filters.state)
    if filters.kind:
        query = query.where(Activity.kind == filters.kind)
    if filters.flagged:
        query = query.where(Activity.needs_professional_help.is_(True))
    if filters.since is not None:
        query = query.where(Activity.created_at > filters.since)
    return query


@dataclass
class ReviewPage:
    rows: list[tuple[Activity, str]]  # (activity, guide's name)
    total: int
    page: int
    pages: int
    flags: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # plausibility.flags_for


def search(session: Session, organization_id: int, filters: ReviewFilters, page: int = 1,
           page_size: int = PAGE_SIZE) -> ReviewPage:
    """One page of matching activities, newest first, with their guides' names."""
    base = _query(organization_id, filters)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    pages = max(1, -(-total // page_size))
    page = max(1, min(page, pages))
    activities = session.scalars(base.order_by(Activity.date.desc(), Activity.created_at.desc(), Activity.id)
                                 .limit(page_size).offset((page - 1) * page_size)).all()
    names = dict(session.execute(select(User.id, User.name).where(
        User.id.in_({a.guide_id for a in activities}))).all()) if activities else {}
    return ReviewPage([(a, names.get(a.guide_id, "")) for a in activities], total, page, pages,
                      plausibility.flags_for(session, activities))


def waiting_ids(session: Session, organization_id: int, filters: ReviewFilters) -> list[str]:
    """The ids of every activity matching the filters that waits for a decision (at most BULK_LIMIT)."""
    query = _query(organization_id, filters).where(Activity.state == "logged")
    return list(session.scalars(query.with_only_columns(Activity.id)
                                .order_by(Activity.date.desc(), Activity.id).limit(BULK_LIMIT)))


def approve_activity(session: Session, author: Author, organization_id: int, activity_id: str) -> Activity:
    """Approve one of the organization's activities (a new version, published to the guide's phones);
    an activity approved already stays as it is. Another organization's id is `not_found`."""
    obj = load_record(session, "activity", activity_id, organization_id)
    if obj.state != "approved":
        feed.set_author(session, author)
        obj.state = "approved"
        obj.approved_at = utcnow()
        obj.approved_by_id = author.user_id
        session.flush()
    return obj  # type: ignore[no-any-return]


def approve_many(session: Session, author: Author, organization_id: int, activity_ids: list[str]) -> list[str]:
    """Approve each of the organization's activities among `activity_ids` that is still `logged`;
    returns the ids that changed. Ids of other organizations or missing ones are skipped silently
    (the caller only offers its own)."""
    wanted = list(dict.fromkeys(activity_ids))[:BULK_LIMIT]
    if not wanted:
        return []
    logged = session.scalars(select(Activity.id).where(
        Activity.id.in_(wanted), Activity.organization_id == organization_id, Activity.deleted_at.is_(None),
        Activity.state == "logged")).all()
    for activity_id in logged:
        approve_activity(session, author, organization_id, activity_id)
    return list(logged)


def guide_choices(session: Session, organization_id: int) -> list[tuple[int, str]]:
    """Every guide with activities in the organization, for the filter."""
    from server.accounts.models import Membership

    return list(session.execute(
        select(User.id, User.name).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, Membership.role == "guide")
        .order_by(User.name)).all())
