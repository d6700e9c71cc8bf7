"""Requests filed by partner institutions on the public form, and what their private status link shows.

A filed request is an ordinary `AssignmentRequest` of the organization (source `web_form`), so it lands
in the desk's requests list and its matching like one typed at the desk. The person who filed it gets a
status link with a random token; only the token's SHA-256 is stored, so the database alone cannot open
the link. The status page tells one of four states and nothing else (no guide, no personal data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.assignments.models import Assignment, AssignmentRequest, PartnerInstitution
from server.audit.log import record_event
from server.organizations.models import Organization
from server.public.models import PublicProfile

# What the status page can say, in the order a request passes through them.
PUBLIC_STATES = ("received", "matching", "guide_found", "closed")


@dataclass(frozen=True)
class FiledRequest:
    """What the public form asks for: the complete description the city's standards want."""

    institution: str
    contact_name: str
    contact_email: str
    contact_phone: str
    field: str
    description: str
    language: str
    dialect: str
    district: str
    starts_on: dt.date
    ends_on: dt.date
    expected_minutes: int
    people_count: int
    client_consents_to_contact: bool


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def public_organization(session: Session, slug: str) -> tuple[Organization, PublicProfile | None] | None:
    """The organization behind a public address, with its public profile (None: never set up)."""
    org = session.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        return None
    return org, session.get(PublicProfile, org.id)


def _partner_for(session: Session, organization_id: int, filed: FiledRequest) -> PartnerInstitution:
    """The partner institution already known by this name and email, or a new one. An anonymous form
    never changes a known partner's details: a different name or email makes a new partner."""
    partner = session.scalar(select(PartnerInstitution).where(
        PartnerInstitution.organization_id == organization_id,
        func.lower(PartnerInstitution.name) == filed.institution.lower(),
        func.lower(PartnerInstitution.contact_email) == filed.contact_email.lower(),
    ).order_by(PartnerInstitution.id).limit(1))
    if partner is None:
        partner = PartnerInstitution(organization_id=organization_id, name=filed.institution,
                                     district=filed.district, contact_name=filed.contact_name,
                                     contact_email=filed.contact_email, contact_phone=filed.contact_phone)
        session.add(partner)
        session.flush()
    return partner


def file_request(session: Session, organization_id: int, filed: FiledRequest) -> tuple[AssignmentRequest, str]:
    """Store a complete request from the public form; returns it and the status link's token (shown once,
    in the confirmation mail). The caller commits."""
    partner = _partner_for(session, organization_id, filed)
    token = secrets.token_urlsafe(24)
    row = AssignmentRequest(
        organization_id=organization_id, partner_id=partner.id, source="web_form", state="open",
        field=filed.field, language=filed.language.lower(), dialect=filed.dialect, district=filed.district,
        starts_on=filed.starts_on, ends_on=filed.ends_on, expected_minutes=filed.expected_minutes,
        people_count=filed.people_count, description=filed.description,
        contact=f"{filed.contact_name}, {filed.contact_phone}, {filed.contact_email}"[:300],
        client_consents_to_contact=filed.client_consents_to_contact, status_token_hash=token_hash(token),
    )
    session.add(row)
    session.flush()
    record_event("request.filed_on_web_form", organization_id, object_type="request", object_id=row.id,
                 details={"partner_id": partner.id})
    return row, token


def request_by_token(session: Session, token: str) -> AssignmentRequest | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(select(AssignmentRequest).where(AssignmentRequest.status_token_hash == token_hash(token)))


def public_state(session: Session, row: AssignmentRequest) -> str:
    """received → matching (an assignment is being offered) → guide found → closed."""
    if row.state in ("closed", "cancelled"):
        return "closed"
    states = set(session.scalars(select(Assignment.state).where(
        Assignment.organization_id == row.organization_id, Assignment.request_id == row.id,
        Assignment.deleted_at.is_(None))))
    if row.state == "matched" or states & {"active", "ended"}:
        return "guide_found"
    if states & {"draft", "offered"}:
        return "matching"
    return "received"


def requests_by_source(session: Session, organization_id: int) -> dict[str, int]:
    """How many of the organization's requests came in by which way (the desk's requests page)."""
    rows = session.execute(select(AssignmentRequest.source, func.count()).where(
        AssignmentRequest.organization_id == organization_id).group_by(AssignmentRequest.source))
    return {source: count for source, count in rows}


def organization_name(session: Session, row: AssignmentRequest) -> str:
    org = session.get(Organization, row.organization_id)
    return org.name if org else ""
