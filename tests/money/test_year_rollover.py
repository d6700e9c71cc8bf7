"""1 January is a real event: the new year's rates and limits, the dashboard and last year's statement.

The clock is set to the first minutes of a new year in Hannover (still the old year in UTC), with
flat allowances paid in the year before.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from server.extensions import db
from server.money.models import AllowanceLine, TaxFreeLimit
from tests.coordinator import conftest as coordinator_fixtures
from tests.money.conftest import pdf_text
from tests.money.pages import elements

world, signed_in = coordinator_fixtures.world, coordinator_fixtures.signed_in  # fixtures of the coordinator pages

NEW_YEAR = "2028-01-01T00:20:00+01:00"


def _limits(year: int) -> None:
    from server.money.limits import set_tax_free_limit
    from sync.merge import Author

    set_tax_free_limit(Author(role="system"), year, "ehrenamt_26a", 84000)
    set_tax_free_limit(Author(role="system"), year, "uebungsleiter_26", 300000)
    db.session.commit()


def test_new_year_without_limits_is_a_clear_warning_not_a_gap(world, signed_in, clock):
    clock(NEW_YEAR)
    _limits(2027)
    admin = signed_in(world.admin)
    html = admin.get("/coordinator/rates").get_data(as_text=True)
    assert elements(html, "p", id="limits-missing")  # the warning, with what to do
    assert "2028" in html.split('id="limits-missing"')[1].split("</p>")[0]
    assert elements(html, "dd", data_legal_basis="ehrenamt_26a", data_cents="")  # 2028: not set
    assert elements(html, "input", name="year", value="2028")  # the form offers the year that is missing
    dashboard = signed_in(world.coord_a).get("/coordinator/").get_data(as_text=True)
    assert elements(dashboard, "p", id="limits-missing")

    for basis, euros in (("ehrenamt_26a", "840,00"), ("uebungsleiter_26", "3000,00")):
        response = admin.post("/coordinator/rates/limits", data={"year": "2028", "legal_basis": basis,
                                                                "euros": euros})
        assert response.status_code == 302
    html = admin.get("/coordinator/rates").get_data(as_text=True)
    assert not elements(html, "p", id="limits-missing")
    assert elements(html, "dd", data_legal_basis="ehrenamt_26a", data_cents="84000")
    assert elements(html, "tr", data_year="2028") and elements(html, "tr", data_year="2027")
    assert not elements(signed_in(world.coord_a).get("/coordinator/").get_data(as_text=True), "p",
                        id="limits-missing")
    assert db.session.scalar(select(TaxFreeLimit.amount_cents).where(
        TaxFreeLimit.year == 2028, TaxFreeLimit.legal_basis == "uebungsleiter_26")) == 300000


def test_last_years_statement_stays_downloadable_and_the_ledger_starts_anew(world, signed_in, clock):
    clock(NEW_YEAR)
    _limits(2027)
    _limits(2028)
    db.session.add(AllowanceLine(organization_id=world.org_a.id, guide_id=world.guide_a.id, month="2027-11",
                                 legal_basis="ehrenamt_26a", amount_cents=42000, state="paid",
                                 paid_on=dt.date(2027, 12, 20)))
    db.session.commit()
    browser = signed_in(world.coord_a)
    html = browser.get(f"/coordinator/guides/{world.guide_a.id}").get_data(as_text=True)
    # The page opens on the new year (nothing paid yet) and still offers the old one.
    assert elements(html, "tr", data_legal_basis="ehrenamt_26a", data_paid="0")
    assert "2027" in html and "2028" in html
    old = browser.get(f"/coordinator/guides/{world.guide_a.id}?year=2027").get_data(as_text=True)
    assert elements(old, "tr", data_legal_basis="ehrenamt_26a", data_paid="42000")
    response = browser.get(f"/coordinator/guides/{world.guide_a.id}/year-statement.pdf?year=2027")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "2027" in text and "420,00" in text
    # The dashboard counts the new year: last year's payments are no warning now.
    dashboard = browser.get("/coordinator/").get_data(as_text=True)
    assert not elements(dashboard, "tr", data_guide=world.guide_a.id)
