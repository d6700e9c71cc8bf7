"""Workflows over partners, requests, clients, assignments and offers (the coordinator's side).

Assignments are synced records: every change here goes through the ORM, so the feed gives it a version
and the offered guides' phones receive it on their next sync (`server/assignments/sync_binding.py`
decides who sees what; the first acceptance wins there). The caller audits and commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from server.accounts.models import Membership
from server.assignments.models import (
    Assignment,
    AssignmentOffer,
    AssignmentRequest,
    Client,
    PartnerInstitution,
)
from server.push.operations import notify_guides
from sync import clock, feed
from sync.clock import utcnow
from sync.coordinator import edit_from_form
from sync.merge import Author
from sync.vocabulary import SPECIALISATIONS

ENDING_WITHIN_DAYS = 14
LIVE_OFFER_STATES = ("offered", "accepted")


class AssignmentError(ValueError):
    """A workflow refused; `code` is stable, the page translates it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# ------------------------------------------------------------------ partners and requests

PARTNER_FIELDS = ("name", "kind", "district", "contact_name", "contact_email", "contact_phone")
REQUEST_FIELDS = ("partner_id", "field", "language", "dialect", "district", "starts_on", "ends_on",
                  "expected_minutes", "contact", "people_count", "description")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def save_partner(session: Session, organization_id: int, values: dict[str, Any],
                 partner: PartnerInstitution | None = None) -> tuple[PartnerInstitution, list[str]]:
    """Create or update a partner institution; returns it and the names of the changed fields."""
    if partner is None:
        partner = PartnerInstitution(organization_id=organization_id)
        session.add(partner)
    changed = []
    for name in PARTNER_FIELDS:
        value = _clean(values.get(name))
        if name != "district" and value is None:
            value = ""
        if getattr(partner, name) != value:
            setattr(partner, name, value)
            changed.append(name)
    session.flush()
    return partner, changed


def save_request(session: Session, organization_id: int, values: dict[str, Any],
                 request: AssignmentRequest | None = None) -> tuple[AssignmentRequest, list[str]]:
    """Create or update a request. Whatever is given is kept, even when incomplete (see `missing_fields`)."""
    if request is None:
        request = AssignmentRequest(organization_id=organization_id, state="open")
        session.add(request)
    changed = []
    for name in REQUEST_FIELDS:
        value = _clean(values.get(name))
        if name in ("dialect", "contact", "description") and value is None:
            value = ""
        if name == "language" and value:
            value = value.lower()
        if getattr(request, name) != value:
            setattr(request, name, value)
            changed.append(name)
    session.flush()
    return request, changed


@dataclass
class RequestFilters:
    show: str = ""  # "", "open", "without_guide", "incomplete"
    partner_id: int | None = None


def _incomplete() -> Any:
    checks = []
    for name in AssignmentRequest.REQUIRED_FIELDS:
        column = getattr(AssignmentRequest, name)
        if column.type.python_type is str:
            checks.append(or_(column.is_(None), column == ""))
        else:
            checks.append(column.is_(None))
    return or_(*checks)


def _has_guide() -> Any:
    return exists().where(Assignment.request_id == AssignmentRequest.id, Assignment.guide_id.is_not(None),
                          Assignment.deleted_at.is_(None), Assignment.state.in_(("active", "ended")))


def search_requests(session: Session, organization_id: int, filters: RequestFilters) -> list[AssignmentRequest]:
    query = select(AssignmentRequest).where(AssignmentRequest.organization_id == organization_id)
    if filters.show == "open":
        query = query.where(AssignmentRequest.state == "open")
    elif filters.show == "without_guide":
        query = query.where(AssignmentRequest.state.in_(("open", "matched")), ~_has_guide())
    elif filters.show == "incomplete":
        query = query.where(AssignmentRequest.state == "open", _incomplete())
    if filters.partner_id is not None:
        query = query.where(AssignmentRequest.partner_id == filters.partner_id)
    return list(session.scalars(query.order_by(AssignmentRequest.created_at.desc(), AssignmentRequest.id.desc())))


def request_assignments(session: Session, request: AssignmentRequest) -> list[Assignment]:
    return list(session.scalars(select(Assignment).where(
        Assignment.organization_id == request.organization_id, Assignment.request_id == request.id,
        Assignment.deleted_at.is_(None)).order_by(Assignment.created_at)))


# ------------------------------------------------------------------ clients

def clients(session: Session, organization_id: int) -> list[Client]:
    return list(session.scalars(select(Client).where(Client.organization_id == organization_id,
                                                     Client.anonymised_at.is_(None)).order_by(Client.code)))


def suggest_client_code(session: Session, organization_id: int, today: dt.date | None = None) -> str:
    """The next free code of the form K-<year>-<nnn>."""
    year = (today or clock.today()).year
    prefix = f"K-{year}-"
    codes = session.scalars(select(Client.code).where(Client.organization_id == organization_id,
                                                      Client.code.like(prefix + "%")))
    numbers = [int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()]
    return f"{prefix}{(max(numbers) + 1 if numbers else 1):03d}"


