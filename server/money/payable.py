"""What is ready to be paid, chosen by a rule (a month, a guide, or both) and counted in the database.

A big organization has thousands of payable claims (500 guides × 10 months): the new-payout page shows
the totals per month and one page of entries at a time, and a payout is made from the rule, not from a
list of ids the page would have to carry. The same conditions as `operations.payable_claims` /
`payable_allowance_lines` (decided claims with an approved item, approved allowance lines, no payout).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select

from server.accounts.models import User
from server.expenses.models import Claim, Expense
from server.extensions import db
from server.money.models import AllowanceLine

PAGE_SIZE = 100
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Rule:
    """Which payable entries a payout takes: all of them, one month's, one guide's, or both."""

    month: str = ""
    guide_id: int | None = None

    def query_args(self) -> dict[str, str]:
        args = {"month": self.month, "guide": str(self.guide_id or "")}
        return {key: value for key, value in args.items() if value}


def parse_rule(args: Mapping[str, str]) -> Rule:
    """Malformed values are ignored (the rule then takes more, and the page shows how much)."""
    month, guide = args.get("month", ""), args.get("guide", "")
    return Rule(month=month if _MONTH.match(month) else "",
                guide_id=int(guide) if guide.isdigit() and len(guide) < 10 else None)


def _claims(organization_id: int, rule: Rule) -> Select[tuple[str, int, str, int]]:
    """(claim id, guide id, month, approved cents) of each payable claim under the rule: one pass over
    the claims' items (approved and paid ones count; at least one approved)."""
    counted = Expense.state.in_(("approved", "paid"))
    query = (select(Claim.id, Claim.guide_id, Claim.month,
                    func.sum(case((counted, Expense.amount_cents), else_=0)).label("cents"))
             .join(Expense, Expense.claim_id == Claim.id)
             .where(Claim.organization_id == organization_id, Claim.state == "decided", Claim.payout_id.is_(None),
                    Claim.deleted_at.is_(None), Expense.deleted_at.is_(None))
             .group_by(Claim.id, Claim.guide_id, Claim.month)
             .having(func.sum(case((Expense.state == "approved", 1), else_=0)) > 0))
    if rule.month:
        query = query.where(Claim.month == rule.month)
    if rule.guide_id:
        query = query.where(Claim.guide_id == rule.guide_id)
    return query


def _lines(organization_id: int, rule: Rule) -> Select[tuple[AllowanceLine]]:
    query = select(AllowanceLine).where(AllowanceLine.organization_id == organization_id,
                                        AllowanceLine.state == "approved", AllowanceLine.payout_id.is_(None))
    if rule.month:
        query = query.where(AllowanceLine.month == rule.month)
    if rule.guide_id:
        query = query.where(AllowanceLine.guide_id == rule.guide_id)
    return query


@dataclass(frozen=True)
class Totals:
    claims: int = 0
    claim_cents: int = 0
    lines: int = 0
    line_cents: int = 0

    @property
    def cents(self) -> int:
        return self.claim_cents + self.line_cents

    @property
    def entries(self) -> int:
        return self.claims + self.lines


@dataclass(frozen=True)
class MonthTotals:
    month: str
    totals: Totals


def by_month(organization_id: int, guide_id: int | None = None) -> list[MonthTotals]:
    """Every month with something payable (of one guide, if given), oldest first, with its totals."""
    rule = Rule(guide_id=guide_id)
    claims = _claims(organization_id, rule).subquery()
    months: dict[str, Totals] = {}
    for month, count, cents in db.session.execute(
            select(claims.c.month, func.count(), func.sum(claims.c.cents)).group_by(claims.c.month)):
        months[month] = Totals(int(count), int(cents or 0))
    lines = _lines(organization_id, rule).subquery()
    for month, count, cents in db.session.execute(
            select(lines.c.month, func.count(), func.sum(lines.c.amount_cents)).group_by(lines.c.month)):
        before = months.get(month, Totals())
        months[month] = Totals(before.claims, before.claim_cents, int(count), int(cents or 0))
    return [MonthTotals(month, months[month]) for month in sorted(months)]


def totals(organization_id: int, rule: Rule) -> Totals:
    return sum_of(by_month(organization_id, rule.guide_id), rule.month)


def sum_of(months: list[MonthTotals], month: str = "") -> Totals:
    """The totals of every month listed, or of the one month given."""
    rows = [row.totals for row in months if not month or row.month == month]
    return Totals(sum(t.claims for t in rows), sum(t.claim_cents for t in rows), sum(t.lines for t in rows),
                  sum(t.line_cents for t in rows))


def guides(organization_id: int) -> list[tuple[int, str]]:
    """The guides with something payable, by name (for choosing one)."""
    claims = _claims(organization_id, Rule()).subquery()
    lines = _lines(organization_id, Rule()).subquery()
    ids = select(claims.c.guide_id).union(select(lines.c.guide_id)).subquery()
    return [(row[0], row[1]) for row in db.session.execute(
        select(User.id, User.name).join(ids, ids.c[0] == User.id).order_by(User.name, User.id))]


@dataclass(frozen=True)
class ClaimEntry:
    id: str
    guide_id: int
    guide_name: str
    month: str
    cents: int
    sequence: int = 1  # 2, 3, …: a follow-up claim (Nachtrag) of the same month


def claim_page(organization_id: int, rule: Rule, page: int, page_size: int) -> list[ClaimEntry]:
    claims = _claims(organization_id, rule).subquery()
    rows = db.session.execute(
        select(claims.c.id, claims.c.guide_id, User.name, claims.c.month, claims.c.cents, Claim.sequence)
        .join(User, User.id == claims.c.guide_id).join(Claim, Claim.id == claims.c.id)
        .order_by(claims.c.month, User.name, Claim.sequence, claims.c.id).limit(page_size).offset((page - 1) * page_size))
    return [ClaimEntry(claim_id, guide_id, name, month, int(cents), int(sequence or 1))
            for claim_id, guide_id, name, month, cents, sequence in rows]


def line_page(organization_id: int, rule: Rule, page: int, page_size: int) -> list[AllowanceLine]:
    return list(db.session.scalars(_lines(organization_id, rule)
                                   .order_by(AllowanceLine.month, AllowanceLine.guide_id, AllowanceLine.id)
                                   .limit(page_size).offset((page - 1) * page_size)))


def chosen(organization_id: int, rule: Rule, except_claims: Collection[str] = (),
           except_lines: Collection[int] = ()) -> tuple[list[str], list[int]]:
    """The ids a payout under the rule takes: every payable entry of the rule but the ones left out."""
    claims = _claims(organization_id, rule).subquery()
    claim_ids = [row for row in db.session.scalars(select(claims.c.id)) if row not in except_claims]
    line_ids = [row for row in db.session.scalars(select(_lines(organization_id, rule).subquery().c.id))
                if row not in except_lines]
    return sorted(claim_ids), sorted(line_ids)
