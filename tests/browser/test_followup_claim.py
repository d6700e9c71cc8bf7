"""A late and a corrected expense on a 360×640 phone: after the month's claim was submitted, the guide adds
one more expense, corrects the rejected one (receipt added, amount fixed) and sends both in a follow-up
claim (Nachtrag) of the same month; the rejection stays visible."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests.browser.test_expenses import (
    add_expense,
    camera_photo,
    open_expenses,
    sync_now,
    text,
    wait_for_states,
)
from tests.browser.test_field_day import enrol, enrolled_guide, has_horizontal_scroll

pytestmark = pytest.mark.browser


def test_late_expense_and_corrected_rejection_go_into_a_follow_up_claim(phone, live_server, artifacts: Path) -> None:
    from sqlalchemy import select

    from server.expenses.models import Claim, Expense
    from server.expenses.operations import set_expense_state
    from server.extensions import db
    from sync.merge import Author

    code, guide_id, org_id = enrolled_guide(live_server, f"late-{uuid.uuid4().hex[:8]}", "Ayşe Demir")
    page = enrol(phone("de-DE"), code, "Ayşe Demir")
    open_expenses(page)
    add_expense(page, "public_transport", amount="3,20", description="Fahrkarte")
    add_expense(page, "material", amount="12,50", description="Wörterbuch")
    wait_for_states(page, {"ÖPNV · 3,20 €": "Offen", "Material · 12,50 €": "Offen"})
    page.get_by_role("button", name=re.compile(r"^Abrechnung .* einreichen$")).click()
    page.get_by_role("button", name="Abrechnung einreichen", exact=True).click()
    wait_for_states(page, {"ÖPNV · 3,20 €": "Eingereicht", "Material · 12,50 €": "Eingereicht"})

    with live_server.app.app_context():
        ids = {e.category: e.id for e in db.session.scalars(select(Expense).where(Expense.guide_id == guide_id))}
        author = Author(role="coordinator")
        set_expense_state(db.session, author, org_id, ids["material"], "approved")
        set_expense_state(db.session, author, org_id, ids["public_transport"], "rejected", "Bitte Beleg nachreichen")
        db.session.commit()
        db.session.remove()

    # A late expense of the same month, after the claim was submitted: open, and offered a follow-up claim.
    add_expense(page, "phone", amount="5", description="Guthaben")
    sync_now(page)
    open_expenses(page)
    wait_for_states(page, {"ÖPNV · 3,20 €": "Abgelehnt", "Material · 12,50 €": "Genehmigt",
                           "Telefonkosten · 5,00 €": "Offen"})

    # The rejected ticket corrected: the receipt photo added, the amount fixed.
    page.get_by_test_id("expense").filter(has_text="ÖPNV").click()
    page.get_by_text("Abgelehnt: Bitte Beleg nachreichen").wait_for()
    page.get_by_text("mit einem Nachtrag erneut ein").wait_for()
    page.get_by_label("Betrag (€)").fill("3,30")
    page.get_by_test_id("receipt-input").set_input_files(
        files=[{"name": "fahrkarte.jpg", "mimeType": "image/jpeg", "buffer": camera_photo(1200, 800)}])
    page.get_by_role("img", name="Beleg 1").wait_for()
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    wait_for_states(page, {"ÖPNV · 3,30 €": "Offen", "Material · 12,50 €": "Genehmigt",
                           "Telefonkosten · 5,00 €": "Offen"})
    assert text(page.get_by_test_id("earlier-rejection")) == "Früher abgelehnt: Bitte Beleg nachreichen"

    page.get_by_test_id("followup-panel").get_by_text("Nachtrag für denselben Monat").wait_for()
    page.get_by_role("button", name=re.compile(r"^Nachtrag .* einreichen$")).click()
    assert "Offene Auslagen: 2, Summe 8,30 €" in text(page.get_by_test_id("claim-summary"))
    page.get_by_role("button", name="Abrechnung einreichen", exact=True).click()
    wait_for_states(page, {"ÖPNV · 3,30 €": "Eingereicht", "Material · 12,50 €": "Genehmigt",
                           "Telefonkosten · 5,00 €": "Eingereicht"})
    page.get_by_role("heading", name=re.compile(r"^Nachtrag ")).wait_for()
    page.get_by_test_id("claim").last.get_by_test_id("claim-state").filter(
        has_text=re.compile(r"Auslagen: 2, Summe 8,30\s€")).wait_for(timeout=20_000)
    assert page.get_by_test_id("claim").count() == 2
    assert text(page.get_by_test_id("earlier-rejection")) == "Früher abgelehnt: Bitte Beleg nachreichen"
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "expenses-followup-claim-360x640.png"), full_page=True)

    with live_server.app.app_context():
        claims = db.session.scalars(select(Claim).where(Claim.guide_id == guide_id).order_by(Claim.sequence)).all()
        assert [c.sequence for c in claims] == [1, 2]
        ticket = db.session.get(Expense, ids["public_transport"])
        assert (ticket.claim_id, ticket.amount_cents, len(ticket.receipts)) == (claims[1].id, 330, 1)
        assert [r["reason"] for r in ticket.rejections] == ["Bitte Beleg nachreichen"]
        assert ticket.rejections[0]["claim_id"] == claims[0].id
        db.session.remove()