def find_or_create_client(session: Session, organization_id: int, code: str, language: str | None,
                          household_size: int | None) -> Client:
    """A client by pseudonym code (created when new; language and household size filled in when given)."""
    code = code.strip()
    if not code:
        raise AssignmentError("client_code_missing")
    client = session.scalar(select(Client).where(Client.organization_id == organization_id, Client.code == code))
    if client is None:
        client = Client(organization_id=organization_id, code=code, language=(language or "").strip().lower(),
                        household_size=household_size)
        session.add(client)
        session.flush()
    else:
        if language and not client.language:
            client.language = language.strip().lower()
        if household_size and client.household_size != household_size:
            client.household_size = household_size
    return client


# ------------------------------------------------------------------ offers

def _guide_ids_of(session: Session, organization_id: int, guide_ids: list[int]) -> list[int]:
    """The given ids, checked to be guides of this organization (in the given order, no duplicates)."""
    known = set(session.scalars(select(Membership.user_id).where(
        Membership.organization_id == organization_id, Membership.role == "guide",
        Membership.user_id.in_(guide_ids))))
    wanted = list(dict.fromkeys(guide_ids))
    if not wanted:
        raise AssignmentError("no_guide")
    if set(wanted) - known:
        raise AssignmentError("unknown_guide")
    return wanted


@dataclass
class AgreementTerms:
    title: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    planned_minutes: int | None = None
    description: str = ""


def offer_assignment(session: Session, author: Author, organization_id: int, terms: AgreementTerms,
                     guide_ids: list[int], client: Client | None = None,
                     request: AssignmentRequest | None = None) -> Assignment:
    """Create an assignment (state `offered`) from a request and offer it to the chosen guides."""
    if terms.ends_on is not None and terms.ends_on < terms.starts_on:
        raise AssignmentError("period_order")
    guides = _guide_ids_of(session, organization_id, guide_ids)
    feed.set_author(session, author)
    field = request.field if request is not None and request.field in SPECIALISATIONS else None
    assignment = Assignment(
        organization_id=organization_id, request_id=request.id if request is not None else None,
        client_id=client.id if client is not None else None, title=terms.title.strip(),
        description=terms.description.strip() or (request.description if request is not None else ""),
        field=field, language=(request.language if request is not None else None)
        or (client.language if client is not None and client.language else None),
        district=request.district if request is not None else None,
        starts_on=terms.starts_on, ends_on=terms.ends_on, planned_minutes=terms.planned_minutes, state="offered",
    )
    now = utcnow()
    assignment.offers = [AssignmentOffer(organization_id=organization_id, guide_id=g, state="offered",
                                         offered_at=now) for g in guides]
    session.add(assignment)
    session.flush()
    notify_guides(session, organization_id, [(g, assignment.id) for g in guides], "offer")
    return assignment


def add_offers(session: Session, author: Author, assignment: Assignment, guide_ids: list[int]) -> list[int]:
    """Offer a still open assignment to more guides (again to one who declined); returns who was added."""
    if assignment.state != "offered":
        raise AssignmentError("not_open")
    guides = _guide_ids_of(session, assignment.organization_id, guide_ids)
    feed.set_author(session, author)
    by_guide = {o.guide_id: o for o in assignment.offers}
    added, now = [], utcnow()
    for guide_id in guides:
        offer = by_guide.get(guide_id)
        if offer is None:
            offer = AssignmentOffer(organization_id=assignment.organization_id, assignment_id=assignment.id,
                                    guide_id=guide_id, state="offered", offered_at=now)
            assignment.offers.append(offer)
        elif offer.state in ("declined", "withdrawn"):
            offer.state, offer.offered_at, offer.responded_at = "offered", now, None
        else:
            continue
        added.append(guide_id)
    session.flush()
    notify_guides(session, assignment.organization_id, [(g, assignment.id) for g in added], "offer")
    return added


def withdraw_offer(session: Session, author: Author, assignment: Assignment, offer: AssignmentOffer) -> None:
    """Take an offer back. The guide's phone gets a tombstone; a withdrawn acceptance reopens the assignment."""
    if offer.state == "withdrawn":
        return
    feed.set_author(session, author)
    was_accepted = offer.state == "accepted"
    offer.state, offer.responded_at = "withdrawn", utcnow()
    notify_guides(session, assignment.organization_id, [(offer.guide_id, assignment.id)], "offer_withdrawn")
    if was_accepted:
        release_assignment(session, assignment)
    session.flush()


def release_assignment(session: Session, assignment: Assignment) -> None:
    """The accepted guide is gone (they declined after all, or the office withdrew their offer): the
    assignment is open again, the guides it was taken from are asked again, and its request is open."""
    assignment.guide_id = None
    assignment.state = "offered"
    for other in assignment.offers:
        if other.state == "taken":
            other.state = "offered"
    reopen_request(session, assignment)


