"""Funder reports: a month's, quarter's or year's statistics of one organization, anonymised.

Anonymised means: nothing names a client (no codes, no notes) or a guide, and every count from 1 to 4
is shown as "<5" (with the hours of that row left out), so that a small district or a rare language
cannot point to a person. Where the rows of a table add up to a total shown elsewhere, one suppressed
row alone could be worked out by subtraction; then the next smallest row is hidden too ("*",
secondary suppression). Counts are of approved activities (what a coordinator has checked); money is
by expense date (approved or paid items) and by payout day (paid totals). The figures come from SQL
aggregates, so the cost grows with the number of groups, not of rows read into Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select

from server.activities.models import Activity
from server.assignments.models import Assignment
from server.expenses.models import Expense
from server.extensions import db
from server.i18n import language_display_name
from server.money.errors import MoneyError
from server.money.models import Payout, PayoutItem
from server.organizations.models import Organization
from sync import clock
from sync.vocabulary import ACTIVITY_KINDS, DISTRICTS, EXPENSE_CATEGORIES

SUPPRESSED = "<5"
LEFT_OUT = "–"
HIDDEN = "*"  # a count of 5 or more hidden so that a suppressed one cannot be worked out from a total
SMALLEST_SHOWN = 5

KIND_LABELS = {
    "accompaniment": _l("Accompaniment"), "meeting": _l("Meeting"), "phone": _l("Phone call"),
    "preparation": _l("Preparation"), "travel": _l("Travel"), "plenum": _l("Plenum"),
    "training": _l("Training"), "other": _l("Other"),
}
CATEGORY_LABELS = {
    "mileage": _l("Mileage"), "public_transport": _l("Public transport"), "phone": _l("Phone costs"),
    "material": _l("Material"), "other": _l("Other"),
}
PERIOD_KINDS = ("month", "quarter", "year")

Cell = str | int | Decimal


@dataclass
class Section:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    money_columns: tuple[int, ...] = ()  # indexes of columns holding euros (Decimal)


@dataclass
class Report:
    organization: str
    period_kind: str
    period_label: str
    start: dt.date
    end: dt.date  # exclusive
    generated_at: dt.datetime
    sections: list[Section]
    funding_reference: str = ""
    organization_id: int = 0
    has_logo: bool = False

    def logo(self) -> tuple[str, bytes] | None:
        """(content type, bytes) of the organization's logo, read only when a file needs it."""
        if not self.has_logo:
            return None
        org = db.session.get(Organization, self.organization_id)
        return (org.logo_content_type, org.logo) if org and org.logo and org.logo_content_type else None

    @property
    def title(self) -> str:
        return _("Report for the funder: %(period)s", period=self.period_label)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def period_bounds(kind: str, year: int, number: int = 1) -> tuple[dt.date, dt.date]:
    """[start, end) of month `number`, quarter `number` or the year."""
    if kind == "month" and 1 <= number <= 12:
        start = dt.date(year, number, 1)
        return start, dt.date(year + (number == 12), number % 12 + 1, 1)
    if kind == "quarter" and 1 <= number <= 4:
        start = dt.date(year, 3 * number - 2, 1)
        return start, (dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1))
    if kind == "year":
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    raise MoneyError("invalid", {"period": ["choice"]})


def period_label(kind: str, year: int, number: int = 1) -> str:
    if kind == "month":
        return format_date(dt.date(year, number, 1), "MMMM yyyy")
    if kind == "quarter":
        return _("Quarter %(number)s/%(year)s", number=number, year=year)
    return str(year)


def count(n: int) -> Cell:
    """A count as a report shows it: 1–4 suppressed."""
    return SUPPRESSED if 0 < n < SMALLEST_SHOWN else n


def hours(minutes: int, shown: bool = True) -> Cell:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1")) if shown else LEFT_OUT


