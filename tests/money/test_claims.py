"""Deciding a claim item by item: reasons, the decided state, locked amounts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.expenses.models import Claim
from server.extensions import db
from server.money.errors import MoneyError
from server.money.operations import claim_expenses, claim_totals, decide_expense
from sync import coordinator as sync_coordinator


def test_claim_is_decided_when_every_item_is(org, guide, make_claim, coordinator_author):
    claim = make_claim(guide, org, "2026-10", [1200, 340, 5000])
    first, second, third = claim_expenses(claim)
    decide_expense(coordinator_author, org.id, first.id, "approved")
    decide_expense(coordinator_author, org.id, second.id, "rejected", "Kein Beleg für das Ticket")
    db.session.commit()
    assert db.session.get(Claim, claim.id).state == "submitted"
    assert not claim_totals(claim).decided
    decide_expense(coordinator_author, org.id, third.id, "approved")
    db.session.commit()
    totals = claim_totals(claim)
    assert db.session.get(Claim, claim.id).state == "decided" and totals.decided
    assert (totals.claimed_cents, totals.approved_cents, totals.rejected_cents) == (6540, 6200, 340)
    assert second.rejection_reason == "Kein Beleg für das Ticket"
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("money.expense_%"))))
    assert sorted(actions) == ["money.expense_approved", "money.expense_approved", "money.expense_rejected"]


def test_rejection_needs_a_reason(org, guide, make_claim, coordinator_author):
    claim = make_claim(guide, org, "2026-10", [1200])
    with pytest.raises(MoneyError) as err:
        decide_expense(coordinator_author, org.id, claim_expenses(claim)[0].id, "rejected", "  ")
    assert err.value.code == "invalid" and "rejection_reason" in err.value.fields


def test_approved_amount_is_locked_even_for_a_coordinator(org, guide, make_claim, coordinator_author):
    claim = make_claim(guide, org, "2026-10", [1200])
    expense = claim_expenses(claim)[0]
    decide_expense(coordinator_author, org.id, expense.id, "approved")
    db.session.commit()
    with pytest.raises(sync_coordinator.CoordinatorError) as err:
        sync_coordinator.edit_record(db.session, coordinator_author, org.id, "expense", expense.id,
                                     {"amount_cents": 9999})
    assert err.value.code == "locked"
    db.session.rollback()
    # A description may still be corrected; undoing the decision unlocks the amount.
    sync_coordinator.edit_record(db.session, coordinator_author, org.id, "expense", expense.id,
                                 {"description": "Fahrkarte GVH"})
    decide_expense(coordinator_author, org.id, expense.id, "submitted")
    sync_coordinator.edit_record(db.session, coordinator_author, org.id, "expense", expense.id,
                                 {"amount_cents": 1100})
    db.session.commit()
    assert claim_totals(claim).claimed_cents == 1100


def test_another_organizations_expense_is_not_found(org, guide, make_org, make_guide, make_claim,
                                                    coordinator_author):
    other = make_org("awo", "AWO")
    claim = make_claim(make_guide(other), other, "2026-10", [1200])
    with pytest.raises(MoneyError) as err:
        decide_expense(coordinator_author, org.id, claim_expenses(claim)[0].id, "approved")
    assert err.value.code == "not_found"


def test_rejected_item_reaches_the_guides_phone_with_its_reason(make_device, guide, org, coordinator_author):
    phone = make_device(guide)
    expense = phone.upsert("expense", date="2026-10-03", category="material", amount_cents=899,
                           description="Ordner")
    phone.sync()
    claim = phone.upsert("claim", month="2026-10", state="submitted")
    phone.sync()
    decide_expense(coordinator_author, org.id, expense, "rejected", "Bitte Beleg nachreichen")
    db.session.commit()
    phone.sync()
    assert phone.record("expense", expense)["state"] == "rejected"
    assert phone.record("expense", expense)["rejection_reason"] == "Bitte Beleg nachreichen"
    assert phone.record("claim", claim)["state"] == "decided"
