"""The desk's one search box: guides, requests, assignments, client codes and notes of one organization.

Plain SQL LIKE on lower-cased text (the same on SQLite and PostgreSQL), the user's %, _ and \\ escaped so
that they match themselves. Always within the signed-in organization; restricted (erased guides') and
deleted records are left out. Results come grouped by kind, each kind paged on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from server.accounts.models import Membership, User
from server.activities.models import Activity
from server.assignments.models import Assignment, AssignmentRequest, Client, PartnerInstitution

KINDS = ("guides", "requests", "assignments", "clients", "notes")
PAGE_SIZE = 10
MIN_LENGTH = 2
MAX_LENGTH = 100


def like_pattern(text: str) -> str:
    """`%text%` for LIKE … ESCAPE '\\', lower-cased, with the user's wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(pattern: str, *columns: Any) -> Any:
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


@dataclass
class Hit:
    kind: str
    key: str  # the id the result links to
    title: str
    detail: str = ""
    day: dt.date | None = None  # shown in the page's date format


@dataclass
class Group:
    kind: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _page(session: Session, query: Select[Any], page: int, make: Callable[[Any], Hit], kind: str) -> Group:
    total = int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
    page = max(1, min(page, max(1, -(-total // PAGE_SIZE))))
    rows = session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return Group(kind, [make(row) for row in rows], total, page)


def search(session: Session, organization_id: int, text: str, pages: dict[str, int] | None = None) -> list[Group]:
    """Every kind's group (empty ones too, in KINDS order) for `text` (MIN_LENGTH..MAX_LENGTH characters)."""
    pages = pages or {}
    pattern = like_pattern(text.strip()[:MAX_LENGTH])
    guides = (select(User.id, User.name, User.email).join(Membership, Membership.user_id == User.id)
              .where(Membership.organization_id == organization_id, Membership.role == "guide",
                     User.erased_at.is_(None), _matches(pattern, User.name, User.email))
              .order_by(func.lower(User.name), User.id))
    requests = (select(AssignmentRequest.id, AssignmentRequest.description, PartnerInstitution.name)
                .outerjoin(PartnerInstitution, PartnerInstitution.id == AssignmentRequest.partner_id)
                .where(AssignmentRequest.organization_id == organization_id,
                       _matches(pattern, AssignmentRequest.description, AssignmentRequest.contact,
                                AssignmentRequest.dialect, PartnerInstitution.name))
                .order_by(AssignmentRequest.created_at.desc(), AssignmentRequest.id.desc()))
    assignments = (select(Assignment.id, Assignment.title, Assignment.starts_on)
                   .where(Assignment.organization_id == organization_id, Assignment.deleted_at.is_(None),
                          _matches(pattern, Assignment.title, Assignment.description))
                   .order_by(Assignment.starts_on.desc(), Assignment.id))
    clients = (select(Client.code, Assignment.id, Assignment.title)
               .join(Assignment, (Assignment.client_id == Client.id) & Assignment.deleted_at.is_(None))
               .where(Client.organization_id == organization_id, Client.anonymised_at.is_(None),
                      _matches(pattern, Client.code))
               .order_by(Client.code, Assignment.starts_on.desc(), Assignment.id))
    notes = (select(Activity.id, Activity.note, Activity.date, User.name)
             .join(User, User.id == Activity.guide_id)
             .where(Activity.organization_id == organization_id, Activity.deleted_at.is_(None),
                    _matches(pattern, Activity.note))
             .order_by(Activity.date.desc(), Activity.id))
    return [
        _page(session, guides, pages.get("guides", 1), lambda r: Hit("guides", str(r.id), r.name, r.email), "guides"),
        _page(session, requests, pages.get("requests", 1),
              lambda r: Hit("requests", str(r.id), _snippet(r.description), r.name or ""), "requests"),
        _page(session, assignments, pages.get("assignments", 1),
              lambda r: Hit("assignments", str(r.id), r.title, day=r.starts_on), "assignments"),
        _page(session, clients, pages.get("clients", 1),
              lambda r: Hit("clients", str(r.id), r.code, r.title), "clients"),
        _page(session, notes, pages.get("notes", 1),
              lambda r: Hit("notes", str(r.id), _snippet(r.note), r.name, r.date), "notes"),
    ]


def _snippet(text: str, length: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[:length - 1] + "…"
