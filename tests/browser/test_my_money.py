"""My money and my papers on a 360×640 phone: her flat allowance beside her expenses in the transfer as it
was paid (expenses + allowances = the amount on her bank statement), her year statement and certificate
downloaded — and downloaded again offline from the phone, where an opened paper is kept."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.browser.test_expenses import open_expenses, text
from tests.browser.test_field_day import enrol
from tests.money.conftest import GUIDE_IBANS, ORG_BIC, ORG_IBAN

pytestmark = pytest.mark.browser


def paid_guide(live_server: Any, slug: str, name: str) -> tuple[str, int]:
    """An organization whose guide was paid today: 2,50 € expenses + 12,00 € Ehrenamtspauschale (two hours
    last month at 6 € an hour); and a certificate. Returns (enrolment code, certificate id)."""
    from sqlalchemy import select

    from server.accounts.operations import create_organization, create_user, format_code, issue_enrolment_code
    from server.activities.models import Activity
    from server.expenses.models import Claim, Expense
    from server.extensions import db
    from server.guides.models import GuideProfile
    from server.money.allowances import approve_allowance_line, compute_allowance_lines
    from server.money.bank import set_organization_account
    from server.money.certificates import issue_certificate
    from server.money.operations import approve_remaining, create_payout, export_payout, mark_payout_paid
    from server.money.rates import set_allowance_rate
    from sync import clock
    from sync.merge import Author

    today = clock.today()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    with live_server.app.app_context():
        org = create_organization(slug, f"Koordinierungsstelle {slug}")
        set_organization_account(Author(role="system"), org.id, ORG_IBAN, ORG_BIC, "Koordinierungsstelle")
        coordinator = create_user(org, f"coord-{slug}@example.org", "coordinator", "Maria Weber", "correct horse battery")
        guide = create_user(org, f"{slug}@example.org", "guide", name)
        profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
        profile.iban, profile.account_holder = GUIDE_IBANS[0], name
        author = Author(role="coordinator", user_id=coordinator.id)
        set_allowance_rate(author, org.id, "hour", "ehrenamt_26a", last.replace(month=1, day=1), 600)
        db.session.add(Activity(organization_id=org.id, guide_id=guide.id, date=last, minutes=120,
                                kind="accompaniment", state="approved"))
        claim = Claim(organization_id=org.id, guide_id=guide.id, month=last.strftime("%Y-%m"), state="submitted")
        db.session.add(claim)
        db.session.flush()
        db.session.add(Expense(organization_id=org.id, guide_id=guide.id, date=last, category="public_transport",
                               amount_cents=250, state="submitted", claim_id=claim.id, description="Fahrkarte"))
        db.session.flush()
        approve_remaining(author, org.id, claim.id)
        [line] = compute_allowance_lines(author, org.id, last.strftime("%Y-%m"))
        approve_allowance_line(author, org.id, line.id)
        payout = create_payout(author, org.id, [claim.id], [line.id])
        export_payout(author, org.id, payout.id, today)
        mark_payout_paid(author, org.id, payout.id, today)
        cert = issue_certificate(author, org.id, guide.id, last.replace(day=1), last)
        code = format_code(issue_enrolment_code(guide))
        db.session.commit()
        out = (code, cert.id)
        db.session.remove()
    return out


def test_transfers_allowances_and_papers_kept_offline(phone, live_server, artifacts) -> None:
    code, cert_id = paid_guide(live_server, f"money-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    context = phone("de-DE")
    page = enrol(context, code, "Amira Haddad")
    open_expenses(page)
    page.get_by_test_id("open-money").click()
    page.get_by_role("heading", name="Auszahlungen und Unterlagen").wait_for()
    transfer = page.get_by_test_id("transfer")
    assert text(transfer.get_by_test_id("transfer-amount")) == "14,50 €"
    assert text(transfer.get_by_test_id("transfer-parts")) == "Auslagen 2,50 € + Aufwandsentschädigungen 12,00 €"
    assert "Auf Ihrem Kontoauszug:" in transfer.inner_text()
    allowance = page.get_by_test_id("allowance")
    assert "Ehrenamtspauschale (§ 3 Nr. 26a EStG)" in allowance.inner_text() and "12,00" in allowance.inner_text()
    assert "Gezahlt am" in allowance.inner_text()
    page.get_by_test_id("money-as-of").filter(has_text="Aktuell.").wait_for()
    page.screenshot(path=str(artifacts / "my-money-360x640.png"), full_page=True)

    papers = page.get_by_test_id("paper")
    assert papers.count() == 2
    statement, certificate = papers.nth(0), papers.nth(1)
    assert statement.get_by_role("button").inner_text().startswith("Jahresbescheinigung ")
    for item in (statement, certificate):
        with page.expect_download() as download:
            item.get_by_role("button").click()
        assert download.value.path().read_bytes().startswith(b"%PDF")
        item.get_by_text("Auf diesem Handy gespeichert").wait_for()

    # Offline, reopened: the money as last loaded, the papers from the phone.
    context.set_offline(True)
    page.reload()  # at /money: the service worker serves the app, the screen reads what the phone kept
    page.get_by_role("heading", name="Auszahlungen und Unterlagen").wait_for()
    page.get_by_test_id("money-as-of").filter(has_text="Offline: Stand vom").wait_for()
    assert text(page.get_by_test_id("transfer-amount")) == "14,50 €"
    with page.expect_download() as download:
        page.get_by_test_id("paper").nth(1).get_by_role("button").click()
    assert download.value.suggested_filename == f"nachweis-{cert_id}.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF")
