"""The finance view of an erased guide's restricted money records; every receipt access is audited."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from server.audit.models import AuditEvent
from server.blobs.models import Blob
from server.blobs.store import blob_store
from server.expenses.models import Claim, Expense, ExpenseReceipt
from server.extensions import db
from server.money.models import Payout, PayoutItem

RECEIPT = b"%PDF-1.4 a restricted receipt"


def _paid_money(org, guide) -> tuple[Expense, Expense, PayoutItem]:
    sha = hashlib.sha256(RECEIPT + guide.email.encode()).hexdigest()
    db.session.add(Blob(sha256=sha, organization_id=org.id, content_type="application/pdf",
                        size_bytes=len(RECEIPT)))
    blob_store().write(org.id, sha, RECEIPT)
    payout = Payout(organization_id=org.id, state="paid", total_cents=1490, reference="AUSZ-2026-03",
                    paid_on=dt.date(2026, 4, 2))
    db.session.add(payout)
    db.session.flush()
    claim = Claim(organization_id=org.id, guide_id=guide.id, month="2026-03", state="paid", payout_id=payout.id)
    db.session.add(claim)
    db.session.flush()
    ticket = Expense(organization_id=org.id, guide_id=guide.id, date=dt.date(2026, 3, 4), category="public_transport",
                     amount_cents=290, state="paid", claim_id=claim.id)
    ticket.receipts = [ExpenseReceipt(sha256=sha)]
    material = Expense(organization_id=org.id, guide_id=guide.id, date=dt.date(2025, 12, 30), category="material",
                       amount_cents=1200, state="paid", claim_id=claim.id)
    item = PayoutItem(organization_id=org.id, payout_id=payout.id, guide_id=guide.id, name=guide.name,
                      iban="DE89370400440532013000", expense_cents=1490, allowance_cents=0, amount_cents=1490,
                      end_to_end_id="E2E-1", remittance="Auslagen 03/2026", claim_ids=[claim.id])
    db.session.add_all([ticket, material, item])
    db.session.commit()
    return ticket, material, item


def _erase(browser, guide) -> None:
    assert browser.post(f"/coordinator/guides/{guide.id}/erase", data={"confirm_name": guide.name}).status_code == 302


def test_restricted_records_of_an_erased_guide_with_audited_receipts(signed_in, world, make_user):
    ticket, material, item = _paid_money(world.org_a, world.guide_a)
    kept = make_user(world.org_a, "guide", "kept@example.org", "Karl Nicht-Gelöscht")
    _paid_money(world.org_a, kept)
    browser = signed_in(world.coord_a)
    empty = browser.get("/coordinator/privacy/restricted").get_data(as_text=True)
    assert 'id="no-restricted-records"' in empty and "data-erased-guide" not in empty
    guide_id, guide_name = world.guide_a.id, world.guide_a.name
    _erase(browser, world.guide_a)

    response = browser.get("/coordinator/privacy/restricted")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-erased-guide="{guide_id}"' in html and f"Gelöschte Person #{guide_id}" in html
    assert guide_name not in html and "Karl" not in html and f'data-erased-guide="{kept.id}"' not in html
    # Kept until the end of the 10th year after each record's year; the latest one for the guide.
    assert 'data-restricted-until="2036-12-31"' in html
    assert f'data-expense="{ticket.id}"' in html and f'data-expense="{material.id}"' in html
    assert 'data-expense-cents="1490"' in html and 'data-paid-cents="1490"' in html
    assert f'data-payout-item="{item.id}"' in html and "DE89370400440532013000" not in html
    viewed = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "privacy.restricted_viewed")
                                .order_by(AuditEvent.id)).all()
    assert [v["guides"] for v in viewed] == [[], [guide_id]]

    receipt = ticket.receipts[0]
    assert f'data-receipt="{receipt.id}"' in html
    for _ in range(2):
        file = browser.get(f"/coordinator/privacy/restricted/receipts/{receipt.id}")
        assert file.status_code == 200 and file.data == RECEIPT and file.mimetype == "application/pdf"
        assert file.headers["Cache-Control"] == "no-store"
    accesses = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "privacy.restricted_receipt_viewed")).all()
    assert len(accesses) == 2
    # Restricted means not used: the claim pages no longer show the claim nor serve its receipts.
    assert browser.get(f"/coordinator/receipts/{receipt.id}").status_code == 404
    assert browser.get(f"/coordinator/claims/{ticket.claim_id}").status_code == 404
    assert ticket.claim_id not in browser.get("/coordinator/claims").get_data(as_text=True)
    assert {(a.actor_user_id, a.object_id, a.details["receipt_id"], a.details["guide_id"]) for a in accesses} == {
        (world.coord_a.id, ticket.id, receipt.id, guide_id)}


def test_only_restricted_receipts_of_the_own_organization(signed_in, world, make_user):
    ticket, _material, _item = _paid_money(world.org_a, world.guide_a)
    not_erased = make_user(world.org_a, "guide", "kept@example.org", "Karl Nicht-Gelöscht")
    other, _m, _i = _paid_money(world.org_a, not_erased)
    _erase(signed_in(world.coord_a), world.guide_a)
    receipt_id = ticket.receipts[0].id
    # Another organization's coordinator: 404 like a missing receipt, and they see no erased guide.
    other_org = signed_in(world.coord_b)
    assert other_org.get(f"/coordinator/privacy/restricted/receipts/{receipt_id}").status_code == 404
    assert "data-erased-guide" not in other_org.get("/coordinator/privacy/restricted").get_data(as_text=True)
    # A receipt of a guide who was not erased is not restricted: this view does not serve it.
    own = signed_in(world.coord_a)
    assert own.get(f"/coordinator/privacy/restricted/receipts/{other.receipts[0].id}").status_code == 404
    assert own.get("/coordinator/privacy/restricted/receipts/999999").status_code == 404
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "privacy.restricted_receipt_viewed")) is None
