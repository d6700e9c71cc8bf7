"""The coordinator's claim pages over HTTP: the list, one claim with receipts, deciding items (the guide's
phone receives state and reason), locking, the organization boundary, CSRF, and the allowance lines with
the tax-free limit warning."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.blobs.models import Blob
from server.blobs.store import blob_store
from server.expenses.models import Claim, Expense, ExpenseReceipt
from server.extensions import db
from server.money.models import AllowanceLine
from server.money.operations import claim_expenses
from server.money.rates import set_allowance_rate
from sync.merge import Author
from tests.coordinator.conftest import csrf_token, sign_in
from tests.money.conftest import approve_all


@pytest.fixture
def desk(app, coordinator):
    """The coordinator's browser, signed in."""
    browser = app.test_client()
    assert sign_in(browser, coordinator.email).status_code == 302
    return browser


def _states(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-expense-id="([^"]+)" data-state="([^"]+)"', html))


def _decide(desk, claim, expense_id, decision, reason=""):
    return desk.post(f"/coordinator/claims/{claim.id}/items/{expense_id}",
                     data={"decision": decision, "reason": reason})


def _store_receipt(org, expense, data: bytes, content_type: str, position: int = 0) -> ExpenseReceipt:
    sha = hashlib.sha256(data).hexdigest()
    if db.session.get(Blob, (org.id, sha)) is None:
        db.session.add(Blob(sha256=sha, organization_id=org.id, content_type=content_type, size_bytes=len(data)))
        db.session.flush()
        blob_store().write(org.id, sha, data)
    receipt = ExpenseReceipt(expense_id=expense.id, sha256=sha, position=position)
    db.session.add(receipt)
    db.session.commit()
    return receipt


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_claims_list_puts_waiting_claims_first_and_filters(desk, org, guide, make_guide, make_claim,
                                                            coordinator_author):
    other = make_guide(org, "Oleksandr Kovalenko")
    decided = make_claim(guide, org, "2026-10", [1200, 340])
    approve_all(coordinator_author, org, decided)
    waiting = make_claim(other, org, "2026-09", [505, 1])
    html = desk.get("/coordinator/claims").get_data(as_text=True)
    order = re.findall(r'data-claim-id="([^"]+)" data-state="([^"]+)"', html)
    assert order == [(waiting.id, "submitted"), (decided.id, "decided")]
    row = html[html.index(f'data-claim-id="{decided.id}"'):]
    assert re.findall(r'data-cents="(\d+)"', row)[:4] == ["1540", "1540", "0", "0"]  # claimed/approved/rejected/open
    assert "€15.40" in row  # euros as the page's locale writes them (the money tests run in English)
    assert waiting.id not in desk.get("/coordinator/claims?state=decided").get_data(as_text=True)
    assert decided.id not in desk.get(f"/coordinator/claims?guide={other.id}").get_data(as_text=True)
    by_month = desk.get("/coordinator/claims?month=2026-10").get_data(as_text=True)
    assert decided.id in by_month and waiting.id not in by_month
    # Malformed filters are ignored, never an error.
    assert desk.get("/coordinator/claims?month=13-2026&guide=x&state=nonsense&page=-4").status_code == 200


def test_claim_page_shows_items_mileage_and_receipts_only_to_its_organization(
        app, desk, org, guide, make_claim, make_org, make_user):
    claim = make_claim(guide, org, "2026-10", [1200])
    mileage = Expense(organization_id=org.id, guide_id=guide.id, date=dt.date(2026, 10, 9), category="mileage",
                      km=12, amount_cents=12 * 30, state="submitted", claim_id=claim.id, description="Jobcenter")
    db.session.add(mileage)
    db.session.commit()
    image = _store_receipt(org, claim_expenses(claim)[0], _png(), "image/png")
    pdf = _store_receipt(org, claim_expenses(claim)[0], PDF, "application/pdf", 1)
    pending = ExpenseReceipt(expense_id=mileage.id, sha256="a" * 64, position=0)
    db.session.add(pending)
    db.session.commit()
    html = desk.get(f"/coordinator/claims/{claim.id}").get_data(as_text=True)
    assert guide.name in html and "Jobcenter" in html
    mileage_line = html[html.index('class="mileage"'):].split("</p>")[0]
    assert "12 km" in mileage_line and "€0.30" in mileage_line and "€3.60" in mileage_line  # km × rate
    assert f'<img src="/coordinator/receipts/{image.id}"' in html
    assert f'data="/coordinator/receipts/{pdf.id}" type="application/pdf"' in html
    response = desk.get(f"/coordinator/receipts/{image.id}")
    assert (response.status_code, response.mimetype, response.data) == (200, "image/png", _png())
    assert response.headers["Content-Disposition"].startswith("inline")
    response = desk.get(f"/coordinator/receipts/{pdf.id}")
    assert (response.mimetype, response.data) == ("application/pdf", PDF)
    # The claim page's <object> may embed it; nobody else may (server/security_headers.py).
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert desk.get(f"/coordinator/claims/{claim.id}").headers["X-Frame-Options"] == "DENY"
    assert desk.get(f"/coordinator/receipts/{pending.id}").status_code == 404  # not uploaded yet
    assert desk.get("/coordinator/receipts/999999").status_code == 404
    # Another organization's coordinator sees neither the claim nor its receipts; nobody signed out does.
    other_org = make_org("awo", "AWO")
    stranger = make_user(other_org, "coordinator", "coord@awo.example.org", "Bruno")
    foreign = app.test_client()
    assert sign_in(foreign, stranger.email).status_code == 302
    assert foreign.get(f"/coordinator/claims/{claim.id}").status_code == 404
    assert foreign.get(f"/coordinator/receipts/{image.id}").status_code == 404
    assert claim.id not in foreign.get("/coordinator/claims").get_data(as_text=True)
    assert app.test_client().get(f"/coordinator/receipts/{image.id}").status_code == 302


def test_decisions_over_http_reach_the_guides_phone(desk, make_device, guide, org):
    phone = make_device(guide)
    first = phone.upsert("expense", date="2026-10-03", category="material", amount_cents=899, description="Ordner")
    second = phone.upsert("expense", date="2026-10-04", category="public_transport", amount_cents=320,
                          description="GVH")
    phone.sync()
    claim_id = phone.upsert("claim", month="2026-10", state="submitted")
    phone.sync()
    claim = db.session.get(Claim, claim_id)
    # A rejection needs a reason: refused with the form again, nothing changed.
    response = _decide(desk, claim, first, "rejected", "   ")
    assert response.status_code == 400
    assert _states(response.get_data(as_text=True))[first] == "submitted"
    assert _decide(desk, claim, first, "maybe").status_code == 400
    assert _decide(desk, claim, first, "rejected", "Bitte Beleg nachreichen").status_code == 302
    assert _decide(desk, claim, second, "approved").status_code == 302
    db.session.expire_all()
    assert db.session.get(Expense, first).rejection_reason == "Bitte Beleg nachreichen"
    assert db.session.get(Claim, claim_id).state == "decided"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "money.expense_rejected",
                                                      AuditEvent.object_id == first)) is not None
    phone.sync()
    assert phone.record("expense", first)["state"] == "rejected"
    assert phone.record("expense", first)["rejection_reason"] == "Bitte Beleg nachreichen"
    assert phone.record("expense", second)["state"] == "approved"
    assert phone.record("claim", claim_id)["state"] == "decided"


