"""Late and corrected expenses: a follow-up claim (Nachtrag) of an already claimed month, paid like any
other, and a rejected item corrected on the phone and sent again with its rejection kept.

The phone is the reference client (`sync/client.py`) over HTTP; the desk is the test client."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from flask_babel import force_locale

from server.expenses.models import Claim
from server.extensions import db
from sync import clock
from tests.coordinator.conftest import sign_in
from tests.money.test_payouts import NS

EXECUTION = (clock.today() + dt.timedelta(days=3)).isoformat()
RECEIPT = hashlib.sha256(b"Fahrkarte GVH").hexdigest()


@pytest.fixture
def desk(app, coordinator):
    browser = app.test_client()
    assert sign_in(browser, coordinator.email).status_code == 302
    return browser


def _decide(desk, claim_id, expense_id, decision, reason=""):
    response = desk.post(f"/coordinator/claims/{claim_id}/items/{expense_id}",
                         data={"decision": decision, "reason": reason})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]


def test_late_and_corrected_expenses_go_into_a_paid_follow_up_claim(desk, make_device, guide, org):
    phone = make_device(guide)
    book = phone.upsert("expense", date="2026-11-04", category="material", amount_cents=1250, description="Wörterbuch")
    ticket = phone.upsert("expense", date="2026-11-06", category="public_transport", amount_cents=320,
                          description="GVH")
    first = phone.upsert("claim", month="2026-11", state="submitted")
    phone.sync()
    assert (phone.record("claim", first)["sequence"], phone.record("claim", first)["state"]) == (1, "submitted")

    _decide(desk, first, book, "approved")
    _decide(desk, first, ticket, "rejected", "Bitte Beleg nachreichen")
    phone.sync()
    assert phone.record("expense", ticket)["rejection_reason"] == "Bitte Beleg nachreichen"

    # A late expense of the claimed month, and the rejected ticket corrected: receipt added, amount fixed.
    late = phone.upsert("expense", date="2026-11-28", category="phone", amount_cents=500, description="Guthaben")
    phone.upsert("expense", ticket, amount_cents=330, receipts=[RECEIPT])
    phone.sync()
    corrected = phone.record("expense", ticket)
    assert (corrected["state"], corrected["claim_id"], corrected["rejection_reason"]) == ("open", None, "")
    assert [r["reason"] for r in corrected["earlier_rejections"]] == ["Bitte Beleg nachreichen"]
    assert phone.record("expense", late)["state"] == "open"

    followup = phone.upsert("claim", month="2026-11", state="submitted")
    phone.sync()
    claim = phone.record("claim", followup)
    assert (claim["sequence"], claim["state"], claim["expense_count"], claim["total_cents"]) == (2, "submitted", 2, 830)
    assert {phone.record("expense", e)["claim_id"] for e in (late, ticket)} == {followup}
    assert phone.record("claim", first)["total_cents"] == 1250  # the rejected item left the first claim

    with force_locale("de"):
        claims = desk.get("/coordinator/claims").get_data(as_text=True)
        assert "November 2026, Nachtrag" in claims
        page = desk.get(f"/coordinator/claims/{followup}").get_data(as_text=True)
        assert "Nachtrag" in page and "Bitte Beleg nachreichen" in page
        assert "korrigiert" in re.search(r'class="hint earlier-rejection">([^<]+)', page).group(1)
        original = desk.get(f"/coordinator/claims/{first}").get_data(as_text=True)
        assert f'data-expense-id="{ticket}"' in original.split('id="resent"')[1]
        assert f"/coordinator/claims/{followup}" in original.split('id="resent"')[1]

    _decide(desk, followup, late, "approved")
    _decide(desk, followup, ticket, "approved")
    chooser = desk.get("/coordinator/payouts/new").get_data(as_text=True)
    offered = dict(re.findall(r'name="claim" value="([^"]+)" data-cents="(\d+)"', chooser))
    assert offered == {first: "1250", followup: "830"}
    response = desk.post("/coordinator/payouts/new", data={"claim": [first, followup]})
    payout_id = int(re.search(r"/payouts/(\d+)$", response.location).group(1))
    assert desk.post(f"/coordinator/payouts/{payout_id}/export", data={"execution_date": EXECUTION}).status_code == 302
    root = ElementTree.fromstring(desk.get(f"/coordinator/payouts/{payout_id}/sepa.xml").data)
    assert Decimal(root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", NS).text) == Decimal("20.80")
    assert desk.get(f"/coordinator/payouts/{payout_id}/payout.xlsx").status_code == 200
    assert desk.post(f"/coordinator/payouts/{payout_id}/paid", data={"paid_on": clock.today().isoformat()}).status_code == 302

    phone.sync()
    assert {phone.record("claim", c)["state"] for c in (first, followup)} == {"paid"}
    assert {phone.record("expense", e)["state"] for e in (book, ticket, late)} == {"paid"}
    assert [r["reason"] for r in phone.record("expense", ticket)["earlier_rejections"]] == ["Bitte Beleg nachreichen"]


def test_a_claim_with_nothing_open_is_refused_and_a_second_phone_s_claim_is_a_duplicate(make_device, guide):
    phone, tablet = make_device(guide), make_device(guide, "tablet")
    phone.upsert("expense", date="2026-11-04", category="material", amount_cents=1250)
    phone.sync()
    tablet.sync()
    mine = phone.upsert("claim", month="2026-11", state="submitted")
    theirs = tablet.upsert("claim", month="2026-11", state="submitted")  # offline, the same month
    phone.sync()
    trip = tablet.sync_once()
    assert [r["error"]["code"] for r in trip.results if r["status"] == "rejected"] == ["duplicate"]
    empty = phone.upsert("claim", month="2026-10", state="submitted")
    trip = phone.sync_once()
    assert [r["error"]["code"] for r in trip.results if r["status"] == "rejected"] == ["no_open_expenses"]
    phone.sync()
    assert db.session.query(Claim).filter(Claim.id.in_([mine, theirs, empty])).count() == 1