def euros(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def language_name(code: str) -> str:
    if not code:
        return _("not given")
    return language_display_name(code)


def build_report(organization_id: int, kind: str, year: int, number: int = 1) -> Report:
    start, end = period_bounds(kind, year, number)
    org = db.session.get(Organization, organization_id)
    if org is None:
        raise MoneyError("not_found")
    base = (Activity.organization_id == organization_id, Activity.state == "approved",
            Activity.deleted_at.is_(None), Activity.date >= start, Activity.date < end)

    minutes, meetings, guides, flagged = db.session.execute(select(
        func.coalesce(func.sum(Activity.minutes), 0), func.count(Activity.id),
        func.count(distinct(Activity.guide_id)),
        func.count(Activity.id).filter(Activity.needs_professional_help.is_(True)))
        .where(*base)).one()
    # People reached: distinct pseudonymous clients of the assignments the period's activities belong to.
    clients = db.session.scalar(
        select(func.count(distinct(Assignment.client_id))).select_from(Activity)
        .join(Assignment, Assignment.id == Activity.assignment_id)
        .where(*base, Assignment.client_id.is_not(None))) or 0
    expense_rows = db.session.execute(
        select(Expense.category, func.count(Expense.id), func.coalesce(func.sum(Expense.amount_cents), 0))
        .where(Expense.organization_id == organization_id, Expense.state.in_(("approved", "paid")),
               Expense.deleted_at.is_(None), Expense.date >= start, Expense.date < end)
        .group_by(Expense.category)).all()
    paid_expenses, paid_allowances, transfers = db.session.execute(
        select(func.coalesce(func.sum(PayoutItem.expense_cents), 0),
               func.coalesce(func.sum(PayoutItem.allowance_cents), 0), func.count(PayoutItem.id))
        .join(Payout, Payout.id == PayoutItem.payout_id)
        .where(Payout.organization_id == organization_id, Payout.state == "paid",
               Payout.paid_on >= start, Payout.paid_on < end)).one()

    summary = Section("summary", _("Summary"), [_("Figure"), _("Value")], money_columns=())
    summary.rows = [
        [_("Hours of volunteer work"), hours(int(minutes))],
        [_("Meetings and other activities"), count(int(meetings))],
        [_("Active guides"), count(int(guides))],
        [_("People reached (distinct clients)"), count(int(clients))],
        [_("Activities flagged \"needs professional help\""), count(int(flagged))],
    ]
    money = Section("money", _("Money"), [_("Figure"), _("EUR")], money_columns=(1,))
    money.rows = [
        [_("Reimbursed expenses (approved, by expense date)"), euros(sum(int(r[2]) for r in expense_rows))],
        [_("Paid out in the period"), euros(int(paid_expenses) + int(paid_allowances))],
        [_("of which reimbursed expenses (Auslagenersatz)"), euros(int(paid_expenses))],
        [_("of which flat allowances (Aufwandsentschädigung)"), euros(int(paid_allowances))],
        [_("Transfers"), count(int(transfers))],
    ]
    sections = [summary, money,
                _grouped("by_kind", _("Activities by kind"), _("Kind"), Activity.kind, base,
                         lambda k: str(KIND_LABELS.get(k, k)), order=list(ACTIVITY_KINDS)),
                _grouped("by_district", _("Activities by district"), _("District"), Activity.district, base,
                         lambda d: DISTRICTS.get(d or "", "") or _("not given"), order=list(DISTRICTS)),
                _languages(base)]
    for section in sections[2:4]:  # by kind and by district add up to the summary's totals
        protect_complement(section)
    by_category = {r[0]: (int(r[1]), int(r[2])) for r in expense_rows}
    expenses = Section("expenses", _("Expenses by category"), [_("Category"), _("Items"), _("EUR")],
                       money_columns=(2,))
    for category in EXPENSE_CATEGORIES:
        n, cents = by_category.get(category, (0, 0))
        expenses.rows.append([str(CATEGORY_LABELS[category]), count(n), euros(cents)])
    expenses.rows.append([_("Total"), count(sum(n for n, _c in by_category.values())),
                          euros(sum(c for _n, c in by_category.values()))])
    protect_complement(expenses, skip_last=True)  # the last row is the total
    sections.append(expenses)
    if kind != "month":
        sections.append(protect_complement(_by_month(base)))
    return Report(organization=org.name, period_kind=kind, period_label=period_label(kind, year, number),
                  start=start, end=end, generated_at=clock.utcnow(), sections=sections,
                  funding_reference=org.funding_reference or "", organization_id=org.id,
                  has_logo=org.logo_content_type is not None)


def _grouped(key: str, title: str, label: str, column: Any, base: tuple[Any, ...], name: Any,
             order: list[str]) -> Section:
    rows = db.session.execute(select(column, func.count(Activity.id), func.sum(Activity.minutes))
                              .where(*base).group_by(column)).all()
    rank = {code: i for i, code in enumerate(order)}
    section = Section(key, title, [label, _("Activities"), _("Hours")])
    for code, n, mins in sorted(rows, key=lambda r: (rank.get(r[0], len(rank)), str(r[0] or ""))):
        section.rows.append([name(code), count(int(n)), hours(int(mins or 0), int(n) >= SMALLEST_SHOWN)])
    return section


def _languages(base: tuple[Any, ...]) -> Section:
    """Languages used: the language of the assignment each activity belongs to."""
    rows = db.session.execute(
        select(Assignment.language, func.count(Activity.id), func.sum(Activity.minutes))
        .select_from(Activity).join(Assignment, Assignment.id == Activity.assignment_id)
        .where(*base).group_by(Assignment.language)).all()
    section = Section("by_language", _("Languages used in assignments"), [_("Language"), _("Activities"),
                                                                           _("Hours")])
    for code, n, mins in sorted(rows, key=lambda r: -int(r[1])):
        section.rows.append([language_name(code or ""), count(int(n)),
                             hours(int(mins or 0), int(n) >= SMALLEST_SHOWN)])
    return section


def _by_month(base: tuple[Any, ...]) -> Section:
    # Grouped by day and guide in SQL (portable: no month function differs between SQLite and PostgreSQL).
    rows = db.session.execute(
        select(Activity.date, Activity.guide_id, func.count(Activity.id), func.sum(Activity.minutes))
        .where(*base).group_by(Activity.date, Activity.guide_id)).all()
    per_month: dict[str, list[int]] = {}
    guides: dict[str, set[int]] = {}
    for day, guide_id, n, mins in rows:
        key = day.strftime("%Y-%m")
        acc = per_month.setdefault(key, [0, 0])
        acc[0] += int(n)
        acc[1] += int(mins or 0)
        guides.setdefault(key, set()).add(guide_id)
    section = Section("by_month", _("By month"), [_("Month"), _("Activities"), _("Hours"), _("Active guides")])
    for key in sorted(per_month):
        n, mins = per_month[key]
        section.rows.append([key, count(n), hours(mins, n >= SMALLEST_SHOWN), count(len(guides[key]))])
    return section


def protect_complement(section: Section, count_column: int = 1, skip_last: bool = False) -> Section:
    """Secondary suppression: when exactly one row of an additive table is suppressed, hide another.

    A suppressed row's count and hours equal the total minus the other rows; hiding the next smallest
    shown row (count and every number after it in the row but money) leaves two unknowns with one
    known sum. Zero rows are known anyway and never chosen.
    """
    rows = section.rows[:-1] if skip_last and section.rows else section.rows
    suppressed = [row for row in rows if row[count_column] == SUPPRESSED]
    if len(suppressed) != 1:
        return section
    shown = [row for row in rows if isinstance(n := row[count_column], int) and n > 0]
    if not shown:
        return section
    # The smallest count; on a tie the later row (rows are in a fixed order, so the choice is stable).
    row = min(reversed(shown), key=lambda r: r[count_column])
    for index in range(count_column, len(row)):
        if index not in section.money_columns and not isinstance(row[index], str):
            row[index] = HIDDEN
    return section