def test_decided_items_are_locked_and_a_forged_post_is_refused(desk, org, guide, make_claim):
    claim = make_claim(guide, org, "2026-10", [1200, 340, 99])
    items = [e.id for e in claim_expenses(claim)]
    assert _decide(desk, claim, items[0], "rejected", "doppelt").status_code == 302
    response = desk.post(f"/coordinator/claims/{claim.id}/approve-remaining")
    assert response.status_code == 302
    html = desk.get(f"/coordinator/claims/{claim.id}").get_data(as_text=True)
    assert _states(html) == {items[0]: "rejected", items[1]: "approved", items[2]: "approved"}
    assert 'data-decided="true"' in html
    assert "/items/" not in html and "approve-remaining" not in html  # no decision buttons left
    assert re.search(r'id="claim-totals">\s*<dt>[^<]*</dt><dd data-cents="1639">', html)
    for expense_id, decision in ((items[1], "rejected"), (items[0], "approved")):
        response = _decide(desk, claim, expense_id, decision, "forged")
        assert response.status_code == 409
        assert 'class="flash error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(Expense, i).state for i in items] == ["rejected", "approved", "approved"]
    assert db.session.get(Expense, items[0]).rejection_reason == "doppelt"


def test_forged_and_foreign_ids_answer_404(app, desk, org, guide, make_guide, make_claim, make_org):
    claim = make_claim(guide, org, "2026-10", [1200])
    other_claim = make_claim(make_guide(org), org, "2026-10", [500])
    foreign_org = make_org("awo", "AWO")
    foreign_claim = make_claim(make_guide(foreign_org), foreign_org, "2026-10", [700])
    foreign_item = claim_expenses(foreign_claim)[0].id
    # An item of another claim under this claim's URL, another organization's claim, a made-up id.
    assert _decide(desk, claim, claim_expenses(other_claim)[0].id, "approved").status_code == 404
    assert _decide(desk, foreign_claim, foreign_item, "approved").status_code == 404
    assert _decide(desk, claim, "x" * 37, "approved").status_code == 404
    assert desk.get(f"/coordinator/claims/{foreign_claim.id}").status_code == 404
    assert desk.get("/coordinator/claims/" + "f" * 40).status_code == 404
    assert desk.post(f"/coordinator/claims/{foreign_claim.id}/approve-remaining").status_code == 404
    assert desk.post(f"/coordinator/claims/{foreign_claim.id}/allowances/compute").status_code == 404
    db.session.expire_all()
    assert db.session.get(Expense, foreign_item).state == "submitted"
    assert claim_expenses(other_claim)[0].state == "submitted"


