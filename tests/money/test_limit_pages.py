"""Tax-free limits on the pages: the dashboard's warning at the edges, the guide's ledger and year statement."""

from __future__ import annotations

import datetime as dt

import pytest

from server.extensions import db
from server.money.models import AllowanceLine
from sync import clock
from tests.coordinator import conftest as coordinator_fixtures
from tests.money.conftest import pdf_text
from tests.money.pages import elements

world, signed_in = coordinator_fixtures.world, coordinator_fixtures.signed_in  # fixtures of the coordinator pages

YEAR = clock.today().year
LIMIT = 84000  # Ehrenamtspauschale in the limits fixture (set for the current year below)


@pytest.fixture
def limits_this_year(app):
    from server.money.limits import set_tax_free_limit
    from sync.merge import Author

    set_tax_free_limit(Author(role="system"), YEAR, "ehrenamt_26a", LIMIT)
    set_tax_free_limit(Author(role="system"), YEAR, "uebungsleiter_26", 300000)
    db.session.commit()


def _line(guide, org, month: int, cents: int, state: str = "paid", basis: str = "ehrenamt_26a",
          paid_on: dt.date | None = None) -> AllowanceLine:
    line = AllowanceLine(organization_id=org.id, guide_id=guide.id, month=f"{YEAR}-{month:02d}", legal_basis=basis,
                         amount_cents=cents, state=state,
                         paid_on=(paid_on or dt.date(YEAR, month, 28)) if state == "paid" else None)
    db.session.add(line)
    db.session.commit()
    return line


@pytest.mark.parametrize(("total", "state"), [
    (LIMIT * 9 // 10 - 1, None),  # one cent under 90 %: no warning yet
    (LIMIT * 9 // 10, "near"),
    (LIMIT - 1, "near"),           # one cent under the limit
    (LIMIT, "at"),
    (LIMIT + 1, "over"),           # one cent over
])
def test_dashboard_warns_near_at_and_over_the_limit(world, signed_in, limits_this_year, total, state):
    # Paid in one month, approved but not paid in another: both count.
    _line(world.guide_a, world.org_a, 1, total - 1000)
    _line(world.guide_a, world.org_a, 2, 1000, state="approved")
    _line(world.guide_a, world.org_a, 3, 999_999, state="computed")  # not decided: never counted
    html = signed_in(world.coord_a).get("/coordinator/").get_data(as_text=True)
    rows = elements(html, "tr", data_guide=world.guide_a.id)
    assert [(r["data-legal-basis"], r["data-state"]) for r in rows] == ([("ehrenamt_26a", state)] if state else [])
    # The other organization's dashboard never shows this guide.
    other = signed_in(world.coord_b).get("/coordinator/").get_data(as_text=True)
    assert not elements(other, "tr", data_guide=world.guide_a.id) and world.guide_a.name not in other


def test_last_years_payments_do_not_count(world, signed_in, limits_this_year):
    _line(world.guide_a, world.org_a, 1, LIMIT + 5000, paid_on=dt.date(YEAR - 1, 12, 30))
    html = signed_in(world.coord_a).get("/coordinator/").get_data(as_text=True)
    assert not elements(html, "tr", data_guide=world.guide_a.id)


def test_guide_page_ledger_and_year_statement(world, signed_in, limits_this_year):
    _line(world.guide_a, world.org_a, 3, 42000)
    _line(world.guide_a, world.org_a, 4, 40000, state="approved")
    _line(world.guide_a, world.org_a, 5, 60000, basis="uebungsleiter_26")
    browser = signed_in(world.coord_a)
    html = browser.get(f"/coordinator/guides/{world.guide_a.id}").get_data(as_text=True)
    ehrenamt = elements(html, "tr", data_legal_basis="ehrenamt_26a", data_state="near")
    assert ehrenamt and ehrenamt[0]["data-paid"] == "42000" and ehrenamt[0]["data-pending"] == "40000"
    assert elements(html, "tr", data_legal_basis="uebungsleiter_26", data_state="ok", data_paid="60000")
    assert [r["data-month"] for r in elements(html, "tr", data_state="paid")] == [f"{YEAR}-03", f"{YEAR}-05"]
    link = elements(html, "a", id="year-statement")[0]["href"]
    response = browser.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    # The statement lists what was paid in the year (approved-unpaid is not income yet) in German.
    assert world.guide_a.name in text and "420,00" in text and "600,00" in text and "840,00" in text
    assert "400,00" not in text
    # Another organization's guide: 404; a bad year: 400.
    assert browser.get(f"/coordinator/guides/{world.guide_b.id}/year-statement.pdf?year={YEAR}").status_code == 404
    assert browser.get(f"/coordinator/guides/{world.guide_a.id}/year-statement.pdf?year=abc").status_code == 400
    assert browser.get(f"/coordinator/guides/{world.guide_a.id}/year-statement.pdf?year=1800").status_code == 400
