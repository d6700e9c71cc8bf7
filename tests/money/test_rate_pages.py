"""The rates page over HTTP: admins add km rates, flat allowances and tax-free limits; coordinators only read.

A rate is never changed in place; bad input shows the form again with its error and changes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from server.audit.models import AuditEvent
from server.extensions import db
from server.money.models import AllowanceRate, TaxFreeLimit
from server.money.rates import km_rate
from server.organizations.models import MileageRate
from tests.coordinator import conftest as coordinator_fixtures
from tests.money.pages import elements

world, signed_in = coordinator_fixtures.world, coordinator_fixtures.signed_in  # fixtures of the coordinator pages


def _count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _audits(action: str) -> int:
    return int(db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)))


def test_admin_adds_km_rates_and_a_change_mid_month_prices_each_day(world, signed_in, make_device):
    admin = signed_in(world.admin)
    for day, euros in (("2026-01-01", "0,30"), ("2026-10-15", "0.35")):
        response = admin.post("/coordinator/rates/km", data={"mode": "car", "valid_from": day, "euros_per_km": euros})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    org = world.org_a.id
    assert km_rate(org, dt.date(2026, 10, 14)) == 30 and km_rate(org, dt.date(2026, 10, 15)) == 35
    assert _audits("money.km_rate_set") == 2
    # A guide's phone: mileage before and after the change is priced at the rate of its own day.
    phone = make_device(world.guide_a)
    before = phone.upsert("expense", date="2026-10-14", category="mileage", km=12, amount_cents=1)
    after = phone.upsert("expense", date="2026-10-15", category="mileage", km=12, amount_cents=1)
    phone.sync()
    assert phone.record("expense", before)["amount_cents"] == 360
    assert phone.record("expense", after)["amount_cents"] == 420
    # The page lists the history with the one in force marked; the other organization sees none of it.
    page = admin.get("/coordinator/rates").get_data(as_text=True)
    rows = elements(page, "tr", data_mode="car")
    assert [(r["data-valid-from"], r["data-cents"], r.get("data-current")) for r in rows] == [
        ("2026-10-15", "35", "1"), ("2026-01-01", "30", None)]
    other = signed_in(world.coord_b).get("/coordinator/rates").get_data(as_text=True)
    assert elements(other, "tr", data_mode="car") == []


def test_a_rate_is_never_changed_in_place(world, signed_in):
    admin = signed_in(world.admin)
    assert admin.post("/coordinator/rates/km", data={"mode": "car", "valid_from": "2026-06-01",
                                                    "euros_per_km": "0,30"}).status_code == 302
    for day in ("2026-06-01", "2026-05-31"):  # the same start, or an earlier one
        response = admin.post("/coordinator/rates/km", data={"mode": "car", "valid_from": day, "euros_per_km": "0,99"})
        assert response.status_code == 400
        assert elements(response.get_data(as_text=True), id="rate-error")
    assert [r.cents_per_km for r in db.session.scalars(select(MileageRate))] == [30]
    # Another travel mode is another series.
    assert admin.post("/coordinator/rates/km", data={"mode": "bicycle", "valid_from": "2026-05-01",
                                                    "euros_per_km": "0,10"}).status_code == 302


@pytest.mark.parametrize("data", [
    {"euros_per_km": "-0,10"}, {"euros_per_km": "abc"}, {"euros_per_km": "0,305"}, {"euros_per_km": "NaN"},
    {"euros_per_km": ""}, {"euros_per_km": "11"}, {"valid_from": "2026-13-40"}, {"valid_from": "gestern"},
    {"valid_from": "1800-01-01"}, {"mode": "rocket"},
], ids=lambda d: "-".join(f"{k}={v}" for k, v in d.items()))
def test_bad_km_rate_input_shows_the_form_and_changes_nothing(world, signed_in, data):
    admin = signed_in(world.admin)
    response = admin.post("/coordinator/rates/km", data={"mode": "car", "valid_from": "2026-06-01",
                                                        "euros_per_km": "0,30", **data})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert elements(html, "form", id="km-rate-form") and elements(html, "span", class_="field-error")
    assert _count(MileageRate) == 0 and _audits("money.km_rate_set") == 0


def test_coordinators_see_the_rates_but_only_admins_change_them(world, signed_in, limits_2026):
    admin, coordinator = signed_in(world.admin), signed_in(world.coord_a)
    admin.post("/coordinator/rates/km", data={"mode": "car", "valid_from": "2026-01-01", "euros_per_km": "0,30"})
    page = coordinator.get("/coordinator/rates")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert elements(html, "tr", data_mode="car", data_cents="30")
    assert not elements(html, "form", id="km-rate-form")  # no form to add one
    for url, data in (("/coordinator/rates/km", {"mode": "car", "valid_from": "2026-12-01", "euros_per_km": "1"}),
                      ("/coordinator/rates/allowance", {"unit": "hour", "legal_basis": "ehrenamt_26a",
                                                        "valid_from": "2026-12-01", "euros": "5"}),
                      ("/coordinator/rates/limits", {"year": "2026", "legal_basis": "ehrenamt_26a", "euros": "1"})):
        assert coordinator.post(url, data=data).status_code == 403
    assert _count(MileageRate) == 1 and _count(AllowanceRate) == 0
    assert db.session.scalar(select(TaxFreeLimit.amount_cents).where(
        TaxFreeLimit.year == 2026, TaxFreeLimit.legal_basis == "ehrenamt_26a")) == 84000


def test_flat_allowances_are_kept_apart_and_never_under_both_legal_bases(world, signed_in):
    admin = signed_in(world.admin)
    response = admin.post("/coordinator/rates/allowance", data={
        "unit": "hour", "legal_basis": "ehrenamt_26a", "valid_from": "2026-01-01", "euros": "5,00",
        "activity_kinds": ["accompaniment", "meeting"]})
    assert response.status_code == 302
    # § 3 Nr. 26 for meetings too: refused with the reason, nothing added.
    response = admin.post("/coordinator/rates/allowance", data={
        "unit": "meeting", "legal_basis": "uebungsleiter_26", "valid_from": "2026-03-01", "euros": "3",
        "activity_kinds": ["meeting"]})
    assert response.status_code == 400 and elements(response.get_data(as_text=True), id="rate-error")
    # Unknown kinds and units are form errors.
    for bad in ({"activity_kinds": ["sleeping"]}, {"unit": "week"}, {"legal_basis": "nr_99"}, {"euros": "-5"}):
        response = admin.post("/coordinator/rates/allowance", data={
            "unit": "hour", "legal_basis": "uebungsleiter_26", "valid_from": "2026-03-01", "euros": "3", **bad})
        assert response.status_code == 400, bad
    rates = db.session.scalars(select(AllowanceRate)).all()
    assert [(r.unit, r.legal_basis, r.cents, r.activity_kinds) for r in rates] == [
        ("hour", "ehrenamt_26a", 500, ["accompaniment", "meeting"])]
    html = admin.get("/coordinator/rates").get_data(as_text=True)
    # Shown in the allowance table, not among the km rates (Auslagenersatz ≠ Aufwandsentschädigung).
    assert elements(html, "tr", data_unit="hour", data_legal_basis="ehrenamt_26a", data_cents="500", data_current="1")
    km_table = html.split('id="km-rate-table"')[1].split("</table>")[0]
    assert "data-legal-basis" not in km_table


def test_admin_sets_a_years_tax_free_limit(world, signed_in, limits_2026, clock):
    clock("2026-06-15T10:00:00+02:00")  # the limits in force are 2026's; the admin sets next year's
    admin = signed_in(world.admin)
    html = admin.get("/coordinator/rates").get_data(as_text=True)
    assert elements(html, "dd", data_legal_basis="ehrenamt_26a", data_cents="84000")
    assert elements(html, "dd", data_legal_basis="uebungsleiter_26", data_cents="300000")
    response = admin.post("/coordinator/rates/limits", data={"year": "2027", "legal_basis": "ehrenamt_26a",
                                                            "euros": "960,00"})
    assert response.status_code == 302
    assert db.session.scalar(select(TaxFreeLimit.amount_cents).where(TaxFreeLimit.year == 2027)) == 96000
    assert db.session.scalar(select(AuditEvent.actor_user_id).where(
        AuditEvent.action == "money.tax_free_limit_set", AuditEvent.object_id == "2027:ehrenamt_26a")) == world.admin.id
    for bad in ({"year": "1999"}, {"year": "zwei"}, {"euros": "-1"}, {"euros": "1,001"}, {"legal_basis": "x"}):
        response = admin.post("/coordinator/rates/limits", data={"year": "2028", "legal_basis": "ehrenamt_26a",
                                                                "euros": "900", **bad})
        assert response.status_code == 400, bad
    assert _count(TaxFreeLimit) == 3
    html = admin.get("/coordinator/rates").get_data(as_text=True)
    assert elements(html, "tr", data_year="2027")
