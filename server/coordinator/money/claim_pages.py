"""What the claim pages show: the filtered claim list and one claim's items, receipts and allowances.

Read-only queries over the money domain (`server/money/`); the decisions themselves stay in
`server.money.operations` and `server.money.allowances`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from server.accounts.models import Membership, User
from server.blobs.models import Blob
from server.expenses.models import Claim, Expense, ExpenseReceipt
from server.extensions import db
from server.money.allowances import allowance_warning
from server.money.limits import LimitStatus, guide_limit_status
from server.money.models import LEGAL_BASES, AllowanceLine
from server.money.operations import ClaimTotals, claim_expenses, claim_totals

PAGE_SIZE = 50
CLAIM_STATES = ("submitted", "decided", "paid")
# Waiting for review first, then decided ones waiting for a payout, then paid ones.
_STATE_ORDER = case({"submitted": 0, "decided": 1, "paid": 2}, value=Claim.state, else_=3)
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Limit states the claim page warns about (before the limit is exceeded, and once it is).
WARN_STATES = ("near", "at", "over")



@dataclass(frozen=True)
class ClaimFilters:
    state: str = ""
    guide_id: int | None = None
    month: str = ""

    def query_args(self) -> dict[str, str]:
        args = {"state": self.state, "guide": str(self.guide_id or ""), "month": self.month}
        return {key: value for key, value in args.items() if value}


def parse_claim_filters(args: Mapping[str, str]) -> ClaimFilters:
    """Unknown or malformed filter values are ignored (the list then shows more, never an error)."""
    state = args.get("state", "")
    guide = args.get("guide", "")
    month = args.get("month", "")
    return ClaimFilters(state=state if state in CLAIM_STATES else "",
                        guide_id=int(guide) if guide.isdigit() and len(guide) < 10 else None,
                        month=month if _MONTH.match(month) else "")


@dataclass(frozen=True)
class ClaimRow:
    claim: Claim
    guide_name: str
    totals: ClaimTotals


@dataclass
class ClaimList:
    rows: list[ClaimRow]
    total: int
    page: int
    pages: int


def search_claims(organization_id: int, filters: ClaimFilters, page: int, page_size: int = PAGE_SIZE) -> ClaimList:
    query = (select(Claim, User.name).join(User, User.id == Claim.guide_id)
             .where(Claim.organization_id == organization_id, Claim.deleted_at.is_(None),
                    Claim.restricted_until.is_(None)))
    if filters.state:
        query = query.where(Claim.state == filters.state)
    if filters.guide_id:
        query = query.where(Claim.guide_id == filters.guide_id)
    if filters.month:
        query = query.where(Claim.month == filters.month)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(page, pages)
    rows = db.session.execute(query.order_by(_STATE_ORDER, Claim.month.desc(), User.name, Claim.id)
                              .limit(page_size).offset((page - 1) * page_size)).all()
    return ClaimList([ClaimRow(claim, name, claim_totals(claim)) for claim, name in rows], total, page, pages)


def claim_guide_choices(organization_id: int) -> list[tuple[int, str]]:
    """The organization's guides who have a claim, for the filter."""
    return [(row[0], row[1]) for row in db.session.execute(
        select(User.id, User.name).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, Membership.role == "guide",
               User.id.in_(select(Claim.guide_id).where(Claim.organization_id == organization_id)))
        .order_by(User.name))]


@dataclass(frozen=True)
class Receipt:
    id: int
    content_type: str | None  # None: the phone has not uploaded the file yet

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


@dataclass(frozen=True)
class Item:
    expense: Expense
    receipts: list[Receipt]

    @property
    def cents_per_km(self) -> int | None:
        """A mileage item's amount is km × the rate of its day, computed by the server: so the rate is exact."""
        expense = self.expense
        if expense.category != "mileage" or not expense.km:
            return None
        return expense.amount_cents // expense.km


@dataclass
class AllowanceView:
    line: AllowanceLine
    warning: LimitStatus  # the year's standing if this line is paid too

    @property
    def warn(self) -> bool:
        return self.warning.state in WARN_STATES


@dataclass
class ClaimPage:
    claim: Claim
    guide: User
    totals: ClaimTotals
    items: list[Item]
    allowances: list[AllowanceView]
    year_limits: list[LimitStatus] = field(default_factory=list)
    # Items rejected in this claim that the guide corrected and sent again: (expense, the claim it is in now)
    resent: list[tuple[Expense, Claim | None]] = field(default_factory=list)


def resent_from(claim: Claim) -> list[tuple[Expense, Claim | None]]:
    """The guide's expenses whose latest answered rejection was made in `claim` (rules.reopened_by_guide)."""
    candidates = db.session.scalars(select(Expense).where(
        Expense.organization_id == claim.organization_id, Expense.guide_id == claim.guide_id,
        Expense.deleted_at.is_(None), Expense.claim_id.is_distinct_from(claim.id)).order_by(Expense.date))
    found = [e for e in candidates if e.rejections and e.rejections[-1].get("claim_id") == claim.id]
    now_in = {c.id: c for c in db.session.scalars(select(Claim).where(
        Claim.id.in_([e.claim_id for e in found if e.claim_id])))} if found else {}
    return [(e, now_in.get(e.claim_id or "")) for e in found]


def claim_page(claim: Claim) -> ClaimPage:
    guide = db.session.get(User, claim.guide_id)
    assert guide is not None
    expenses = claim_expenses(claim)
    receipts = db.session.execute(
        select(ExpenseReceipt.expense_id, ExpenseReceipt.id, Blob.content_type)
        .outerjoin(Blob, (Blob.sha256 == ExpenseReceipt.sha256) & (Blob.organization_id == claim.organization_id))
        .where(ExpenseReceipt.expense_id.in_([e.id for e in expenses]))
        .order_by(ExpenseReceipt.position, ExpenseReceipt.id)).all()
    by_expense: dict[str, list[Receipt]] = {}
    for expense_id, receipt_id, content_type in receipts:
        by_expense.setdefault(expense_id, []).append(Receipt(receipt_id, content_type))
    lines = list(db.session.scalars(select(AllowanceLine).where(
        AllowanceLine.organization_id == claim.organization_id, AllowanceLine.guide_id == claim.guide_id,
        AllowanceLine.month == claim.month).order_by(AllowanceLine.legal_basis)))
    year = int(claim.month[:4])
    return ClaimPage(
        claim=claim, guide=guide, totals=claim_totals(claim),
        items=[Item(e, by_expense.get(e.id, [])) for e in expenses],
        allowances=[AllowanceView(line, allowance_warning(line)) for line in lines],
        year_limits=[guide_limit_status(claim.guide_id, year, basis) for basis in LEGAL_BASES],
        resent=resent_from(claim))
