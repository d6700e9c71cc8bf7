"""From the phone's claim to the bank and back: a guide submits a claim with a receipt photo, a coordinator
(a second, desktop browser context) opens the claim with its receipt, approves it, creates a payout,
exports it (SEPA XML and XLSX) and marks it paid; after syncing, the guide's app shows the expense as paid."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_expenses import add_expense, camera_photo, open_expenses, sync_now, wait_for_states
from tests.browser.test_field_day import enrol, enrolled_guide, has_horizontal_scroll

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TITLE = "Material · 12,50 €"


def _desk_setup(live_server: Any, slug: str, guide_id: int, org_id: int) -> str:
    """The organization's bank account, the guide's bank details and a coordinator; returns the login."""
    from sqlalchemy import select

    from server.accounts.operations import create_user
    from server.extensions import db
    from server.guides.models import GuideProfile
    from server.money.bank import set_organization_account
    from server.organizations.models import Organization
    from sync.merge import Author

    email = f"coord-{slug}@example.org"
    with live_server.app.app_context():
        set_organization_account(Author(role="system"), org_id, "DE02100100100006820101", "PBNKDEFFXXX",
                                 "Koordinierungsstelle")
        profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide_id))
        profile.iban, profile.account_holder = "DE89370400440532013000", "Amira Haddad"
        create_user(db.session.get(Organization, org_id), email, "coordinator", "Maria Weber", PASSWORD)
        db.session.commit()
        db.session.remove()
    return email


def _expense_state(live_server: Any, guide_id: int) -> list[str]:
    from sqlalchemy import select

    from server.expenses.models import Expense
    from server.extensions import db

    with live_server.app.app_context():
        states = list(db.session.scalars(select(Expense.state).where(Expense.guide_id == guide_id)))
        db.session.remove()
    return states


def _shot(page: Any, artifacts: Path, name: str) -> None:
    """The page at desktop width and at 360 px (full length), for a person to look at."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(artifacts / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 640})
    assert not has_horizontal_scroll(page), name
    page.screenshot(path=str(artifacts / f"{name}-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_claim_approved_paid_out_and_shown_paid_on_the_phone(desk, phone, live_server, artifacts: Path) -> None:
    slug = f"pay-{uuid.uuid4().hex[:8]}"
    code, guide_id, org_id = enrolled_guide(live_server, slug, "Amira Haddad")
    email = _desk_setup(live_server, slug, guide_id, org_id)

    # The guide: an expense with a receipt photo, synced, then the month's claim submitted.
    guide_context = phone("de-DE")
    app = enrol(guide_context, code, "Amira Haddad")
    app.get_by_text("Alles synchronisiert").wait_for()
    open_expenses(app)
    add_expense(app, "material", amount="12,50", description="Ordner und Kopien", photo=camera_photo(900, 600))
    wait_for_states(app, {TITLE: "Offen"})
    app.get_by_test_id("receipt-pending").wait_for(state="detached", timeout=20_000)
    app.get_by_role("button", name=re.compile(r"^Abrechnung .* einreichen$")).click()
    app.get_by_role("button", name="Abrechnung einreichen", exact=True).click()
    wait_for_states(app, {TITLE: "Eingereicht"})
    assert _expense_state(live_server, guide_id) == ["submitted"]

    # The coordinator, at a desk: sign in, open the claim waiting for review, see the receipt.
    office = desk(live_server, email, PASSWORD)
    office.goto("/coordinator/claims")
    row = office.locator("tr[data-state=submitted]", has_text="Amira Haddad")
    _shot(office, artifacts, "coordinator-claims")
    row.get_by_role("link").click()
    receipt = office.locator("a.receipt-zoom img")
    receipt.wait_for()
    office.wait_for_function("() => document.querySelector('a.receipt-zoom img').naturalWidth > 0")
    _shot(office, artifacts, "coordinator-claim")
    receipt.click()  # zoom in a dialog; Escape closes it
    office.locator("#receipt-dialog[open] img").wait_for()
    office.keyboard.press("Escape")
    office.locator("#receipt-dialog[open]").wait_for(state="detached")
    office.click("#approve-remaining")
    office.locator("#claim-state[data-decided=true]").wait_for()
    assert office.locator("article.expense-item[data-state=approved]").count() == 1

    # A payout of the approved claim, exported and downloaded, then marked paid.
    office.goto("/coordinator/payouts/new")
    _shot(office, artifacts, "coordinator-payout-new")
    assert office.locator("#payout-total").get_attribute("data-cents") == "1250"
    office.locator("#payout-form input[name=claim]").uncheck()
    assert office.locator("#payout-total").get_attribute("data-cents") == "0"
    office.locator("#payout-form input[name=claim]").check()
    assert office.locator("#payout-total").get_attribute("data-cents") == "1250"
    office.click("#payout-form button[type=submit]")
    office.locator("#payout-state[data-state=draft]").wait_for()
    office.click("form[action$='/export'] button[type=submit]")
    office.locator("#payout-state[data-state=exported]").wait_for()
    _shot(office, artifacts, "coordinator-payout-exported")
    with office.expect_download() as download:
        office.click("#download-xml")
    assert download.value.suggested_filename.endswith(".xml")
    xml = Path(download.value.path()).read_text(encoding="utf-8")
    assert "<InstdAmt Ccy=\"EUR\">12.50</InstdAmt>" in xml and "<CtrlSum>12.50</CtrlSum>" in xml
    with office.expect_download() as download:
        office.click("#download-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    office.click("form[action$='/paid'] button[type=submit]")
    office.locator("#payout-state[data-state=paid]").wait_for()
    assert office.locator("#payout-total").get_attribute("data-cents") == "1250"
    assert _expense_state(live_server, guide_id) == ["paid"]

    # The guide's app, after a sync: the expense is paid ("Ausgezahlt").
    sync_now(app)
    open_expenses(app)
    wait_for_states(app, {TITLE: "Ausgezahlt"})
    app.screenshot(path=str(artifacts / "expenses-paid-360x640.png"), full_page=True)
