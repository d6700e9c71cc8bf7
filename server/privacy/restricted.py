"""The finance view of restricted booking records (DSGVO Art. 18 after an Art. 17 erasure).

An erased guide's expenses, claims, receipts and the payout items paid to them stay until their
`restricted_until` day (§ 147 AO; server/privacy/erasure.py). Restricted means: stored, not used —
only this view shows them, for an audit or a tax inspection, and every look at a receipt is audited
by the caller. The guide appears under their pseudonym ("Gelöschte Person #<id>").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import Membership, User
from server.expenses.models import Claim, Expense, ExpenseReceipt
from server.money.models import Payout, PayoutItem


@dataclass
class Payment:
    item: PayoutItem
    payout: Payout


@dataclass
class ErasedGuideRecords:
    guide: User  # already pseudonymised
    expenses: list[Expense] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)

    @property
    def expense_cents(self) -> int:
        return sum(e.amount_cents for e in self.expenses if e.deleted_at is None)

    @property
    def paid_cents(self) -> int:
        return sum(p.item.amount_cents for p in self.payments if p.payout.state != "cancelled")

    @property
    def restricted_until(self) -> dt.date | None:
        """The last day any of these records must be kept."""
        days = [e.restricted_until for e in self.expenses if e.restricted_until is not None]
        days += [c.restricted_until for c in self.claims if c.restricted_until is not None]
        return max(days) if days else None


def restricted_records(session: Session, organization_id: int) -> list[ErasedGuideRecords]:
    """Per erased guide of the organization, their restricted money records (oldest erasure first)."""
    guides = list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, Membership.role == "guide",
               User.erased_at.is_not(None))
        .order_by(User.erased_at, User.id)))
    result = {g.id: ErasedGuideRecords(g) for g in guides}
    if not result:
        return []
    ids = list(result)
    for expense in session.scalars(select(Expense).where(
            Expense.organization_id == organization_id, Expense.guide_id.in_(ids),
            Expense.restricted_until.is_not(None)).order_by(Expense.date, Expense.id)):
        result[expense.guide_id].expenses.append(expense)
    for claim in session.scalars(select(Claim).where(
            Claim.organization_id == organization_id, Claim.guide_id.in_(ids),
            Claim.restricted_until.is_not(None)).order_by(Claim.month)):
        result[claim.guide_id].claims.append(claim)
    for item, payout in session.execute(
            select(PayoutItem, Payout).join(Payout, Payout.id == PayoutItem.payout_id)
            .where(PayoutItem.organization_id == organization_id, PayoutItem.guide_id.in_(ids))
            .order_by(Payout.created_at, PayoutItem.id)):
        result[item.guide_id].payments.append(Payment(item, payout))
    return [r for r in result.values() if r.expenses or r.claims or r.payments]


def restricted_receipt(session: Session, organization_id: int, receipt_id: int) -> tuple[ExpenseReceipt, Expense] | None:
    """A receipt of a restricted expense of the organization, or None (also for anything not restricted)."""
    receipt = session.get(ExpenseReceipt, receipt_id)
    expense = session.get(Expense, receipt.expense_id) if receipt is not None else None
    if receipt is None or expense is None or expense.organization_id != organization_id \
            or expense.restricted_until is None:
        return None
    return receipt, expense
