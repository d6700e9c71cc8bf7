"""The payout's files: a SEPA credit transfer (pain.001, via sepaxml) for the bank and an XLSX for the
finance office. Both are made from the payout's frozen items, so their totals agree to the cent with
`Payout.total_cents` — and with each other."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.table import Table, TableStyleInfo
from sepaxml import SepaTransfer
from sqlalchemy import select

from server.accounts.models import User
from server.expenses.models import Claim, Expense
from server.extensions import db
from server.money.errors import MoneyError
from server.money.limits import LEGAL_BASIS_LABELS
from server.money.models import AllowanceLine, Payout, PayoutItem
from server.money.operations import payout_items
from server.money.reports import CATEGORY_LABELS
from server.money.sepa_text import sepa_text
from server.organizations.models import Organization

# The version German banks take since the DK's change to ISO 20022 (2019 version); the same XSD ships
# with sepaxml and in tests/money/schemas/.
PAIN_SCHEMA = "pain.001.001.09"
EURO_FORMAT = '#,##0.00 "€"'


class _Transfer(SepaTransfer):  # type: ignore[misc]
    """sepaxml with our message id (the payout's, kept for the bank's answers) instead of a random one."""

    def __init__(self, config: dict[str, object], message_id: str) -> None:
        self._message_id = message_id
        # clean=False: sepaxml's own cleaning writes ä as "a"; sepa_text has made every text SEPA-clean.
        super().__init__(config, schema=PAIN_SCHEMA, clean=False)

    def _create_header(self) -> None:
        self.msg_id = self._message_id
        super()._create_header()


def _checked(payout: Payout) -> tuple[Organization, list[PayoutItem]]:
    if payout.state not in ("exported", "paid"):
        raise MoneyError("not_exported", state=payout.state)
    org = db.session.get(Organization, payout.organization_id)
    assert org is not None
    items = payout_items(payout)
    if sum(i.amount_cents for i in items) != payout.total_cents:  # pragma: no cover - a broken invariant
        raise MoneyError("totals_differ")
    return org, items


def sepa_xml(payout: Payout) -> bytes:
    """pain.001 for an exported (or paid) payout; validated against the XSD by sepaxml before return."""
    org, items = _checked(payout)
    if not org.bank_iban:
        raise MoneyError("no_bank_account")
    config = {"name": sepa_text(org.bank_account_holder or org.name, 70), "IBAN": org.bank_iban, "currency": "EUR",
              "batch": True}
    if org.bank_bic:
        config["BIC"] = org.bank_bic
    transfer = _Transfer(config, payout.message_id)
    for item in items:
        payment = {"name": sepa_text(item.name, 70), "IBAN": item.iban, "amount": item.amount_cents,
                   "execution_date": payout.execution_date, "description": sepa_text(item.remittance, 140),
                   "endtoend_id": sepa_text(item.end_to_end_id, 35) or str(item.guide_id)}
        if item.bic:
            payment["BIC"] = item.bic
        transfer.add_payment(payment)
    return _stable(bytes(transfer.export(validate=True)), payout)


def _stable(xml: bytes, payout: Payout) -> bytes:
    """The same file on every download: sepaxml stamps the current time and random batch ids, but the
    finance office must be able to fetch the exported file again and get exactly what went to the bank."""
    assert payout.exported_at is not None
    created = payout.exported_at.strftime("%Y-%m-%dT%H:%M:%S").encode()
    xml = re.sub(rb"<CreDtTm>[^<]*</CreDtTm>", b"<CreDtTm>" + created + b"</CreDtTm>", xml, count=1)
    batch = itertools.count(1)
    # Max35Text: the message id is at most 32 characters (operations.py), so a suffix "-n" fits.
    return re.sub(rb"<PmtInfId>[^<]*</PmtInfId>",
                  lambda _m: f"<PmtInfId>{payout.message_id[:32]}-{next(batch)}</PmtInfId>".encode(), xml)


def payout_xlsx(payout: Payout) -> bytes:
    """One row per transfer (expenses and allowances apart), a total row, and the payout's header."""
    org, items = _checked(payout)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Payout")[:31]
    bold = Font(bold=True)
    header = [
        (_("Organization"), org.name),
        (_("Payout"), payout.reference),
        (_("SEPA message id"), payout.message_id),
        (_("Execution date"), payout.execution_date),
        (_("Debtor account"), org.bank_iban or ""),
    ]
    for label, value in header:
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 1).font = bold
    if payout.execution_date:
        sheet.cell(4, 2).number_format = "DD.MM.YYYY"
    sheet.append([])
    columns = [_("Account holder"), _("IBAN"), _("BIC"), _("Reimbursed expenses (EUR)"),
               _("Flat allowance (EUR)"), _("Amount (EUR)"), _("End-to-end id"), _("Remittance information")]
    sheet.append(columns)
    first_row = sheet.max_row + 1
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for item in items:
        sheet.append([item.name, item.iban, item.bic, _euros(item.expense_cents), _euros(item.allowance_cents),
                      _euros(item.amount_cents), item.end_to_end_id, item.remittance])
    # Values, not formulas: the figures are the model's, readable without recalculation.
    sheet.append([_("Total"), "", "", _euros(sum(i.expense_cents for i in items)),
                  _euros(sum(i.allowance_cents for i in items)), _euros(payout.total_cents)])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=first_row, max_row=sheet.max_row, min_col=4, max_col=6):
        for cell in row:
            cell.number_format = EURO_FORMAT
    for letter, width in zip("ABCDEFGH", (30, 26, 13, 16, 16, 14, 24, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(first_row, 1)
    _lines_sheet(book, org, payout_lines(org, items))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _euros(cents: int) -> Decimal:
    """A cell value in euros, exact: Decimal is written as its digits ("12.34"), no float in between."""
    return Decimal(cents).scaleb(-2)


@dataclass(frozen=True)
class PayoutLine:
    """One expense or allowance line of a payout, as the finance office books it."""

    date: dt.date
    guide: str
    kind: str  # "expense" | "allowance"
    category: str  # an expense category or an allowance's legal basis
    description: str
    amount_cents: int
    claim: str  # the claim's month and id, or the allowance's month
    end_to_end_id: str


def payout_lines(org: Organization, items: list[PayoutItem]) -> list[PayoutLine]:
    """Every approved expense of the payout's claims and every allowance line, by guide and date; their
    amounts add up to the items' (and so to the payout's total)."""
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_([i.guide_id for i in items]))).all())
    lines: list[PayoutLine] = []
    for item in items:
        guide = names.get(item.guide_id, item.name)
        if item.claim_ids:
            rows = db.session.execute(
                select(Expense, Claim.month).join(Claim, Claim.id == Expense.claim_id)
                .where(Expense.claim_id.in_(item.claim_ids), Expense.deleted_at.is_(None),
                       Expense.state.in_(("approved", "paid")))
                .order_by(Expense.date, Expense.created_at)).all()
            lines += [PayoutLine(e.date, guide, "expense", e.category, e.description, e.amount_cents,
                                 f"{month} ({e.claim_id[:8]})", item.end_to_end_id) for e, month in rows]
        if item.allowance_line_ids:
            allowances = db.session.scalars(select(AllowanceLine).where(AllowanceLine.id.in_(item.allowance_line_ids))
                                            .order_by(AllowanceLine.month, AllowanceLine.legal_basis))
            lines += [PayoutLine(dt.date.fromisoformat(f"{a.month}-01"), guide, "allowance", a.legal_basis,
                                 "", a.amount_cents, a.month, item.end_to_end_id) for a in allowances]
    return lines