def test_forms_without_a_csrf_token_are_refused(app, org, guide, coordinator, make_claim):
    from server import create_app

    claim = make_claim(guide, org, "2026-10", [1200])
    item = claim_expenses(claim)[0].id
    config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "BLOB_DIR")}
    csrf_app = create_app({**config, "TESTING": True, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
    browser = csrf_app.test_client()
    token = csrf_token(browser.get("/coordinator/login").get_data(as_text=True))
    assert browser.post("/coordinator/login", data={"email": coordinator.email, "password": "correct horse battery",
                                                     "csrf_token": token}).status_code == 302
    url = f"/coordinator/claims/{claim.id}/items/{item}"
    assert browser.post(url, data={"decision": "approved"}).status_code == 400
    assert browser.post(f"/coordinator/claims/{claim.id}/approve-remaining").status_code == 400
    db.session.expire_all()
    assert db.session.get(Expense, item).state == "submitted"
    page = browser.get(f"/coordinator/claims/{claim.id}").get_data(as_text=True)
    assert browser.post(url, data={"decision": "approved", "csrf_token": csrf_token(page)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Expense, item).state == "approved"


def _paid_line(org, guide, month, cents, paid_on):
    db.session.add(AllowanceLine(organization_id=org.id, guide_id=guide.id, month=month, legal_basis="ehrenamt_26a",
                                 amount_cents=cents, state="paid", paid_on=paid_on))
    db.session.commit()


@pytest.mark.parametrize(("already_paid", "state"), [
    (60000, "ok"),  # with the new line (30,00 €): 630,00 € of 840,00 €, no warning
    (84000 - 3001, "near"),  # one cent under the limit
    (84000 - 3000, "at"),  # paying it reaches the limit exactly
    (84000 - 2999, "over"),  # one cent over
])
def test_allowance_lines_on_the_claim_page_warn_before_the_limit(
        desk, org, guide, make_claim, make_activity, limits_2026, already_paid, state):
    set_allowance_rate(Author(role="system"), org.id, "hour", "ehrenamt_26a", dt.date(2026, 1, 1), 1000)
    make_activity(guide, org, "2026-10-05", minutes=120)
    make_activity(guide, org, "2026-10-12", minutes=60)
    _paid_line(org, guide, "2026-03", already_paid, dt.date(2026, 4, 2))
    claim = make_claim(guide, org, "2026-10", [1200])
    assert desk.post(f"/coordinator/claims/{claim.id}/allowances/compute").status_code == 302
    line = db.session.scalar(select(AllowanceLine).where(AllowanceLine.month == "2026-10"))
    assert (line.amount_cents, line.state) == (3000, "computed")
    html = desk.get(f"/coordinator/claims/{claim.id}").get_data(as_text=True)
    assert f'data-line-id="{line.id}" data-state="computed"' in html
    warnings = re.findall(r'class="flash error limit-warning" role="alert" data-limit-state="(\w+)"', html)
    assert warnings == ([] if state == "ok" else [state])
    # used / limit / remaining for the year, per legal basis
    row = html[html.index('data-legal-basis="ehrenamt_26a"'):]
    assert "€840.00" in row.split("</tr>")[0]
    assert desk.post(f"/coordinator/claims/{claim.id}/allowances/{line.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(AllowanceLine, line.id).state == "approved"
    # approving twice is refused with a message; reopening makes it computed again
    assert desk.post(f"/coordinator/claims/{claim.id}/allowances/{line.id}/approve").status_code == 409
    assert desk.post(f"/coordinator/claims/{claim.id}/allowances/{line.id}/reopen").status_code == 302
    db.session.expire_all()
    assert db.session.get(AllowanceLine, line.id).state == "computed"


def test_allowance_line_of_another_guide_or_month_is_404(desk, org, guide, make_guide, make_claim):
    claim = make_claim(guide, org, "2026-10", [1200])
    other = make_guide(org)
    line = AllowanceLine(organization_id=org.id, guide_id=other.id, month="2026-10", legal_basis="ehrenamt_26a",
                         amount_cents=100)
    db.session.add(line)
    db.session.commit()
    assert desk.post(f"/coordinator/claims/{claim.id}/allowances/{line.id}/approve").status_code == 404
    db.session.expire_all()
    assert db.session.get(AllowanceLine, line.id).state == "computed"
