"""The coordinator's payout pages over HTTP: a draft from payable claims, export and both files (the XML
valid against the pain.001 XSD, the XLSX with the same sums), marking paid (the phone sees it), cancelling
(audited, claims payable again), one payout per claim, clear messages for missing bank details, and the
organization boundary."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from decimal import Decimal
from xml.etree import ElementTree

import pytest
import xmlschema
from openpyxl import load_workbook
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.expenses.models import Claim, Expense
from server.extensions import db
from server.money.models import Payout
from server.money.operations import claim_expenses, decide_expense, payable_claims
from server.organizations.models import Organization
from sync import clock
from tests.coordinator.conftest import csrf_token, sign_in
from tests.money.conftest import approve_all
from tests.money.test_payouts import NS, SCHEMA

TODAY = clock.today()
EXECUTION = (TODAY + dt.timedelta(days=5)).isoformat()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def desk(app, coordinator):
    browser = app.test_client()
    assert sign_in(browser, coordinator.email).status_code == 302
    return browser


@pytest.fixture
def decided_claims(org, guide, make_guide, make_claim, coordinator_author):
    """Two guides' decided claims: 12,00 + 3,40 € and 0,01 + 999,99 € (a third item of 7,77 € rejected)."""
    one = make_claim(guide, org, "2026-10", [1200, 340])
    two = make_claim(make_guide(org, "Oleksandr Kovalenko"), org, "2026-10", [1, 99999, 777])
    decide_expense(coordinator_author, org.id, claim_expenses(two)[2].id, "rejected", "doppelt")
    approve_all(coordinator_author, org, one)
    approve_all(coordinator_author, org, two)
    return one, two


def _create(desk, claims=(), lines=(), reference=""):
    return desk.post("/coordinator/payouts/new", data={"claim": [c.id for c in claims], "line": list(lines),
                                                       "reference": reference})


def _payout_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(re.search(r"/payouts/(\d+)$", response.location).group(1))


def _export(desk, payout_id, day=EXECUTION):
    return desk.post(f"/coordinator/payouts/{payout_id}/export", data={"execution_date": day})


def test_new_payout_offers_payable_claims_with_a_running_total(desk, org, decided_claims, guide, make_claim):
    undecided = make_claim(guide, org, "2026-11", [500])
    html = desk.get("/coordinator/payouts/new").get_data(as_text=True)
    offered = dict(re.findall(r'name="claim" value="([^"]+)" data-cents="(\d+)"', html))
    assert offered == {decided_claims[0].id: "1540", decided_claims[1].id: "100000"}
    assert undecided.id not in offered
    assert re.search(r'id="payout-total" data-cents="101540"', html)