def _lines_sheet(book: Workbook, org: Organization, lines: list[PayoutLine]) -> None:
    """The second sheet: one row per line, real dates and numbers, as an Excel table (filter buttons)."""
    sheet = book.create_sheet(_("Lines")[:31])
    sheet.append([_("Date"), _("Guide"), _("Kind"), _("Category"), _("Description"), _("Amount (EUR)"),
                  _("Claim"), _("Booking account"), _("End-to-end id")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    kinds = {"expense": _("Reimbursed expense"), "allowance": _("Flat allowance")}
    for line in lines:
        label = CATEGORY_LABELS.get(line.category) or LEGAL_BASIS_LABELS.get(line.category) or line.category
        sheet.append([line.date, line.guide, kinds[line.kind], str(label), line.description, _euros(line.amount_cents),
                      line.claim, org.booking_account(line.category), line.end_to_end_id])
        sheet.cell(sheet.max_row, 1).number_format = "DD.MM.YYYY"
        sheet.cell(sheet.max_row, 6).number_format = EURO_FORMAT
    for letter, width in zip("ABCDEFGHI", (12, 28, 20, 34, 36, 14, 20, 16, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    if lines:
        table = Table(displayName="PayoutLines", ref=f"A1:I{sheet.max_row}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        sheet.add_table(table)
