"""The demo, paid out: a coordinator approves a claim the demo data left waiting for review, pays it out
(SEPA export, marked paid), and the guide's phone — enrolled on the demo — shows its expenses as paid
after syncing. This is the demo a newcomer gets from `make run`, not data made for the test."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_expenses import open_expenses, sync_now
from tests.browser.test_field_day import enrol

pytestmark = pytest.mark.browser


def _waiting_claim(demo_server: LiveServer) -> dict[str, Any]:
    """A claim of the demo waiting for review (the enrolment guide's if they have one), and a code for
    that guide's phone."""
    from sqlalchemy import select

    from server.accounts.models import Membership, User
    from server.accounts.operations import issue_enrolment_code
    from server.demo import data
    from server.expenses.models import Claim, Expense
    from server.extensions import db

    with demo_server.app.app_context():
        claims = db.session.scalars(select(Claim).where(Claim.state == "submitted").order_by(Claim.month)).all()
        assert claims, "the demo leaves claims waiting for review"
        guides = {c.guide_id: db.session.get(User, c.guide_id) for c in claims}
        claim = next((c for c in claims if guides[c.guide_id].email == data.DEMO_ENROL_GUIDE), claims[0])
        guide = guides[claim.guide_id]
        expenses = db.session.scalars(select(Expense).where(Expense.claim_id == claim.id,
                                                            Expense.deleted_at.is_(None))).all()
        out = {"claim_id": claim.id, "month": claim.month, "guide": guide.name, "code": issue_enrolment_code(guide),
               "expense_ids": sorted(e.id for e in expenses), "cents": sum(e.amount_cents for e in expenses),
               "coordinator": db.session.scalars(select(User.email).join(Membership).where(
                   Membership.organization_id == claim.organization_id, Membership.role == "coordinator")).first()}
        db.session.commit()
        db.session.remove()
    assert out["expense_ids"] and out["cents"] > 0
    return out


def _states(page: Any, expense_ids: list[str]) -> list[str | None]:
    return [page.locator(f'[data-testid=expense][data-id="{i}"]').get_attribute("data-state") for i in expense_ids]


def _show_month(page: Any, month: str) -> None:
    """The Expenses screen opens on this month; step back to the claim's."""
    for _ in range(24):
        if page.get_by_test_id("month-name").get_attribute("data-month") == month:
            return
        page.get_by_test_id("month-previous").click()
    raise AssertionError(f"month {month} not reached")


def _wait_states(page: Any, expense_ids: list[str], state: str) -> None:
    deadline = time.monotonic() + 20
    while _states(page, expense_ids) != [state] * len(expense_ids):
        assert time.monotonic() < deadline, _states(page, expense_ids)
        page.wait_for_timeout(200)


def test_a_demo_claim_approved_and_paid_out_shows_paid_on_the_phone(desk, phone, demo_server) -> None:
    from server.demo import data

    claim = _waiting_claim(demo_server)
    app = enrol(phone("de-DE", base_url=demo_server.url), claim["code"], claim["guide"])
    app.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)
    open_expenses(app)
    _show_month(app, claim["month"])
    _wait_states(app, claim["expense_ids"], "submitted")

    office = desk(demo_server, claim["coordinator"], data.DEMO_PASSWORD)
    office.goto("/coordinator/claims?state=submitted")
    office.locator(f'tr[data-claim-id="{claim["claim_id"]}"]').get_by_role("link").first.click()
    office.click("#approve-remaining")
    office.locator("#claim-state[data-decided=true]").wait_for()

    # A payout of just this claim (the demo has others ready to pay, left alone here).
    office.goto("/coordinator/payouts/new")
    for box in office.locator("#payout-form input[type=checkbox]").all():
        box.set_checked(box.get_attribute("value") == claim["claim_id"])
    assert office.locator("#payout-total").get_attribute("data-cents") == str(claim["cents"])
    office.click("#payout-form button[type=submit]")
    office.locator("#payout-state[data-state=draft]").wait_for()
    office.click("form[action$='/export'] button[type=submit]")
    office.locator("#payout-state[data-state=exported]").wait_for()
    with office.expect_download() as download:
        office.click("#download-xml")
    xml = Path(download.value.path()).read_text(encoding="utf-8")
    euros = f"{claim['cents'] // 100}.{claim['cents'] % 100:02d}"
    assert f"<CtrlSum>{euros}</CtrlSum>" in xml
    office.click("form[action$='/paid'] button[type=submit]")
    office.locator("#payout-state[data-state=paid]").wait_for()

    sync_now(app)
    open_expenses(app)
    _show_month(app, claim["month"])
    _wait_states(app, claim["expense_ids"], "paid")
