"""A guide's year-end statement (PDF) for their tax return: flat allowances paid in the calendar year per
legal basis against its tax-free limit, and — apart from them — the reimbursed expenses (not income)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from server.accounts.models import Membership, User
from server.expenses.models import Payout
from server.extensions import db
from server.money.errors import MoneyError
from server.money.limits import LEGAL_BASIS_LABELS, year_statement
from server.money.models import PayoutItem
from server.money.pdf import Document
from server.organizations.models import Organization
from sync import clock


def _eur(cents: int | None) -> str:
    return "–" if cents is None else format_decimal(Decimal(cents).scaleb(-2), "#,##0.00") + " €"


def reimbursed_cents(organization_id: int, guide_id: int, year: int) -> int:
    return int(db.session.scalar(
        select(func.coalesce(func.sum(PayoutItem.expense_cents), 0)).join(Payout, Payout.id == PayoutItem.payout_id)
        .where(PayoutItem.guide_id == guide_id, Payout.organization_id == organization_id, Payout.state == "paid",
               Payout.paid_on >= dt.date(year, 1, 1), Payout.paid_on < dt.date(year + 1, 1, 1))) or 0)


def year_statement_pdf(organization_id: int, guide_id: int, year: int) -> bytes:
    member = db.session.scalar(select(Membership).where(Membership.user_id == guide_id,
                                                        Membership.organization_id == organization_id))
    org, guide = db.session.get(Organization, organization_id), db.session.get(User, guide_id)
    if member is None or org is None or guide is None:
        raise MoneyError("not_found")
    with force_locale("de"):  # a document for the German tax office
        title = _("Statement of allowances paid in %(year)s", year=year)
        pdf = Document(title, footer=org.name)
        pdf.alias_nb_pages()
        pdf.add_page()
        pdf.heading(title)
        pdf.paragraph(f"{guide.name}\n{org.name}", size=11, bold=True)
        pdf.ln(3)
        rows = [[str(LEGAL_BASIS_LABELS[s.legal_basis]), _eur(s.paid_cents), _eur(s.limit_cents), s.label]
                for s in year_statement(guide_id, year)]
        pdf.data_table([_("Legal basis"), _("Paid"), _("Tax-free limit"), _("Status")], rows)
        pdf.paragraph(_("Reimbursed expenses paid in the year (not income): %(amount)s",
                        amount=_eur(reimbursed_cents(organization_id, guide_id, year))), size=10)
        pdf.ln(4)
        pdf.paragraph(_("Counted in the year of payment. Made on %(day)s.",
                        day=format_date(clock.today(), "long")), size=8)
        return pdf.output_bytes()
