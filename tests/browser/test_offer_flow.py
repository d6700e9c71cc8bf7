"""The coordinator's desk and the guide's app together, in Chromium: a coordinator signs in (a desktop
context), opens a request's matching list and offers the assignment to two guides; each guide's app (a
360×640 phone context) syncs and shows the offer; the first guide accepts it, and after that sync the
coordinator's assignment page shows it accepted, while the second guide's app shows it taken.

Selectors are ids and data-* attributes, never translated text, so the test holds in every language."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sync import clock
from tests.browser.conftest import watch_csp
from tests.browser.test_assignments import server_offers
from tests.browser.test_field_day import WAIT_SW_ACTIVE, has_horizontal_scroll

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture
def desk(browser: Any, live_server: Any, csp_violations: list[str]) -> Any:
    """A desktop browser context for the coordinator (no CSP violation allowed)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="de-DE")
    context.set_default_timeout(10_000)
    watch_csp(context, csp_violations)
    yield context
    context.close()
    assert csp_violations == [], "\n".join(csp_violations)


def _office(live_server: Any, slug: str) -> dict[str, Any]:
    """An organization with a coordinator, two Arabic-speaking guides (enrolment codes) and a request."""
    from server.accounts.operations import create_organization, create_user, format_code, issue_enrolment_code
    from server.assignments import operations
    from server.assignments.models import PartnerInstitution
    from server.extensions import db
    from server.guides.models import GuideLanguage, GuideProfile

    today = clock.today()
    with live_server.app.app_context():
        org = create_organization(slug, f"Koordinierungsstelle {slug}")
        create_user(org, f"{slug}-desk@example.org", "coordinator", "Clara Desk", PASSWORD)
        guides = {}
        for key, name, districts in (("near", "Amira Haddad", ["linden-limmer"]), ("far", "Dilan Yıldız", ["nord"])):
            guide = create_user(org, f"{slug}-{key}@example.org", "guide", name, None)
            profile = db.session.query(GuideProfile).filter_by(user_id=guide.id).one()
            profile.districts, profile.specialisations = districts, ["parents"]
            profile.languages = [GuideLanguage(language="ar", level="native")]
            guides[key] = (guide.id, format_code(issue_enrolment_code(guide)))
        partner = PartnerInstitution(organization_id=org.id, name="Grundschule am Lindener Markt")
        db.session.add(partner)
        db.session.flush()
        request, _changed = operations.save_request(db.session, org.id, {
            "partner_id": partner.id, "field": "parents", "language": "ar", "dialect": "", "district": "linden-limmer",
            "starts_on": today, "ends_on": today + dt.timedelta(days=60), "expected_minutes": 600,
            "contact": "Frau Lange, Sekretariat", "people_count": 3, "description": "Elterngespräche begleiten"})
        db.session.commit()
        out = {"email": f"{slug}-desk@example.org", "request_id": request.id, "guides": guides}
        db.session.remove()
    return out


def _enrol(phone: Callable[..., Any], code: str) -> Any:
    page = phone("de-DE").new_page()
    page.goto(f"/enroll#code={code}")
    page.get_by_test_id("enrol-submit").click()
    page.locator("[data-testid=sync-state]").wait_for(timeout=20_000)
    page.evaluate(WAIT_SW_ACTIVE)
    return page


def _wait_for(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_offer_from_the_matching_list_accepted_in_the_app(phone, desk, live_server, artifacts: Path) -> None:
    office = _office(live_server, f"desk-{uuid.uuid4().hex[:8]}")
    (near_id, near_code), (far_id, far_code) = office["guides"]["near"], office["guides"]["far"]
    near_phone, far_phone = _enrol(phone, near_code), _enrol(phone, far_code)

    # The coordinator signs in and opens the request's matching list.
    desk_page = desk.new_page()
    desk_page.goto("/coordinator/login")
    desk_page.locator("#login-form input[name=email]").fill(office["email"])
    desk_page.locator("#login-form input[name=password]").fill(PASSWORD)
    desk_page.locator("#login-form button[type=submit]").click()
    desk_page.wait_for_url(re.compile(r"/coordinator/$"))
    desk_page.goto(f"/coordinator/requests/{office['request_id']}")
    ranking = desk_page.locator("li[data-candidate]")
    assert [ranking.nth(i).get_attribute("data-candidate") for i in range(ranking.count())] == [
        str(near_id), str(far_id)]  # the guide living in the request's district ranks first
    desk_page.screenshot(path=str(artifacts / "desk-matching-1280.png"), full_page=True)

    # Offer to both: the pseudonymous client gets a code; title and period come from the request.
    desk_page.locator(f"#candidate-{near_id}").check()
    desk_page.locator(f"#candidate-{far_id}").check()
    desk_page.locator("#offer-form #client_code").fill("K-2026-050")
    title = desk_page.locator("#offer-form #title").input_value()
    assert title
    desk_page.locator("#offer-submit").click()
    desk_page.wait_for_url(re.compile(r"/coordinator/assignments/[0-9a-f-]{36}$"))
    assignment_id = desk_page.url.rsplit("/", 1)[1]
    assert desk_page.locator("#assignment-state").get_attribute("data-state") == "offered"
    for guide_id in (near_id, far_id):
        assert desk_page.locator(f"tr[data-offer-guide='{guide_id}']").get_attribute("data-offer-state") == "offered"

    # Each app syncs (on start) and shows the offer under "My assignments".
    for page in (near_phone, far_phone):
        page.goto("/assignments")
        page.locator("[data-testid=offer]", has_text=title).wait_for(timeout=20_000)
    assert near_phone.locator("[data-testid=offer]").count() == 1
    assert not has_horizontal_scroll(near_phone)
    near_phone.screenshot(path=str(artifacts / "desk-offer-in-app-360x640.png"), full_page=True)

    # The near guide accepts; the app sends it a second after the local save.
    near_phone.locator("[data-testid=offer]", has_text=title).get_by_test_id("offer-accept").click()
    near_phone.locator("[data-testid=agreement]", has_text=title).wait_for(timeout=20_000)
    _wait_for(lambda: server_offers(live_server, assignment_id)[0] == "active")
    assert server_offers(live_server, assignment_id) == ("active", near_id, {near_id: "accepted", far_id: "taken"})

    # The coordinator's assignment page shows it accepted, the other offer taken.
    desk_page.reload()
    assert desk_page.locator("#assignment-state").get_attribute("data-state") == "active"
    assert desk_page.locator(f"tr[data-offer-guide='{near_id}']").get_attribute("data-offer-state") == "accepted"
    assert desk_page.locator(f"tr[data-offer-guide='{far_id}']").get_attribute("data-offer-state") == "taken"
    desk_page.screenshot(path=str(artifacts / "desk-assignment-accepted-1280.png"), full_page=True)

    # The other guide's app, after its next sync, shows the assignment taken and no longer offered.
    far_phone.goto("/assignments")
    far_phone.locator("[data-testid=taken]", has_text=title).wait_for(timeout=20_000)
    assert far_phone.locator("[data-testid=offer]").count() == 0
    far_phone.screenshot(path=str(artifacts / "desk-offer-taken-360x640.png"), full_page=True)
