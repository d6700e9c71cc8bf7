"""The funder report's chart and the certificate's public check in Chromium: a coordinator (desktop) opens
last month's report — the bar chart is drawn from the table and leaves suppressed rows out — issues a
certificate, and a stranger's browser (no sign-in) opens its verification link, before and after revoking."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

from sync import clock
from tests.browser.conftest import add_axe
from tests.browser.test_accessibility import RUN_AXE
from tests.browser.test_field_day import has_horizontal_scroll

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def serious_axe_violations(page: Any) -> list[str]:
    add_axe(page)
    return list(page.evaluate(RUN_AXE))


def _setup(live_server: Any, slug: str) -> tuple[str, str, dt.date]:
    """An organization with a coordinator and a guide who did 6 accompaniments, 5 meetings and 2 phone calls
    last month."""
    from server.accounts.operations import create_organization, create_user
    from server.activities.models import Activity
    from server.extensions import db

    first = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    with live_server.app.app_context():
        org = create_organization(slug, f"Träger {slug}")
        email = f"coord-{slug}@example.org"
        create_user(org, email, "coordinator", "Maria Weber", PASSWORD)
        guide = create_user(org, f"guide-{slug}@example.org", "guide", "Amira Haddad")
        db.session.flush()
        for day, kind in enumerate(["accompaniment"] * 6 + ["meeting"] * 5 + ["phone"] * 2, start=1):
            db.session.add(Activity(organization_id=org.id, guide_id=guide.id, date=first + dt.timedelta(days=day),
                                    minutes=60, kind=kind, state="approved"))
        db.session.commit()
        db.session.remove()
    return email, "Amira Haddad", first


def test_report_chart_and_certificate_check(browser, phone, live_server, artifacts: Path) -> None:
    slug = f"rep-{uuid.uuid4().hex[:8]}"
    email, guide_name, first = _setup(live_server, slug)
    desk = phone(locale="de-DE", viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False,
                 device_scale_factor=1)
    page = desk.new_page()
    page.goto("/coordinator/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url("**/coordinator/")

    page.click("nav.main-nav a[href='/coordinator/reports']")
    # Last month is the default; the chart script un-hides the chart once it has drawn it.
    chart = page.locator("#kind-chart")
    chart.wait_for(state="visible")
    box = chart.locator("canvas").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    assert page.locator("#section-by_kind tr[data-value='6']").count() == 1
    # The 2 phone calls ("<5") and the 5 meetings (hidden, or 13 − 6 − 5 would give the 2 away): no bars.
    assert page.locator("#section-by_kind tr[data-value='']").count() == 2
    page.screenshot(path=str(artifacts / "report-1280.png"), full_page=True)
    assert serious_axe_violations(page) == []
    page.set_viewport_size({"width": 360, "height": 640})
    # Chart.js shrinks its canvas on the resize event a moment later; then nothing is wider than the phone.
    page.wait_for_function("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.screenshot(path=str(artifacts / "report-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("nav.main-nav a[href='/coordinator/certificates']")
    page.select_option("select[name=guide_id]", label=guide_name)
    page.fill("input[name=period_from]", first.isoformat())
    page.click("#certificate-form button[type=submit]")
    row = page.locator("#certificate-table tr[data-state='valid']")
    assert row.count() == 1 and row.get_attribute("data-minutes") == "780"
    link = row.locator("a[href*='/verify/']").get_attribute("href")
    assert link
    page.screenshot(path=str(artifacts / "certificates-1280.png"), full_page=True)
    assert serious_axe_violations(page) == []
    page.goto("/coordinator/rates")
    assert serious_axe_violations(page) == []

    stranger = phone(locale="en-GB").new_page()
    stranger.goto(link)
    assert stranger.locator("#verdict").get_attribute("data-state") == "valid"
    assert stranger.locator("[data-fact=guide_name]").inner_text() == guide_name
    assert stranger.locator("[data-fact=hours]").inner_text() == "13.0"
    assert email not in stranger.content() and not has_horizontal_scroll(stranger)
    stranger.screenshot(path=str(artifacts / "verify-360.png"), full_page=True)
    assert serious_axe_violations(stranger) == []
    page.goto("/coordinator/certificates")

    page.locator("#certificate-table button.danger").click()
    assert page.locator("#certificate-table tr[data-state='revoked']").count() == 1
    stranger.reload()
    assert stranger.locator("#verdict").get_attribute("data-state") == "revoked"
