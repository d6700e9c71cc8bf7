"""Tax-free limits: a per-guide, per-calendar-year ledger of paid flat allowances against the law's amounts.

Only *Aufwandsentschädigung* (allowance lines) counts, never reimbursed expenses. A line counts in the
year it was paid (`paid_on`, the inflow principle of § 11 EStG). The amounts per year and legal basis
are rows of `TaxFreeLimit`; a year without a row has no known limit and says so (`unknown`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from server.audit.log import record_event
from server.extensions import db
from server.money.errors import MoneyError
from server.money.models import LEGAL_BASES, AllowanceLine, TaxFreeLimit
from sync.merge import Author

# "near" from this share of the limit on (integer arithmetic: total * 10 >= limit * 9).
NEAR_NUMERATOR, NEAR_DENOMINATOR = 9, 10

LEGAL_BASIS_LABELS = {
    "ehrenamt_26a": _l("Ehrenamtspauschale (§ 3 Nr. 26a EStG)"),
    "uebungsleiter_26": _l("Übungsleiterpauschale (§ 3 Nr. 26 EStG)"),
}
LIMIT_STATE_LABELS = {
    "ok": _l("within the tax-free limit"),
    "near": _l("close to the tax-free limit"),
    "at": _l("tax-free limit reached"),
    "over": _l("tax-free limit exceeded: the excess is taxable"),
    "unknown": _l("no tax-free limit set for this year"),
}


@dataclass(frozen=True)
class LimitStatus:
    year: int
    legal_basis: str
    limit_cents: int | None
    paid_cents: int
    pending_cents: int  # approved or proposed but not paid yet, counted as if paid this year
    state: str  # ok | near | at | over | unknown

    @property
    def total_cents(self) -> int:
        return self.paid_cents + self.pending_cents

    @property
    def remaining_cents(self) -> int | None:
        return None if self.limit_cents is None else max(self.limit_cents - self.total_cents, 0)

    @property
    def label(self) -> str:
        return str(LIMIT_STATE_LABELS[self.state])


def limit_state(total_cents: int, limit_cents: int | None) -> str:
    """ok / near / at / over for an amount against a limit — exact to the cent."""
    if limit_cents is None:
        return "unknown"
    if total_cents > limit_cents:
        return "over"
    if total_cents == limit_cents:
        return "at"
    if total_cents * NEAR_DENOMINATOR >= limit_cents * NEAR_NUMERATOR:
        return "near"
    return "ok"


def tax_free_limit(year: int, legal_basis: str) -> int | None:
    return db.session.scalar(select(TaxFreeLimit.amount_cents).where(
        TaxFreeLimit.year == year, TaxFreeLimit.legal_basis == legal_basis))


def set_tax_free_limit(author: Author, year: int, legal_basis: str, amount_cents: int) -> TaxFreeLimit:
    """Set the yearly amount of a legal basis (an admin's task when the law changes); audited."""
    if legal_basis not in LEGAL_BASES:
        raise MoneyError("invalid", {"legal_basis": ["unknown"]})
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents < 0 \
            or not 2000 <= year <= 2100:
        raise MoneyError("invalid", {"amount_cents": ["range"]})
    row = db.session.scalar(select(TaxFreeLimit).where(TaxFreeLimit.year == year,
                                                       TaxFreeLimit.legal_basis == legal_basis))
    before = None if row is None else row.amount_cents
    if row is None:
        row = TaxFreeLimit(year=year, legal_basis=legal_basis, amount_cents=amount_cents)
        db.session.add(row)
    row.amount_cents = amount_cents
    record_event("money.tax_free_limit_set", None, actor_user_id=author.user_id, object_type="tax_free_limit",
                 object_id=f"{year}:{legal_basis}",
                 details={"year": year, "legal_basis": legal_basis, "amount_cents": amount_cents, "before": before})
    db.session.flush()
    return row


def paid_allowance_cents(guide_id: int, year: int, legal_basis: str) -> int:
    """The ledger: flat allowances of this legal basis paid to the guide in the calendar year."""
    return int(db.session.scalar(select(func.coalesce(func.sum(AllowanceLine.amount_cents), 0)).where(
        AllowanceLine.guide_id == guide_id, AllowanceLine.legal_basis == legal_basis,
        AllowanceLine.state == "paid", AllowanceLine.paid_on >= dt.date(year, 1, 1),
        AllowanceLine.paid_on < dt.date(year + 1, 1, 1))) or 0)


def guide_limit_status(guide_id: int, year: int, legal_basis: str, *, extra_cents: int = 0,
                       include_unpaid: bool = True) -> LimitStatus:
    """Where the guide stands for a year: paid so far, plus approved-unpaid lines, plus `extra_cents`.

    Use `extra_cents` for the warning *before* a payment: "would this line take them over?".
    """
    paid = paid_allowance_cents(guide_id, year, legal_basis)
    pending = extra_cents
    if include_unpaid:
        pending += int(db.session.scalar(select(func.coalesce(func.sum(AllowanceLine.amount_cents), 0)).where(
            AllowanceLine.guide_id == guide_id, AllowanceLine.legal_basis == legal_basis,
            AllowanceLine.state == "approved", AllowanceLine.month.like(f"{year:04d}-%"))) or 0)
    limit = tax_free_limit(year, legal_basis)
    return LimitStatus(year=year, legal_basis=legal_basis, limit_cents=limit, paid_cents=paid,
                       pending_cents=pending, state=limit_state(paid + pending, limit))


def year_statement(guide_id: int, year: int) -> list[LimitStatus]:
    """Per legal basis: what was paid in the year (for the guide's tax return)."""
    return [guide_limit_status(guide_id, year, basis, include_unpaid=False) for basis in LEGAL_BASES]
