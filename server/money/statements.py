"""A guide's year-end statement (PDF) for their tax return: flat allowances paid in the calendar year per
legal basis against its tax-free limit, and — apart from them — the reimbursed expenses (not income)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from server.accounts.models import Membership, User
from server.extensions import db
from server.guides.models import GuideProfile
from server.i18n import text_direction
from server.money.certificates import certificate_languages
from server.money.errors import MoneyError
from server.money.limits import LEGAL_BASIS_LABELS, year_statement
from server.money.models import Payout, PayoutItem
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
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide_id))
    # German first (a document for the German tax office), each statement also in the guide's language
    # when its catalog translates it (the certificate's rule: server/money/certificates.py).
    langs = certificate_languages(guide, profile)
    with force_locale("de"):  # numbers and dates as in Germany
        title = _("Statement of allowances paid in %(year)s", year=year)
        pdf = Document(title, footer=org.name, shaping=any(text_direction(code) == "rtl" for code in langs))
        pdf.alias_nb_pages()
        pdf.add_page()
        pdf.heading(title)
        for code in langs[1:]:
            pdf.in_languages([code], lambda: _("Statement of allowances paid in %(year)s", year=year), 13)
        pdf.paragraph(f"{guide.name}\n{org.name}", size=11, bold=True)
        pdf.ln(3)
        rows = [[" / ".join(_in(code, lambda s=s: str(LEGAL_BASIS_LABELS[s.legal_basis])) for code in langs),
                 _eur(s.paid_cents), _eur(s.limit_cents), s.label]
                for s in year_statement(guide_id, year)]
        pdf.data_table([" / ".join(_in(code, lambda: _("Legal basis")) for code in langs),
                        " / ".join(_in(code, lambda: _("Paid")) for code in langs),
                        " / ".join(_in(code, lambda: _("Tax-free limit")) for code in langs),
                        " / ".join(_in(code, lambda: _("Status")) for code in langs)], rows)
        reimbursed = _eur(reimbursed_cents(organization_id, guide_id, year))
        pdf.in_languages(langs, lambda: _("Reimbursed expenses paid in the year (not income): %(amount)s",
                                          amount=reimbursed), 10)
        pdf.ln(2)
        pdf.in_languages(langs, lambda: _("Counted in the year of payment. Made on %(day)s.",
                                          day=format_date(clock.today(), "long")), 8)
        return pdf.output_bytes()


def _in(code: str, render: Callable[[], str]) -> str:
    with force_locale(code):
        return render()
