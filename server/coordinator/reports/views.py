"""Routes for the funder report: choose month, quarter or year; see its tables and a chart; download it.

The figures and their anonymisation come from server/money/reports.py, the files from report_files.py.
Bad choices (an unknown kind, a year out of range, a 13th month) give the page again with a message and
400. Each download is audited (the report leaves the office).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from server.audit.log import record_event
from server.coordinator.common.auth import current_org_id, staff_required
from server.coordinator.common.blueprint import bp
from server.coordinator.common.files import download
from server.extensions import db
from server.money.errors import MoneyError
from server.money.report_files import report_csv, report_pdf, report_xlsx
from server.money.reports import (
    HIDDEN,
    LEFT_OUT,
    PERIOD_KINDS,
    SUPPRESSED,
    Cell,
    Report,
    build_report,
    period_bounds,
)
from sync import clock

FILE_TYPES = {
    "xlsx": (report_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (report_csv, "text/csv; charset=utf-8"),
    "pdf": (report_pdf, "application/pdf"),
}
NUMBERS_IN = {"month": 12, "quarter": 4, "year": 1}


@dataclass(frozen=True)
class PeriodChoice:
    kind: str
    year: int
    number: int

    @property
    def slug(self) -> str:
        return {"month": f"{self.year}-{self.number:02d}", "quarter": f"{self.year}-Q{self.number}"}.get(
            self.kind, str(self.year))

    def args(self) -> dict[str, Any]:
        return {"kind": self.kind, "year": self.year, "number": self.number}


def _default_period(today: dt.date) -> PeriodChoice:
    """The last complete month: what a funder is usually sent."""
    first = today.replace(day=1) - dt.timedelta(days=1)
    return PeriodChoice("month", first.year, first.month)


def _parse_period(args: Any, today: dt.date) -> PeriodChoice:
    """The period asked for; MoneyError("invalid") for anything that is not one."""
    if not args.get("kind"):
        return _default_period(today)
    kind = args.get("kind", "")
    year = args.get("year", type=int)
    number = 1 if kind == "year" else args.get("number", type=int)
    if kind not in PERIOD_KINDS or year is None or not 2000 <= year <= 2100 or number is None:
        raise MoneyError("invalid", {"period": ["choice"]})
    period_bounds(kind, year, number)  # raises for a 13th month or a 5th quarter
    return PeriodChoice(kind, year, number)


@bp.app_template_filter("report_cell")
def report_cell(value: Cell, money: bool = False) -> str:
    if isinstance(value, Decimal):
        return str(format_decimal(value, "#,##0.00" if money else "#,##0.0")) + (" €" if money else "")
    if isinstance(value, int):
        return str(format_decimal(value, "#,##0"))
    return str(value)


def chart_value(value: Cell) -> str:
    """A cell as the chart reads it: only figures that are shown; suppressed or hidden ones stay empty."""
    return "" if isinstance(value, str) else str(value)


@staff_required
def reports() -> Any:
    today = clock.today()
    try:
        period = _parse_period(request.args, today)
    except MoneyError:
        return _render(_default_period(today), None, _("Choose a month (1–12), a quarter (1–4) or a year between "
                                                        "2000 and 2100."), 400)
    return _render(period, build_report(current_org_id(), period.kind, period.year, period.number))


def _render(period: PeriodChoice, report: Report | None, error: str | None = None, status: int = 200) -> Any:
    today = clock.today()
    return render_template(
        "coordinator/reports.html", period=period, report=report, error=error, kinds=PERIOD_KINDS,
        years=list(range(today.year, today.year - 6, -1)), numbers=NUMBERS_IN, file_types=list(FILE_TYPES),
        last_day=report.end - dt.timedelta(days=1) if report else None, suppressed=SUPPRESSED, hidden=HIDDEN, left_out=LEFT_OUT, chart_value=chart_value,
        download=lambda kind: url_for("coordinator.report_file", file_type=kind, **period.args()),
    ), status


@staff_required
def report_file(file_type: str) -> Any:
    today = clock.today()
    if file_type not in FILE_TYPES:
        return _render(_default_period(today), None, _("Unknown file type."), 404)
    try:
        period = _parse_period(request.args, today)
    except MoneyError:
        return _render(_default_period(today), None, _("Choose a month (1–12), a quarter (1–4) or a year between "
                                                        "2000 and 2100."), 400)
    report = build_report(current_org_id(), period.kind, period.year, period.number)
    make, mimetype = FILE_TYPES[file_type]
    data = make(report)
    record_event("report.downloaded", current_org_id(), actor_user_id=current_user.id, object_type="report",
                 object_id=period.slug, details={"kind": period.kind, "format": file_type})
    db.session.commit()
    name = f"lotsenbuch-report-{period.slug}.{file_type}"
    return download(data, mimetype, name)
