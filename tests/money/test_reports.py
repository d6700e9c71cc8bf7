"""Funder reports: figures, anonymisation (no client codes, counts below 5 suppressed), XLSX, CSV, PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from server.assignments.models import Assignment, Client
from server.extensions import db
from server.money.errors import MoneyError
from server.money.operations import create_payout, export_payout, mark_payout_paid
from server.money.report_files import report_csv, report_pdf, report_xlsx
from server.money.reports import HIDDEN, SUPPRESSED, build_report, period_bounds, protect_complement
from tests.money.conftest import approve_all, pdf_text


@pytest.fixture
def october(org, guide, make_guide, make_activity, make_claim, coordinator_author):
    """12 approved activities in Linden-Limmer (6 in Turkish), 2 in Mitte, one flagged; expenses; a payout."""
    others = [make_guide(org) for _ in range(5)]
    client = Client(organization_id=org.id, code="K-2026-014", language="tr")
    db.session.add(client)
    db.session.flush()
    assignment = Assignment(organization_id=org.id, guide_id=guide.id, client_id=client.id, language="tr",
                            starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 12, 31), title="Jobcenter")
    db.session.add(assignment)
    db.session.flush()
    for day in range(1, 7):
        make_activity(guide, org, f"2026-10-{day:02d}", 60, district="linden-limmer", assignment_id=assignment.id,
                      needs_professional_help=(day == 1))
    for index, other in enumerate(others + [guide]):
        make_activity(other, org, f"2026-10-{10 + index:02d}", 30, kind="meeting", district="linden-limmer")
    make_activity(guide, org, "2026-10-20", 45, kind="phone", district="mitte")
    make_activity(guide, org, "2026-10-21", 45, kind="phone", district="mitte")
    make_activity(guide, org, "2026-10-22", 45, kind="phone", district="mitte", approved=False)
    claim = make_claim(guide, org, "2026-10", [1234, 5678], category="public_transport")
    approve_all(coordinator_author, org, claim)
    payout = create_payout(coordinator_author, org.id, [claim.id])
    export_payout(coordinator_author, org.id, payout.id, dt.date(2026, 10, 30))
    mark_payout_paid(coordinator_author, org.id, payout.id)
    db.session.commit()
    return payout


def _rows(report, key):
    return {row[0]: row[1:] for row in report.section(key).rows}


def test_monthly_figures_and_suppression(app, org, october):
    report = build_report(org.id, "month", 2026, 10)
    summary = _rows(report, "summary")
    assert summary["Hours of volunteer work"] == [Decimal("10.5")]  # 6×60 + 6×30 + 2×45 minutes
    assert summary["Meetings and other activities"] == [14]
    assert summary["Active guides"] == [6]
    assert summary['Activities flagged "needs professional help"'] == [SUPPRESSED]
    by_district = _rows(report, "by_district")
    assert by_district["Mitte"] == [SUPPRESSED, "–"]  # 2 activities: count and hours hidden
    # 14 − 12 would give Mitte's 2 away: the other row is hidden as well (secondary suppression).
    assert by_district["Linden-Limmer"] == [HIDDEN, HIDDEN]
    by_kind = _rows(report, "by_kind")
    assert by_kind["Phone call"] == [SUPPRESSED, "–"]
    # Of the two rows of 6, the later one is hidden; 14 − 6 leaves 8 for two unknowns.
    assert by_kind["Accompaniment"] == [6, Decimal("6.0")] and by_kind["Meeting"] == [HIDDEN, HIDDEN]
    languages = _rows(report, "by_language")
    assert list(languages.values()) == [[6, Decimal("6.0")]] and "Turkish" in next(iter(languages))
    expenses = _rows(report, "expenses")
    assert expenses["Public transport"] == [SUPPRESSED, Decimal("69.12")]
    money = _rows(report, "money")
    assert money["Paid out in the period"] == [Decimal("69.12")]


def test_periods():
    assert period_bounds("quarter", 2026, 4) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert period_bounds("month", 2026, 12) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    with pytest.raises(MoneyError):
        period_bounds("week", 2026, 1)


def test_exports_carry_the_figures_and_never_a_client_code(app, org, october):
    report = build_report(org.id, "year", 2026)
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    districts = {r[0]: r[1:] for r in book["Activities by district"].iter_rows(min_row=2, values_only=True)}
    assert districts["Linden-Limmer"][0] == HIDDEN and districts["Mitte"] == (SUPPRESSED, "–")
    kinds = {r[0]: r[1:] for r in book["Activities by kind"].iter_rows(min_row=2, values_only=True)}
    assert kinds["Accompaniment"] == (6, 6)
    assert any(r[0] == "2026-10" and r[1] == 14 for r in book["By month"].iter_rows(values_only=True))
    csv_text = report_csv(report).decode("utf-8-sig")
    assert "Linden-Limmer;*;*" in csv_text and "Mitte;<5;–" in csv_text and "Accompaniment;6;6.0" in csv_text
    text = pdf_text(report_pdf(report))
    assert "Linden-Limmer" in text and "69.12" in text.replace(",", ".") and "10.5" in text.replace(",", ".")
    for blob in (csv_text, text, str([list(ws.values) for ws in book.worksheets])):
        assert "K-2026-014" not in blob and "Ayşe" not in blob and "Jobcenter" not in blob


def test_german_pdf_has_umlauts(app, org, october):
    from flask_babel import force_locale

    with force_locale("de"):
        report = build_report(org.id, "quarter", 2026, 4)
        text = pdf_text(report_pdf(report))
    assert "Stunden" in text and "Aufwandsentschädigung" in text
    assert "Türkisch" in text


def test_another_organization_sees_nothing_of_it(app, make_org, october):
    other = make_org("awo", "AWO")
    report = build_report(other.id, "year", 2026)
    assert _rows(report, "summary")["Meetings and other activities"] == [0]
    assert _rows(report, "money")["Paid out in the period"] == [Decimal("0.00")]


@pytest.mark.parametrize(("counts", "hidden"), [
    ([12, 2], [1, 0]),            # one suppressed: the other row goes too
    ([12, 2, 3], [0, 0, 0]),      # two suppressed: their sum is known, neither alone
    ([12, 7, 2, 0], [0, 1, 0, 0]),  # the smallest shown row, never a zero row
    ([12, 9], [0, 0]),            # nothing suppressed
    ([0, 3], [0, 0]),             # the total is suppressed itself
])
def test_secondary_suppression(counts, hidden):
    from server.money.reports import Section, count, hours

    section = Section("t", "t", ["k", "n", "h"], rows=[[f"r{i}", count(n), hours(60 * n, n >= 5)]
                                                        for i, n in enumerate(counts)])
    protect_complement(section)
    assert [int(row[1] == HIDDEN and row[2] == HIDDEN) for row in section.rows] == hidden
    # Whatever is shown can no longer give a suppressed count away by subtraction.
    shown = [row[1] for row in section.rows if isinstance(row[1], int)]
    if sum(row[1] == SUPPRESSED for row in section.rows) == 1 and sum(counts) >= 5:  # a total that is shown
        assert sum(counts) - sum(shown) != min(n for n in counts if 0 < n < 5)


def test_expenses_total_row_is_not_a_candidate():
    from decimal import Decimal as D

    from server.money.reports import Section

    section = Section("expenses", "e", ["c", "n", "EUR"], money_columns=(2,),
                      rows=[["a", SUPPRESSED, D("1.00")], ["b", 9, D("2.00")], ["Total", 11, D("3.00")]])
    protect_complement(section, skip_last=True)
    assert section.rows[1] == ["b", HIDDEN, D("2.00")] and section.rows[2][1] == 11
