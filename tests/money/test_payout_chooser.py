"""Choosing what a new payout takes at a big organization's size, over HTTP: by month, by guide, the
totals counted in the database, one page of entries at a time, and a payout made from the rule (every
page's entries, less the ones unchecked) — paging never loses the rule."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from server.expenses.models import Claim, Expense
from server.extensions import db
from server.money import payable
from server.money.models import AllowanceLine, Payout
from tests.coordinator.conftest import sign_in

MONTHS = [f"2026-{m:02d}" for m in range(1, 7)]


@pytest.fixture
def desk(app, coordinator):
    browser = app.test_client()
    assert sign_in(browser, coordinator.email).status_code == 302
    return browser


@pytest.fixture
def payable_claims(org, make_guide):
    """4 guides × 6 months of decided claims, each guide's claim of month m worth (guide + 1) × m € in two
    approved items and one rejected; one approved flat allowance of 40 € (guide 0, 2026-03)."""
    guides = [make_guide(org, f"Lotsin {i} Ahmadi") for i in range(4)]
    claims: dict[tuple[int, str], Claim] = {}
    for i, guide in enumerate(guides):
        for m, month in enumerate(MONTHS, start=1):
            claim = Claim(organization_id=org.id, guide_id=guide.id, month=month, state="decided")
            db.session.add(claim)
            db.session.flush()
            cents = (i + 1) * m * 100
            for amount, state in ((cents - 1, "approved"), (1, "approved"), (999, "rejected")):
                db.session.add(Expense(organization_id=org.id, guide_id=guide.id, claim_id=claim.id, state=state,
                                       date=dt.date.fromisoformat(f"{month}-10"), category="other",
                                       amount_cents=amount, description="Fahrt"))
            claims[(i, month)] = claim
    db.session.add(AllowanceLine(organization_id=org.id, guide_id=guides[0].id, month="2026-03",
                                 legal_basis="ehrenamt_26a", amount_cents=4000, state="approved"))
    db.session.commit()
    return guides, claims


def _cents(i: int, month: str) -> int:
    return (i + 1) * int(month[-2:]) * 100


def _offered(html: str) -> dict[str, int]:
    return {claim_id: int(cents) for claim_id, cents in
            re.findall(r'name="claim" value="([^"]+)" data-cents="(\d+)"', html)}


def _choice(html: str) -> tuple[int, int]:
    match = re.search(r'id="payout-choice" data-entries="(\d+)" data-cents="(\d+)"', html)
    assert match, html[-3000:]
    return int(match.group(1)), int(match.group(2))


def _payout(response) -> Payout:
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return db.session.get(Payout, int(re.search(r"/payouts/(\d+)$", response.location).group(1)))


def _form(html: str) -> dict[str, list[str]]:
    """What the browser posts: the hidden fields and the checked boxes of the payout form."""
    form = html[html.index('id="payout-form"'):]
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if not name or (name.group(1) in ("claim", "line") and "checked" not in tag):
            continue
        fields.setdefault(name.group(1), []).append(value.group(1) if value else "")
    return fields


def test_the_month_table_counts_every_payable_month_in_the_database(desk, payable_claims):
    html = desk.get("/coordinator/payouts/new").get_data(as_text=True)
    rows = re.findall(r'<tr data-month="([^"]+)".*?<td class="num" data-cents="(\d+)">', html, re.S)
    expected = {month: sum(_cents(i, month) for i in range(4)) + (4000 if month == "2026-03" else 0)
                for month in MONTHS}
    assert {month: int(cents) for month, cents in rows} == expected
    assert _choice(html) == (25, sum(expected.values()))
    assert re.search(rf'id="payout-total" data-cents="{sum(expected.values())}"', html)


def test_choosing_a_month_offers_and_pays_that_month_only(desk, payable_claims):
    guides, claims = payable_claims
    html = desk.get("/coordinator/payouts/new?month=2026-03").get_data(as_text=True)
    assert _offered(html) == {claims[(i, "2026-03")].id: _cents(i, "2026-03") for i in range(4)}
    total = sum(_cents(i, "2026-03") for i in range(4)) + 4000
    assert _choice(html) == (5, total)
    payout = _payout(desk.post("/coordinator/payouts/new", data=_form(html)))
    assert payout.total_cents == total
    assert set(db.session.scalars(select(Claim.month).where(Claim.payout_id == payout.id))) == {"2026-03"}
    assert db.session.scalar(select(AllowanceLine.payout_id)) == payout.id
    # What it took is no longer offered; the other months still are, with their totals.
    after = desk.get("/coordinator/payouts/new").get_data(as_text=True)
    assert 'data-month="2026-03"' not in after and _choice(after)[0] == 20


def test_choosing_a_guide_offers_and_pays_that_guides_claims(desk, payable_claims):
    guides, claims = payable_claims
    html = desk.get(f"/coordinator/payouts/new?guide={guides[2].id}").get_data(as_text=True)
    assert _offered(html) == {claims[(2, month)].id: _cents(2, month) for month in MONTHS}
    assert _choice(html) == (6, sum(_cents(2, month) for month in MONTHS))
    payout = _payout(desk.post("/coordinator/payouts/new", data=_form(html)))
    assert set(db.session.scalars(select(Claim.guide_id).where(Claim.payout_id == payout.id))) == {guides[2].id}
    assert payout.total_cents == sum(_cents(2, month) for month in MONTHS)
    # Month and guide together: one claim.
    one = desk.get(f"/coordinator/payouts/new?guide={guides[1].id}&month=2026-05").get_data(as_text=True)
    assert _offered(one) == {claims[(1, "2026-05")].id: _cents(1, "2026-05")}


def test_paging_keeps_the_rule_and_the_payout_takes_every_page(desk, payable_claims, monkeypatch):
    guides, claims = payable_claims
    monkeypatch.setattr(payable, "PAGE_SIZE", 4)  # a guide's 6 claims on two pages
    first = desk.get(f"/coordinator/payouts/new?guide={guides[3].id}").get_data(as_text=True)
    assert len(_offered(first)) == 4 and _choice(first)[0] == 6
    nxt = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert f"guide={guides[3].id}" in nxt and "page=2" in nxt
    second = desk.get(nxt).get_data(as_text=True)
    assert len(_offered(second)) == 2 and not set(_offered(second)) & set(_offered(first))
    assert _choice(second) == _choice(first)  # the rule's totals, on every page
    # Posted from page 2 with one of its claims unchecked: every other claim of the guide, on both pages.
    left_out = claims[(3, "2026-06")]
    fields = _form(second)
    fields["claim"].remove(left_out.id)
    payout = _payout(desk.post("/coordinator/payouts/new", data=fields))
    taken = set(db.session.scalars(select(Claim.id).where(Claim.payout_id == payout.id)))
    assert taken == {claims[(3, month)].id for month in MONTHS} - {left_out.id}
    assert payout.total_cents == sum(_cents(3, month) for month in MONTHS) - _cents(3, "2026-06")


def test_a_bad_rule_or_page_never_errs(desk, payable_claims):
    for query in ("month=2026-13", "month=x", "guide=abc", "guide=99999999999", "page=0", "page=-1",
                  "page=999999", "page=x"):
        response = desk.get(f"/coordinator/payouts/new?{query}")
        assert response.status_code == 200, query
    # Nothing payable under a rule: a clear 400, and no payout.
    response = desk.post("/coordinator/payouts/new", data={"rule": "1", "month": "2027-01"})
    assert response.status_code == 400 and 'class="flash error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Payout)) == 0


def test_another_organizations_guide_is_no_rule_here(desk, payable_claims, make_org, make_guide):
    other = make_guide(make_org("awo", "AWO"), "Fremde Lotsin")
    html = desk.get(f"/coordinator/payouts/new?guide={other.id}").get_data(as_text=True)
    assert _offered(html) == {} and _choice(html) == (0, 0)
