"""The funder report page over HTTP: period choice, tables and chart data, XLSX/CSV/PDF downloads, bad input."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.audit.models import AuditEvent
from server.extensions import db
from tests.coordinator.conftest import sign_in
from tests.money import test_reports as report_fixtures
from tests.money.conftest import pdf_text
from tests.money.pages import elements

october = report_fixtures.october  # the fixture: October 2026 with small groups

OCTOBER = "kind=month&year=2026&number=10"


@pytest.fixture
def browser(app, coordinator):
    client = app.test_client()
    assert sign_in(client, coordinator.email).status_code == 302
    return client


def _section_rows(html: str, key: str) -> dict[str, list[str]]:
    """A report table's rows as label → the cells' texts (as shown, in the page's language)."""
    import re

    table = html.split(f'id="section-{key}"')[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells and "scope=\"col\"" not in row:
            rows[cells[0]] = cells[1:]
    return rows


def test_monthly_report_page_shows_anonymised_tables_and_chart_data(browser, october):
    response = browser.get(f"/coordinator/reports?{OCTOBER}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    districts = _section_rows(html, "by_district")
    assert districts["Mitte"] == ["&lt;5", "–"] and districts["Linden-Limmer"] == ["*", "*"]
    # The chart reads only shown figures: 6 accompaniments; the suppressed and the hidden row are gaps.
    bars = {r["data-label"]: r["data-value"] for r in elements(html, "tr") if "data-value" in r}
    assert sorted(bars.values()) == ["", "", "6"]
    assert elements(html, "table", data_chart="kind-chart", data_chart_type="bars")
    assert "charts/charts.js" in html
    for secret in ("K-2026-014", "Ayşe", "Jobcenter"):
        assert secret not in html


def test_yearly_report_has_the_months_chart(browser, october):
    html = browser.get("/coordinator/reports?kind=year&year=2026").get_data(as_text=True)
    months = elements(html, "tr", data_month="2026-10")
    assert months and months[0]["data-meetings"] == "14" and months[0]["data-hours"] == "10.5"
    assert elements(html, "table", data_chart="months-chart")


def test_downloads_carry_the_figures(browser, october):
    xlsx = browser.get(f"/coordinator/reports/report.xlsx?{OCTOBER}")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="lotsenbuch-report-2026-10.xlsx"' in xlsx.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.data))
    # Sheets in the report's order: cover, summary, money, by kind, by district, by language, expenses.
    summary = [list(r) for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert [r[1] for r in summary] == [10.5, 14, 6, "<5", "<5"]  # one client reached
    districts = {r[0]: r[1:] for r in book.worksheets[4].iter_rows(min_row=2, values_only=True)}
    assert districts["Mitte"] == ("<5", "–") and districts["Linden-Limmer"] == ("*", "*")
    money = [r[1] for r in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert 69.12 in money

    text = browser.get(f"/coordinator/reports/report.csv?{OCTOBER}").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert ["Linden-Limmer", "*", "*"] in rows and ["Mitte", "<5", "–"] in rows
    assert any(r[1:] == ["14"] for r in rows if len(r) == 2) and any(r[1:] == ["69.12"] for r in rows if len(r) == 2)

    pdf = browser.get(f"/coordinator/reports/report.pdf?{OCTOBER}")
    assert pdf.mimetype == "application/pdf"
    pdf_body = pdf_text(pdf.data)
    numbers = pdf_body.replace(",", ".")  # whatever the language's decimal sign
    assert "Linden-Limmer" in pdf_body and "10.5" in numbers and "69.12" in numbers
    for blob in (text, pdf_body, str([list(ws.values) for ws in book.worksheets])):
        assert "K-2026-014" not in blob and "Ayşe" not in blob
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "report.downloaded")) == 3


@pytest.mark.parametrize("query", ["kind=week&year=2026", "kind=month&year=abc&number=1", "kind=month&year=2026&number=13",
                                   "kind=quarter&year=2026&number=5", "kind=year&year=1066", "kind=month&year=2026&number=x"])
def test_bad_period_gives_the_page_again_with_400(browser, query):
    for url in (f"/coordinator/reports?{query}", f"/coordinator/reports/report.csv?{query}"):
        response = browser.get(url)
        assert response.status_code == 400, url
        assert elements(response.get_data(as_text=True), id="report-error")
    assert browser.get(f"/coordinator/reports/report.docx?{OCTOBER}").status_code == 404


def test_another_organization_reports_only_its_own(app, october, make_org, make_user):
    other = make_org("awo", "AWO")
    staff = make_user(other, "coordinator", "awo@example.org", "Bea AWO")
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 302
    text = client.get(f"/coordinator/reports/report.csv?{OCTOBER}").data.decode("utf-8-sig")
    assert "Linden-Limmer" not in text and "69.12" not in text and "AWO" in text
