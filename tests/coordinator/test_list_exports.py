"""Every list page as CSV and XLSX with its filters applied, over HTTP: German files with ";", decimal
comma and a BOM, English ones with "," and a point; XLSX cells as real numbers and dates; only the
signed-in organization's rows; formula cells defused; each download audited."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.activities.models import Activity
from server.assignments.models import Assignment, AssignmentRequest
from server.audit.models import AuditEvent
from server.expenses.models import Claim, Expense
from server.extensions import db
from server.money.models import Payout
from tests.money.pages import elements

LISTS = ("guides", "requests", "assignments", "claims", "payouts", "review")


@pytest.fixture
def lists(world, make_user, clock):
    clock("2026-11-20T10:00+01:00")
    a, b = world.org_a, world.org_b
    formula = make_user(a, "guide", "formel@example.org", "=HYPERLINK(\"http://x\")")
    for org, guide, title in ((a, world.guide_a, "Jobcenter"), (b, world.guide_b, "Geheim-B")):
        db.session.add(AssignmentRequest(organization_id=org.id, description=title, language="tr",
                                         expected_minutes=600, state="open"))
        db.session.add(AssignmentRequest(organization_id=org.id, description="erledigt", state="closed"))
        db.session.add(Assignment(organization_id=org.id, title=title, guide_id=guide.id, state="active",
                                  starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2027, 1, 31), planned_minutes=1200))
        db.session.add(Assignment(organization_id=org.id, title=f"{title} alt", state="ended",
                                  starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 3, 1)))
        claim = Claim(organization_id=org.id, guide_id=guide.id, month="2026-10", state="submitted")
        db.session.add(claim)
        db.session.flush()
        db.session.add(Expense(organization_id=org.id, guide_id=guide.id, date=dt.date(2026, 10, 3), category="other",
                               amount_cents=1234, state="submitted", claim_id=claim.id, description="Fahrkarte"))
        db.session.add(Activity(organization_id=org.id, guide_id=guide.id, date=dt.date(2026, 11, 3), minutes=90,
                                kind="accompaniment", note=f"Notiz {title}"))
        db.session.add(Activity(organization_id=org.id, guide_id=guide.id, date=dt.date(2026, 11, 4), minutes=30,
                                kind="phone"))
        db.session.add(Payout(organization_id=org.id, reference=f"P-{title}", total_cents=98765, state="paid",
                              execution_date=dt.date(2026, 11, 4), paid_on=dt.date(2026, 11, 5)))
    db.session.commit()
    return formula


def _german_csv(response):
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _xlsx(response):
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    return list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))


def test_every_list_page_links_its_filtered_exports(signed_in, world, lists):
    browser = signed_in(world.coord_a)
    for name, query in zip(LISTS, ("q=ay", "show=open", "show=active", "state=submitted", "", "kind=phone"),
                           strict=True):
        html = browser.get(f"/coordinator/{name}?{query}&page=2").get_data(as_text=True)
        links = {e["data-file-type"]: e["href"] for e in elements(html, "a") if "data-file-type" in e}
        assert set(links) == {"csv", "xlsx"}, name
        for kind, href in links.items():
            assert href.split("?")[0] == f"/coordinator/{name}.{kind}" and "page=" not in href
            assert (query.replace("=", "=") in href) if query else "?" not in href
            assert browser.get(href).status_code == 200


def test_german_csv_conventions_and_the_filter(signed_in, world, lists):
    browser = signed_in(world.coord_a)
    rows = _german_csv(browser.get("/coordinator/claims.csv?state=submitted"))
    assert len(rows) == 2 and rows[1][1] == "Ayşe Guide-A" and rows[1][3] == "12,34"  # decimal comma
    assert _german_csv(browser.get("/coordinator/claims.csv?state=paid"))[1:] == []
    review = _german_csv(browser.get("/coordinator/review.csv?kind=accompaniment"))
    assert [r[3] for r in review[1:]] == ["1,5"] and review[1][0] == "2026-11-03"
    guides = _german_csv(browser.get("/coordinator/guides.csv"))
    names = [r[0] for r in guides[1:]]
    assert "Ayşe Guide-A" in names and "Boris Guide-B" not in names
    assert "'=HYPERLINK(\"http://x\")" in names  # a spreadsheet must not run it
    assert [r[0] for r in _german_csv(browser.get("/coordinator/guides.csv?q=ay"))[1:]] == ["Ayşe Guide-A"]


def test_english_csv_uses_comma_and_point(signed_in, world, lists):
    world.coord_a.locale = "en"
    db.session.commit()
    text = signed_in(world.coord_a).get("/coordinator/payouts.csv").get_data(as_text=True)
    assert text.startswith("\ufeff")
    header, row = list(csv.reader(io.StringIO(text[1:])))
    assert header[:2] == ["Number", "Reference"] and row[1] == "P-Jobcenter" and row[5] == "987.65"


def test_xlsx_holds_numbers_and_dates_with_the_filters(signed_in, world, lists):
    world.coord_a.locale = "en"
    db.session.commit()
    browser = signed_in(world.coord_a)
    header, *rows = _xlsx(browser.get("/coordinator/assignments.xlsx?show=active"))
    assert header[:2] == ("Title", "Guide") and [r[0] for r in rows] == ["Jobcenter"]
    assert rows[0][2] == dt.datetime(2026, 11, 1) and rows[0][4] == 20 and rows[0][5] == 0
    header, *rows = _xlsx(browser.get("/coordinator/requests.xlsx?show=open"))
    assert len(rows) == 1 and rows[0][8] == 10 and isinstance(rows[0][1], dt.datetime)
    header, *rows = _xlsx(browser.get("/coordinator/payouts.xlsx?state=paid"))
    assert [(r[1], r[5], r[4]) for r in rows] == [("P-Jobcenter", 987.65, dt.datetime(2026, 11, 5))]
    assert _xlsx(browser.get("/coordinator/payouts.xlsx?state=draft")) == [header]
    header, *rows = _xlsx(browser.get("/coordinator/review.xlsx"))
    assert sorted(r[3] for r in rows) == [0.5, 1.5] and "Notiz Geheim-B" not in str(rows)
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.downloaded")).all()
    assert [e.object_id for e in exports] == ["assignments", "requests", "payouts", "payouts", "activities"]
    assert exports[0].details["filters"] == {"show": "active"} and exports[0].organization_id == world.org_a.id


def test_other_organizations_rows_never_appear(signed_in, world, lists):
    browser = signed_in(world.coord_b)
    for name in LISTS:
        for kind in ("csv", "xlsx"):
            body = browser.get(f"/coordinator/{name}.{kind}").get_data()
            assert b"Jobcenter" not in body and "Ayşe".encode() not in body, (name, kind)


def test_unknown_formats_and_bad_filters(signed_in, world, lists):
    browser = signed_in(world.coord_a)
    assert browser.get("/coordinator/guides.pdf").status_code == 404
    assert browser.get("/coordinator/claims.docx").status_code == 404
    for url in ("/coordinator/claims.csv?state=nonsense&month=13-2026&guide=x", "/coordinator/review.xlsx?from=gestern",
                "/coordinator/guides.csv?district=mars&active=maybe", "/coordinator/assignments.csv?show=<script>"):
        assert browser.get(url).status_code == 200, url


def test_report_csv_sends_its_charset_once(signed_in, world):
    response = signed_in(world.coord_a).get("/coordinator/reports/report.csv?kind=month&year=2026&number=10")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
