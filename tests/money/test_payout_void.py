"""An exported payout's SEPA file may already be at the bank (issue #16, item 7): cancelling it needs the
explicit step "the bank did not execute it" with a reason; its message id stays, void, never reused; the
cancellation is audited; the claims' next payout page says where they were; the void file cannot be
downloaded again."""

from __future__ import annotations

from sqlalchemy import select

from server.audit.models import AuditEvent
from server.extensions import db
from server.money.models import Payout
from tests.money.test_payout_pages import _create, _export, _payout_id, decided_claims, desk  # noqa: F401


def _exported(browser, claims) -> tuple[int, str]:
    from server.organizations.models import Organization

    org = db.session.get(Organization, claims[0].organization_id)
    org.bank_iban, org.bank_bic, org.bank_account_holder = "DE89370400440532013000", "COBADEFFXXX", "VHS Hannover"
    db.session.commit()
    payout_id = _payout_id(_create(browser, claims))
    assert _export(browser, payout_id).status_code == 302
    db.session.expire_all()
    return payout_id, db.session.get(Payout, payout_id).message_id


def test_an_exported_payout_is_cancelled_only_with_the_banks_word(desk, decided_claims):  # noqa: F811
    payout_id, message_id = _exported(desk, decided_claims)
    url = f"/coordinator/payouts/{payout_id}/cancel"
    page = desk.get(f"/coordinator/payouts/{payout_id}").get_data(as_text=True)
    assert 'name="bank_not_executed"' in page
    # A reason alone is not enough, nor the checkbox without a reason.
    refused = desk.post(url, data={"reason": "Falsches Datum"})
    assert refused.status_code == 409 and "bank" in refused.get_data(as_text=True)
    assert desk.post(url, data={"reason": " ", "bank_not_executed": "y"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Payout, payout_id).state == "exported"

    done = desk.post(url, data={"reason": "Datei von der Bank abgelehnt", "bank_not_executed": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    payout = db.session.get(Payout, payout_id)
    assert (payout.state, payout.message_id, payout.bank_not_executed) == ("cancelled", message_id, True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "money.payout_cancelled"))
    assert event.details["void_message_id"] == message_id and event.details["bank_not_executed"] is True
    assert event.details["reason"] == "Datei von der Bank abgelehnt"
    # The void file is not handed out again; the payout page says it is void.
    assert desk.get(f"/coordinator/payouts/{payout_id}/sepa.xml").status_code == 409
    assert message_id in desk.get(f"/coordinator/payouts/{payout_id}").get_data(as_text=True)
    # The claims' next payout page says where they were.
    new_page = desk.get("/coordinator/payouts/new").get_data(as_text=True)
    note = f"was in cancelled payout {message_id} (bank did not execute: Datei von der Bank abgelehnt)"
    assert new_page.count(note) == len(decided_claims)
    again, again_message_id = _exported(desk, decided_claims)
    assert again != payout_id and again_message_id != message_id
    assert note in desk.get(f"/coordinator/payouts/{again}").get_data(as_text=True)


def test_a_draft_is_cancelled_with_a_reason_alone_and_leaves_no_note(desk, decided_claims):  # noqa: F811
    payout_id = _payout_id(_create(desk, decided_claims))
    assert desk.post(f"/coordinator/payouts/{payout_id}/cancel", data={"reason": "Falsch"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Payout, payout_id).bank_not_executed is False
    assert "was in cancelled payout" not in desk.get("/coordinator/payouts/new").get_data(as_text=True)