def test_create_export_download_and_mark_paid(desk, org, decided_claims):
    payout_id = _payout_id(_create(desk, decided_claims, reference="Oktober 2026"))
    html = desk.get(f"/coordinator/payouts/{payout_id}").get_data(as_text=True)
    assert 'data-state="draft"' in html and 'id="payout-total" data-cents="101540"' in html
    assert sorted(re.findall(r'<td class="num" data-cents="(\d+)">', html)) == ["100000", "1540"]
    # A claim is in at most one payout: the form no longer offers it, and a forged form is refused.
    assert decided_claims[0].id not in desk.get("/coordinator/payouts/new").get_data(as_text=True)
    response = _create(desk, decided_claims[:1])
    assert response.status_code == 409 and 'class="flash error"' in response.get_data(as_text=True)
    # Files exist only once exported.
    assert desk.get(f"/coordinator/payouts/{payout_id}/sepa.xml").status_code == 409
    assert _export(desk, payout_id, (TODAY - dt.timedelta(days=1)).isoformat()).status_code == 400  # in the past
    assert _export(desk, payout_id, "kein Datum").status_code == 400
    assert _export(desk, payout_id).status_code == 302
    payout = db.session.get(Payout, payout_id)
    assert (payout.state, payout.execution_date, payout.total_cents) == ("exported", dt.date.fromisoformat(EXECUTION), 101540)

    xml = desk.get(f"/coordinator/payouts/{payout_id}/sepa.xml")
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert xml.headers["Content-Disposition"] == f'attachment; filename="payout-{payout_id}-pain.001.001.09.xml"'
    xmlschema.XMLSchema(str(SCHEMA)).validate(xml.get_data(as_text=True))
    root = ElementTree.fromstring(xml.data)
    amounts = [Decimal(e.text) for e in root.iterfind(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)]
    assert Decimal(root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", NS).text) == sum(amounts) == Decimal("1015.40")
    assert root.find(".//p:ReqdExctnDt/p:Dt", NS).text == EXECUTION

    xlsx = desk.get(f"/coordinator/payouts/{payout_id}/payout.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype == XLSX
    assert xlsx.headers["Content-Disposition"] == f'attachment; filename="payout-{payout_id}.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0]]
    header = next(i for i, r in enumerate(rows) if r[1] == "IBAN")
    body, total = rows[header + 1:-1], rows[-1]
    assert sorted(round(Decimal(str(r[5])) * 100) for r in body) == [1540, 100000]
    assert round(Decimal(str(total[5])) * 100) == 101540 == payout.total_cents
    # Downloadable again later, byte for byte the file that went to the bank (creation time = export time).
    time.sleep(1.1)  # sepaxml would stamp a different second now
    assert desk.get(f"/coordinator/payouts/{payout_id}/sepa.xml").data == xml.data
    created = root.find(".//p:GrpHdr/p:CreDtTm", NS).text
    assert created == payout.exported_at.strftime("%Y-%m-%dT%H:%M:%S")

    # Exported: frozen — no removal, no second export.
    removed = desk.post(f"/coordinator/payouts/{payout_id}/remove", data={"claim": decided_claims[0].id})
    assert removed.status_code == 409
    assert _export(desk, payout_id).status_code == 409
    assert desk.post(f"/coordinator/payouts/{payout_id}/paid", data={"paid_on": EXECUTION}).status_code == 400
    assert desk.post(f"/coordinator/payouts/{payout_id}/paid", data={"paid_on": TODAY.isoformat()}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Payout, payout_id).state == "paid"
    states = {e.state for c in decided_claims for e in claim_expenses(c)}
    assert states == {"paid", "rejected"}
    assert {db.session.get(Claim, c.id).state for c in decided_claims} == {"paid"}
    assert desk.post(f"/coordinator/payouts/{payout_id}/cancel", data={"reason": "zu spät"}).status_code == 409
    assert desk.get(f"/coordinator/payouts/{payout_id}/payout.xlsx").status_code == 200
    listing = desk.get("/coordinator/payouts").get_data(as_text=True)
    assert f'data-payout-id="{payout_id}" data-state="paid"' in listing


def test_paid_over_http_reaches_the_guides_phone(desk, make_device, guide, org, coordinator_author):
    phone = make_device(guide)
    expense = phone.upsert("expense", date="2026-10-05", category="public_transport", amount_cents=320,
                           description="GVH Tageskarte")
    phone.sync()
    claim_id = phone.upsert("claim", month="2026-10", state="submitted")
    phone.sync()
    assert desk.post(f"/coordinator/claims/{claim_id}/approve-remaining").status_code == 302
    payout_id = _payout_id(_create(desk, [db.session.get(Claim, claim_id)]))
    assert _export(desk, payout_id).status_code == 302
    assert desk.post(f"/coordinator/payouts/{payout_id}/paid", data={"paid_on": TODAY.isoformat()}).status_code == 302
    phone.sync()
    assert phone.record("expense", expense)["state"] == "paid"
    assert phone.record("claim", claim_id)["state"] == "paid"


def test_draft_removal_and_cancel_with_reason(desk, org, decided_claims):
    one, two = decided_claims
    payout_id = _payout_id(_create(desk, decided_claims))
    assert desk.post(f"/coordinator/payouts/{payout_id}/remove", data={"claim": two.id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Payout, payout_id).total_cents == 1540
    assert two.id in {c.id for c in payable_claims(org.id)}
    assert desk.post(f"/coordinator/payouts/{payout_id}/remove", data={"claim": two.id}).status_code == 404
    assert desk.post(f"/coordinator/payouts/{payout_id}/remove", data={}).status_code == 400
    assert _export(desk, payout_id).status_code == 302
    # Cancelling needs a reason; it is audited and the claim becomes payable again.
    assert desk.post(f"/coordinator/payouts/{payout_id}/cancel", data={"reason": "  "}).status_code == 400
    assert db.session.get(Payout, payout_id).state == "exported"
    # Exported: only with the confirmation that the bank did not execute it (test_payout_void.py).
    assert desk.post(f"/coordinator/payouts/{payout_id}/cancel", data={"reason": "Falsches Datum"}).status_code == 409
    assert desk.post(f"/coordinator/payouts/{payout_id}/cancel", data={"reason": "Falsches Datum",
                                                                       "bank_not_executed": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Payout, payout_id).state == "cancelled"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "money.payout_cancelled",
                                                       AuditEvent.object_id == str(payout_id)))
    assert event is not None and event.details["reason"] == "Falsches Datum"
    assert {c.id for c in payable_claims(org.id)} == {one.id, two.id}
    assert {e.state for e in claim_expenses(one)} == {"approved"}
    assert desk.post(f"/coordinator/payouts/{payout_id}/paid", data={"paid_on": TODAY.isoformat()}).status_code == 409
    # The claims can go into a new payout.
    _payout_id(_create(desk, decided_claims))


def test_missing_bank_details_are_listed_not_a_500(desk, org, guide, make_guide, make_claim, coordinator_author):
    no_iban = make_guide(org, "Kein Konto", iban=None)
    claim = make_claim(no_iban, org, "2026-09", [100])
    approve_all(coordinator_author, org, claim)
    response = _create(desk, [claim])
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert f'href="/coordinator/guides/{no_iban.id}#bank-account">Kein Konto</a>' in html
    assert db.session.scalar(select(Payout)) is None
    # The organization's own account missing: the export says so and the payout stays a draft.
    ok = make_claim(guide, org, "2026-09", [250])
    approve_all(coordinator_author, org, ok)
    payout_id = _payout_id(_create(desk, [ok]))
    organization = db.session.get(Organization, org.id)
    organization.bank_iban = None
    db.session.commit()
    response = _export(desk, payout_id)
    assert response.status_code == 409 and "IBAN" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Payout, payout_id).state == "draft"


def test_nothing_chosen_or_forged_ids(desk, org, decided_claims, make_org, make_guide, make_claim, coordinator_author):
    assert _create(desk).status_code == 400
    assert _create(desk, lines=["12345"]).status_code == 404
    other = make_org("awo", "AWO")
    foreign = make_claim(make_guide(other), other, "2026-10", [5000])
    approve_all(coordinator_author, other, foreign)
    assert _create(desk, [decided_claims[0], foreign]).status_code == 404
    db.session.expire_all()
    assert db.session.get(Claim, decided_claims[0].id).payout_id is None
    assert db.session.scalar(select(Payout)) is None


def test_another_organizations_payout_is_404(app, desk, org, decided_claims, make_org, make_user):
    payout_id = _payout_id(_create(desk, decided_claims))
    assert _export(desk, payout_id).status_code == 302
    stranger = make_user(make_org("awo", "AWO"), "coordinator", "coord@awo.example.org", "Bruno")
    foreign = app.test_client()
    assert sign_in(foreign, stranger.email).status_code == 302
    for method, path, data in (
            ("GET", "", {}), ("GET", "/sepa.xml", {}), ("GET", "/payout.xlsx", {}),
            ("POST", "/remove", {"claim": decided_claims[0].id}), ("POST", "/export", {"execution_date": EXECUTION}),
            ("POST", "/paid", {"paid_on": TODAY.isoformat()}), ("POST", "/cancel", {"reason": "fremd"})):
        assert foreign.open(f"/coordinator/payouts/{payout_id}{path}", method=method, data=data).status_code == 404
    assert f"/payouts/{payout_id}" not in foreign.get("/coordinator/payouts").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Payout, payout_id).state == "exported"


def test_payout_forms_need_the_csrf_token(app, org, decided_claims, coordinator):
    from server import create_app

    config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "BLOB_DIR")}
    browser = create_app({**config, "TESTING": True, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False}).test_client()
    token = csrf_token(browser.get("/coordinator/login").get_data(as_text=True))
    browser.post("/coordinator/login", data={"email": coordinator.email, "password": "correct horse battery",
                                             "csrf_token": token})
    assert browser.post("/coordinator/payouts/new", data={"claim": decided_claims[0].id}).status_code == 400
    assert db.session.scalar(select(Payout)) is None
    page = browser.get("/coordinator/payouts/new").get_data(as_text=True)
    response = browser.post("/coordinator/payouts/new", data={"claim": decided_claims[0].id,
                                                               "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert db.session.scalar(select(Expense.state).where(Expense.claim_id == decided_claims[0].id)) == "approved"
