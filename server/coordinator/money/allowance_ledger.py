"""A guide's flat allowances per calendar year against the tax-free limits, on the guide page, and the
year-end statement (PDF) for the guide's tax return. The rules live in server/money/limits.py and
statements.py; downloading a statement is audited (it carries personal figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, request
from flask_login import current_user
from sqlalchemy import select

from server.audit.log import record_event
from server.coordinator.admin.forms import BankAccountForm
from server.coordinator.common.access import get_guide_or_404
from server.coordinator.common.auth import current_org_id, staff_required
from server.coordinator.common.files import download
from server.coordinator.guides.certificates import certificate_context
from server.extensions import db
from server.guides.models import GuideProfile
from server.money.bank import masked_iban
from server.money.limits import LEGAL_BASIS_LABELS, LimitStatus, guide_limit_status
from server.money.models import LEGAL_BASES, AllowanceLine
from server.money.statements import year_statement_pdf
from sync import clock


@dataclass
class YearLedger:
    year: int
    statuses: list[LimitStatus]  # per legal basis: paid, approved-but-unpaid, limit, state
    lines: list[AllowanceLine]  # the months' allowance lines of the year


def _years_with_lines(guide_id: int, this_year: int) -> list[int]:
    months = db.session.scalars(select(AllowanceLine.month).where(
        AllowanceLine.guide_id == guide_id, AllowanceLine.organization_id == current_org_id()).distinct())
    paid = db.session.scalars(select(AllowanceLine.paid_on).where(
        AllowanceLine.guide_id == guide_id, AllowanceLine.organization_id == current_org_id(),
        AllowanceLine.paid_on.is_not(None)).distinct())
    years = {int(m[:4]) for m in months} | {d.year for d in paid if d is not None} | {this_year}
    return sorted(years, reverse=True)


def year_ledger(guide_id: int, year: int) -> YearLedger:
    lines = list(db.session.scalars(select(AllowanceLine).where(
        AllowanceLine.guide_id == guide_id, AllowanceLine.organization_id == current_org_id(),
        AllowanceLine.month.like(f"{year:04d}-%")).order_by(AllowanceLine.month, AllowanceLine.legal_basis)))
    return YearLedger(year, [guide_limit_status(guide_id, year, basis) for basis in LEGAL_BASES], lines)


def guide_money_context(guide_id: int, bank_form: BankAccountForm | None = None) -> dict[str, Any]:
    """What the guide page shows of money: the bank account payouts go to, the chosen year's ledger
    and the guide's certificates."""
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide_id))
    if bank_form is None:
        bank_form = BankAccountForm(formdata=None, account_holder=(profile.account_holder if profile else "") or "",
                                    bic=(profile.bic if profile else "") or "")
    bank = {"bank_form": bank_form, "bank_iban": masked_iban(profile.iban) if profile and profile.iban else ""}
    this_year = clock.today().year
    years = _years_with_lines(guide_id, this_year)
    year = request.args.get("year", type=int)
    if year not in years:
        year = this_year
    return {"ledger": year_ledger(guide_id, year), "ledger_years": years, "basis_labels": LEGAL_BASIS_LABELS,
            **certificate_context(guide_id), **bank}


@staff_required
def year_statement(guide_id: int) -> Any:
    guide, _profile = get_guide_or_404(guide_id)
    year = request.args.get("year", type=int)
    if year is None or not 2000 <= year <= 2100:
        abort(400)
    data = year_statement_pdf(current_org_id(), guide.id, year)
    record_event("money.year_statement_downloaded", current_org_id(), actor_user_id=current_user.id,
                 object_type="user", object_id=guide.id, details={"year": year})
    db.session.commit()
    name = f"aufwandsentschaedigung-{year}-{guide.id}.pdf"
    return download(data, "application/pdf", name)
