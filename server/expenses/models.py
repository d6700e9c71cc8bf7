"""Expenses (Auslagen, Fahrtkosten) with receipts and monthly claims (Abrechnung); payouts are money's
(`server/money/models.py`).

Money is integer cents (EUR) everywhere; the database refuses negative amounts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from sync.clock import utcnow
from sync.records import SyncedRecord
from sync.vocabulary import CLAIM_STATES, EXPENSE_CATEGORIES, EXPENSE_STATES, sql_in


class Expense(SyncedRecord, db.Model):
    """Synced as `expense`; locked for the guide once submitted."""

    __tablename__ = "expenses"
    __table_args__ = (
        UniqueConstraint("id", "organization_id"),
        ForeignKeyConstraint(["guide_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             name="fk_expenses_guide"),
        ForeignKeyConstraint(["activity_id", "organization_id"], ["activities.id", "activities.organization_id"],
                             name="fk_expenses_activity"),
        ForeignKeyConstraint(["claim_id", "organization_id"], ["claims.id", "claims.organization_id"],
                             name="fk_expenses_claim"),
        CheckConstraint("amount_cents >= 0", name="amount_non_negative"),
        CheckConstraint("km IS NULL OR km BETWEEN 0 AND 5000", name="km_range"),
        CheckConstraint(sql_in("category", EXPENSE_CATEGORIES), name="category_known"),
        CheckConstraint(sql_in("state", EXPENSE_STATES), name="state_known"),
        SyncedRecord.version_check(),
        Index("ix_expenses_guide_date", "guide_id", "date"),
    )

    guide_id: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    km: Mapped[int | None] = mapped_column(Integer, default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    activity_id: Mapped[str | None] = mapped_column(String(36), default=None)
    state: Mapped[str] = mapped_column(String(12), default="open")
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    # The rejections the guide has answered by correcting the expense, oldest first (rules.py:
    # reopened_by_guide): [{"reason", "rejected_at", "claim_id"}, …]. The decision's history stays.
    rejections: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list, server_default="[]")
    claim_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    # Processing restricted (DSGVO Art. 18) after the guide's erasure: kept for the books until this day,
    # shown only to the finance view (server/privacy/erasure.py).
    restricted_until: Mapped[dt.date | None] = mapped_column(Date, default=None)

    receipts: Mapped[list[ExpenseReceipt]] = relationship(
        cascade="all, delete-orphan", order_by="ExpenseReceipt.position", lazy="selectin"
    )


class ExpenseReceipt(db.Model):
    """A receipt image referenced by content hash; the blob may arrive after the expense ("pending")."""

    __tablename__ = "expense_receipts"
    __table_args__ = (UniqueConstraint("expense_id", "sha256"),
                      CheckConstraint("length(sha256) = 64", name="sha256_length"))

    id: Mapped[int] = mapped_column(primary_key=True)
    expense_id: Mapped[str] = mapped_column(ForeignKey("expenses.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Claim(SyncedRecord, db.Model):
    """A guide's expenses of one month, submitted together. Synced as `claim`.

    The first claim of a month has `sequence` 1; expenses added or corrected after it was submitted go
    into a follow-up claim (Nachtrag) of the same month, `sequence` 2, 3, …, paid like any other.
    """

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("id", "organization_id"),
        UniqueConstraint("guide_id", "month", "sequence"),
        ForeignKeyConstraint(["guide_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             name="fk_claims_guide"),
        ForeignKeyConstraint(["payout_id", "organization_id"], ["payouts.id", "payouts.organization_id"],
                             name="fk_claims_payout"),
        CheckConstraint(sql_in("state", CLAIM_STATES), name="state_known"),
        CheckConstraint("length(month) = 7", name="month_format"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        SyncedRecord.version_check(),
    )

    guide_id: Mapped[int] = mapped_column(Integer)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    sequence: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    state: Mapped[str] = mapped_column(String(12), default="submitted")
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    payout_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    # See Expense.restricted_until.
    restricted_until: Mapped[dt.date | None] = mapped_column(Date, default=None)

    @property
    def is_followup(self) -> bool:
        return (self.sequence or 1) > 1