def reopen_request(session: Session, assignment: Assignment) -> None:
    if assignment.request_id is None:
        return
    request = session.get(AssignmentRequest, assignment.request_id)
    if request is not None and request.state == "matched":
        request.state = "open"


def request_matched(session: Session, assignment: Assignment) -> None:
    """A guide accepted: the request has its guide."""
    if assignment.request_id is None:
        return
    request = session.get(AssignmentRequest, assignment.request_id)
    if request is not None and request.state == "open":
        request.state = "matched"


def update_agreement(session: Session, author: Author, assignment: Assignment, terms: AgreementTerms,
                     opened_version: int | None = None, opened: dict[str, Any] | None = None) -> list[str]:
    """Change the agreement's terms through the sync engine (versioned; the guide's phone receives it):
    only the terms she changed on the form opened at `opened_version` (showing `opened`); a term someone
    else changed meanwhile that she changed too raises `EditClash` (sync.coordinator.edit_from_form)."""
    if terms.ends_on is not None and terms.ends_on < terms.starts_on:
        raise AssignmentError("period_order")
    wanted = {"title": terms.title.strip(), "description": terms.description.strip(),
              "starts_on": terms.starts_on.isoformat(),
              "ends_on": terms.ends_on.isoformat() if terms.ends_on else None,
              "planned_minutes": terms.planned_minutes}
    changes, _resolution = edit_from_form(session, author, assignment.organization_id, "assignment", assignment.id,
                                          wanted, opened_version, opened)
    return sorted(changes)


def end_assignment(session: Session, author: Author, assignment: Assignment) -> None:
    if assignment.state != "active":
        raise AssignmentError("not_active")
    feed.set_author(session, author)
    assignment.state = "ended"
    session.flush()


def cancel_assignment(session: Session, author: Author, assignment: Assignment) -> None:
    """Cancel an assignment nobody has accepted yet; every offered guide's phone loses it."""
    if assignment.state != "offered":
        raise AssignmentError("not_open")
    feed.set_author(session, author)
    assignment.state = "cancelled"
    withdrawn = []
    for offer in assignment.offers:
        if offer.state == "offered":
            offer.state = "withdrawn"
            withdrawn.append((offer.guide_id, assignment.id))
    session.flush()
    notify_guides(session, assignment.organization_id, withdrawn, "offer_withdrawn")


# ------------------------------------------------------------------ agreements

@dataclass
class AgreementFilters:
    show: str = ""  # "", "ending", "active", "offered", "ended"
    ending_within: int = ENDING_WITHIN_DAYS


def agreements(session: Session, organization_id: int, filters: AgreementFilters,
               today: dt.date | None = None) -> list[Assignment]:
    """Assignments of the organization; `ending`: active ones ending within the next days (the reminder)."""
    return list(session.scalars(agreements_query(organization_id, filters, today)))


def agreements_page(session: Session, organization_id: int, filters: AgreementFilters, page: int,
                    page_size: int) -> tuple[list[Assignment], int]:
    """One page of `agreements` (the page counted from 1) and how many there are in all."""
    query = agreements_query(organization_id, filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.limit(page_size).offset((page - 1) * page_size))), total


def agreements_query(organization_id: int, filters: AgreementFilters,
                     today: dt.date | None = None) -> Select[tuple[Assignment]]:
    today = today or clock.today()
    query = select(Assignment).where(Assignment.organization_id == organization_id, Assignment.deleted_at.is_(None))
    if filters.show == "ending":
        query = query.where(Assignment.state == "active", Assignment.ends_on.is_not(None),
                            Assignment.ends_on >= today,
                            Assignment.ends_on <= today + dt.timedelta(days=filters.ending_within))
        query = query.order_by(Assignment.ends_on, Assignment.title)
    else:
        if filters.show in ("active", "offered", "ended", "cancelled"):
            query = query.where(Assignment.state == filters.show)
        query = query.order_by(
            func.coalesce(Assignment.ends_on, Assignment.starts_on).desc(), Assignment.title)
    return query.order_by(Assignment.id)  # a stable order: pages neither repeat nor skip a row


def days_left(assignment: Assignment, today: dt.date | None = None) -> int | None:
    """Days until an active agreement ends, or None (no end date, or not active)."""
    if assignment.state != "active" or assignment.ends_on is None:
        return None
    return (assignment.ends_on - (today or clock.today())).days


def live_offer_count(session: Session, assignment_ids: list[str]) -> dict[str, int]:
    if not assignment_ids:
        return {}
    return dict(session.execute(select(AssignmentOffer.assignment_id, func.count()).where(
        and_(AssignmentOffer.assignment_id.in_(assignment_ids),
             AssignmentOffer.state.in_(LIVE_OFFER_STATES))).group_by(AssignmentOffer.assignment_id)).all())
