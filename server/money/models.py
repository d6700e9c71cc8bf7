"""Money beyond single expenses: flat allowances, tax-free limits, payouts and their lines, volunteer certificates.

Two kinds of money reach a guide and are kept apart everywhere:

* *Auslagenersatz* — receipted reimbursement of actual costs: the `Expense` rows of a `Claim`.
* *Aufwandsentschädigung* — a flat allowance per hour, meeting or month, computed from approved
  activities into one `AllowanceLine` per guide, month and legal basis. Only these count against the
  tax-free limits of § 3 Nr. 26 / Nr. 26a EStG, whose amounts are rows of `TaxFreeLimit`, per year.

All amounts are integer cents (EUR); the database refuses negative ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from sync.clock import utcnow
from sync.vocabulary import PAYOUT_STATES, sql_in

# § 3 Nr. 26a EStG (Ehrenamtspauschale) and § 3 Nr. 26 EStG (Übungsleiterpauschale).
LEGAL_BASES = ("ehrenamt_26a", "uebungsleiter_26")
ALLOWANCE_UNITS = ("hour", "meeting", "month")
ALLOWANCE_LINE_STATES = ("computed", "approved", "paid")


class AllowanceRate(db.Model):
    """A flat allowance (cents per hour, meeting or month) under one legal basis, valid from a date.

    It covers the activity kinds listed in `activity_kinds` (empty: every kind) until the next rate
    of the same organization, unit and legal basis; a rate of 0 cents ends a scheme.
    """

    __tablename__ = "allowance_rates"
    __table_args__ = (
        UniqueConstraint("organization_id", "unit", "legal_basis", "valid_from"),
        CheckConstraint("cents >= 0", name="cents_non_negative"),
        CheckConstraint(sql_in("unit", ALLOWANCE_UNITS), name="unit_known"),
        CheckConstraint(sql_in("legal_basis", LEGAL_BASES), name="legal_basis_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(10))
    legal_basis: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    cents: Mapped[int] = mapped_column(Integer)
    activity_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)

    def covers(self, kind: str) -> bool:
        return not self.activity_kinds or kind in self.activity_kinds


class AllowanceLine(db.Model):
    """A guide's flat allowance for one month under one legal basis, computed from approved activities.

    `computed` lines are recomputed freely; an `approved` line's amount is locked and may go into one
    payout; `paid_on` (the payout's day) decides the calendar year it counts in (Zuflussprinzip).
    """

    __tablename__ = "allowance_lines"
    __table_args__ = (
        UniqueConstraint("guide_id", "month", "legal_basis"),
        ForeignKeyConstraint(["guide_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             name="fk_allowance_lines_guide"),
        ForeignKeyConstraint(["payout_id", "organization_id"], ["payouts.id", "payouts.organization_id"],
                             name="fk_allowance_lines_payout"),
        CheckConstraint("amount_cents >= 0", name="amount_non_negative"),
        CheckConstraint("minutes >= 0 AND meetings >= 0", name="counts_non_negative"),
        CheckConstraint("length(month) = 7", name="month_format"),
        CheckConstraint(sql_in("legal_basis", LEGAL_BASES), name="legal_basis_known"),
        CheckConstraint(sql_in("state", ALLOWANCE_LINE_STATES), name="state_known"),
        CheckConstraint("state <> 'paid' OR paid_on IS NOT NULL", name="paid_has_date"),
        Index("ix_allowance_lines_ledger", "guide_id", "legal_basis", "paid_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    guide_id: Mapped[int] = mapped_column(Integer)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    legal_basis: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    meetings: Mapped[int] = mapped_column(Integer, default=0)
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    # How the amount came about: [{"unit", "cents", "quantity", "amount_cents", "valid_from"}, …]
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(10), default="computed")
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    payout_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    paid_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class TaxFreeLimit(db.Model):
    """The yearly tax-free amount of one legal basis — a setting, changed by law, never a constant."""

    __tablename__ = "tax_free_limits"
    __table_args__ = (
        UniqueConstraint("year", "legal_basis"),
        CheckConstraint("amount_cents >= 0", name="amount_non_negative"),
        CheckConstraint(sql_in("legal_basis", LEGAL_BASES), name="legal_basis_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    legal_basis: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(Integer)


class Payout(db.Model):
    """A batch of approved claims exported for payment; frozen once exported, only cancellable."""

    __tablename__ = "payouts"
    __table_args__ = (
        UniqueConstraint("id", "organization_id"),
        CheckConstraint(sql_in("state", PAYOUT_STATES), name="state_known"),
        CheckConstraint("total_cents >= 0", name="total_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    total_cents: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str] = mapped_column(String(35), default="")
    # Set when exported: the SEPA message id and the requested execution day.
    message_id: Mapped[str] = mapped_column(String(35), default="", server_default="")
    execution_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    paid_on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # the bank's day; reports count by it
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    exported_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    paid_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Cancelled after export: the coordinator confirmed the bank did not execute the file. Its message id
    # stays here, void (a new export makes a new one), and the claims and allowance lines it held are
    # listed so that their next payout page can say where they were.
    bank_not_executed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    released_claim_ids: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    released_line_ids: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")


class PayoutItem(db.Model):
    """One credit transfer of a payout: everything one guide receives, frozen when the payout is made.

    Name, IBAN and BIC are copied from the profile so that the exported files can be produced again
    unchanged; the claim and allowance line ids stay here even after a cancellation released them.
    """

    __tablename__ = "payout_items"
    __table_args__ = (
        UniqueConstraint("payout_id", "guide_id"),
        ForeignKeyConstraint(["payout_id", "organization_id"], ["payouts.id", "payouts.organization_id"],
                             ondelete="CASCADE", name="fk_payout_items_payout"),
        CheckConstraint("expense_cents >= 0 AND allowance_cents >= 0", name="amounts_non_negative"),
        CheckConstraint("amount_cents = expense_cents + allowance_cents", name="amount_is_sum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    payout_id: Mapped[int] = mapped_column(Integer, index=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(140))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11), default="")
    expense_cents: Mapped[int] = mapped_column(Integer, default=0)
    allowance_cents: Mapped[int] = mapped_column(Integer, default=0)
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    end_to_end_id: Mapped[str] = mapped_column(String(35))
    remittance: Mapped[str] = mapped_column(String(140))
    claim_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    allowance_line_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class Certificate(db.Model):
    """A volunteer certificate as issued: what it states is frozen here, found again by its token."""

    __tablename__ = "certificates"
    __table_args__ = (
        ForeignKeyConstraint(["guide_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             name="fk_certificates_guide"),
        CheckConstraint("period_from <= period_to", name="period_ordered"),
        CheckConstraint("minutes >= 0", name="minutes_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    guide_id: Mapped[int] = mapped_column(Integer, index=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)  # random, URL-safe; the QR code's link
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    guide_name: Mapped[str] = mapped_column(String(200))
    organization_name: Mapped[str] = mapped_column(String(200))
    signer_name: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    # {"accompaniment": 540, …} minutes by kind; [{"kind", "title", "completed_on"}, …]
    minutes_by_kind: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    qualifications: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # the certificate's languages, "de" first
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Set on a course participation certificate (server/courses/operations.py): the course it confirms;
    # `minutes` are then the hours attended and `qualifications` the one the course gives.
    course_title: Mapped[str | None] = mapped_column(String(200), default=None)
