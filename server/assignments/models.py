"""Partner institutions, their requests (Einsatzanfragen), and assignments (Einsätze) offered to guides.

Clients (Integrationsuchende) are stored pseudonymously: a code, a language, a household size.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from sync.clock import utcnow
from sync.db import UUIDString, new_uuid
from sync.records import SyncedRecord
from sync.vocabulary import ASSIGNMENT_STATES, OFFER_STATES, REQUEST_STATES, sql_in

# How a request came in: typed at the desk (from a call or an email) or filed on the public form.
REQUEST_SOURCES = ("desk", "web_form")


class PartnerInstitution(db.Model):
    __tablename__ = "partner_institutions"
    __table_args__ = (UniqueConstraint("id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60), default="")  # school, job centre, clinic, …
    district: Mapped[str | None] = mapped_column(String(40), default=None)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")


class Client(db.Model):
    """A person seeking help, pseudonymous by default: no name field exists."""

    __tablename__ = "clients"
    __table_args__ = (
        UniqueConstraint("organization_id", "code"),
        UniqueConstraint("id", "organization_id"),
        CheckConstraint("household_size IS NULL OR household_size >= 1", name="household_positive"),
    )

    id: Mapped[str] = mapped_column(UUIDString(), primary_key=True, default=new_uuid)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))  # e.g. "K-2026-014" or initials
    language: Mapped[str] = mapped_column(String(12), default="")
    household_size: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class AssignmentRequest(db.Model):
    """A partner's request with the complete description of the wanted assignment (seed: "vollständige
    Beschreibung"); an incomplete one is kept and flagged, never lost."""

    __tablename__ = "assignment_requests"
    __table_args__ = (
        UniqueConstraint("id", "organization_id"),
        ForeignKeyConstraint(
            ["partner_id", "organization_id"], ["partner_institutions.id", "partner_institutions.organization_id"],
            name="fk_assignment_requests_partner",
        ),
        CheckConstraint(sql_in("state", REQUEST_STATES), name="state_known"),
        CheckConstraint("expected_minutes IS NULL OR expected_minutes >= 0", name="effort_non_negative"),
        CheckConstraint("people_count IS NULL OR people_count >= 1", name="people_positive"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="period_ordered"),
        CheckConstraint(sql_in("source", REQUEST_SOURCES), name="source_known"),
    )

    REQUIRED_FIELDS = ("field", "language", "district", "starts_on", "ends_on", "expected_minutes",
                       "contact", "people_count")

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int | None] = mapped_column(Integer, default=None)
    field: Mapped[str | None] = mapped_column(String(40), default=None)  # specialisation or general
    language: Mapped[str | None] = mapped_column(String(12), default=None)
    dialect: Mapped[str] = mapped_column(String(60), default="")
    district: Mapped[str | None] = mapped_column(String(40), default=None)
    starts_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    expected_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    contact: Mapped[str] = mapped_column(String(300), default="")
    people_count: Mapped[int | None] = mapped_column(Integer, default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(12), default="desk", server_default="desk")
    # Whether the person seeking help agreed to be contacted by the guide (asked on the public form).
    client_consents_to_contact: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # SHA-256 of the private status link's token (server/public/requests.py); the token itself is not kept.
    status_token_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)

    partner: Mapped[PartnerInstitution | None] = relationship(
        primaryjoin="foreign(AssignmentRequest.partner_id) == PartnerInstitution.id", viewonly=True
    )

    @property
    def missing_fields(self) -> list[str]:
        return [f for f in self.REQUIRED_FIELDS if getattr(self, f) in (None, "")]


class Assignment(SyncedRecord, db.Model):
    """A time-limited agreement: guide + client + period + planned effort. Synced as `assignment`."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("id", "organization_id"),
        ForeignKeyConstraint(["client_id", "organization_id"], ["clients.id", "clients.organization_id"],
                             name="fk_assignments_client"),
        ForeignKeyConstraint(["request_id", "organization_id"],
                             ["assignment_requests.id", "assignment_requests.organization_id"],
                             name="fk_assignments_request"),
        ForeignKeyConstraint(["guide_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             name="fk_assignments_guide"),
        CheckConstraint(sql_in("state", ASSIGNMENT_STATES), name="state_known"),
        CheckConstraint("planned_minutes IS NULL OR planned_minutes >= 0", name="effort_non_negative"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_ordered"),
        SyncedRecord.version_check(),
    )

    request_id: Mapped[int | None] = mapped_column(Integer, default=None)
    client_id: Mapped[str | None] = mapped_column(UUIDString(), default=None)
    guide_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    field: Mapped[str | None] = mapped_column(String(40), default=None)
    language: Mapped[str | None] = mapped_column(String(12), default=None)
    district: Mapped[str | None] = mapped_column(String(40), default=None)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    planned_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    # Set when the retention period anonymised this closed agreement (server/privacy/retention.py).
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    client: Mapped[Client | None] = relationship(
        primaryjoin="foreign(Assignment.client_id) == Client.id", viewonly=True
    )
    offers: Mapped[list[AssignmentOffer]] = relationship(back_populates="assignment", cascade="all, delete-orphan")


class AssignmentOffer(db.Model):
    """An assignment offered to one guide; the first acceptance wins, the others become `taken`."""

    __tablename__ = "assignment_offers"
    __table_args__ = (
        UniqueConstraint("assignment_id", "guide_id"),
        ForeignKeyConstraint(["assignment_id", "organization_id"], ["assignments.id", "assignments.organization_id"],
                             ondelete="CASCADE", name="fk_assignment_offers_assignment"),
        ForeignKeyConstraint(["guide_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             ondelete="CASCADE", name="fk_assignment_offers_guide"),
        CheckConstraint(sql_in("state", OFFER_STATES), name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[str] = mapped_column(UUIDString(), index=True)
    guide_id: Mapped[int] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(12), default="offered")
    offered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    assignment: Mapped[Assignment] = relationship(back_populates="offers")
