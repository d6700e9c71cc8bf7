"""The public pages in Chromium at 360×640: the directory and the request form work without JavaScript,
fit the screen, pass axe-core, and a request filed there reaches its status page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, LiveServer, add_axe, fresh_app, serve, watch_csp
from tests.browser.test_accessibility import AXE, RUN_AXE

pytestmark = pytest.mark.browser

WIDE = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def public_server(sqlite_template: Path, tmp_path: Path) -> Iterator[LiveServer]:
    from server.accounts.operations import create_organization, create_user
    from server.extensions import db
    from server.guides.models import GuideLanguage, GuideProfile
    from server.public import directory

    app = fresh_app(sqlite_template, tmp_path)
    with app.app_context():
        for n, (slug, name, languages) in enumerate((("vhs", "VHS Hannover", ("ar", "tr", "fa")),
                                                     ("awo", "AWO Region Hannover", ("uk", "ru")),
                                                     ("caritas", "Caritasverband Hannover", ("ps",)))):
            org = create_organization(slug, name)
            guide = create_user(org, f"guide@{slug}.example", "guide", f"Guide {name}")
            db.session.flush()
            profile = db.session.query(GuideProfile).filter_by(user_id=guide.id).one()
            profile.languages = [GuideLanguage(language=c, level="C1", dialect="", position=i)
                                 for i, c in enumerate(languages)]
            entry = directory.profile_for(db.session, org.id)
            directory.save_draft(entry, {
                "districts": ["mitte", "linden-limmer", "nord"][: n + 1], "specialisations": ["parents"],
                "offer": "Ehrenamtliche Lotsinnen begleiten zu Ämtern, Schulen und Ärzten – in ihrer Sprache.",
                "how_to_get_help": "Anruf genügt: 0511 1684000, Mo–Do 9–12 Uhr.",
                "how_to_become_guide": "Qualifizierung an zehn Abenden, Start im März.",
                "contact": f"{name}, lotsen@{slug}.example"})
            entry.privacy_notice = ("Verantwortlich: " + name + ". Ihre Angaben sehen nur die Koordinatorinnen; "
                                    "gelöscht drei Jahre nach Abschluss.")
            entry.form_enabled = slug != "caritas"
            directory.publish(db.session, entry)
        db.session.commit()
    with serve(app) as server:
        yield server


CSP_VIOLATIONS: dict[int, list[str]] = {}


def _phone(browser: Any, server: LiveServer, javascript: bool) -> Any:
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True,
                                  locale="de-DE", base_url=server.url, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    CSP_VIOLATIONS[id(context)] = []
    watch_csp(context, CSP_VIOLATIONS[id(context)])  # and serves axe-core from the page's own origin
    return context


def test_directory_and_request_form_without_javascript(browser, public_server):
    ARTIFACTS.mkdir(exist_ok=True)
    context = _phone(browser, public_server, javascript=False)
    page = context.new_page()
    page.goto("/directory")
    assert page.locator("article.entry").count() == 3
    page.screenshot(path=str(ARTIFACTS / "public-directory.png"))
    page.select_option("#language", "uk")
    page.click("form.filters button")
    assert page.locator("article.entry h2").all_inner_texts() == ["AWO Region Hannover"]
    page.goto("/directory")
    page.locator("article.entry", has_text="VHS Hannover").locator("a.button").click()
    assert page.url.endswith("/request/vhs")
    page.screenshot(path=str(ARTIFACTS / "public-request-form.png"), full_page=True)

    page.click("form[method=post] button[type=submit]")
    assert page.locator(".alert").is_visible()
    page.screenshot(path=str(ARTIFACTS / "public-request-form-errors.png"))
    page.fill("#institution", "Grundschule Am Lindener Markt")
    page.fill("#contact_name", "Petra Schulz")
    page.fill("#contact_email", "schulz@gs-linden.example")
    page.fill("#contact_phone", "0511 123456")
    page.select_option("#field", "parents")
    page.fill("#description", "Begleitung zu Elterngesprächen in der Schule, zweimal im Monat.")
    page.select_option("#language", "ar")
    page.select_option("#district", "linden-limmer")
    page.fill("#starts_on", "2027-03-01")
    page.fill("#ends_on", "2027-06-30")
    page.fill("#expected_hours", "12")
    page.fill("#people_count", "2")
    page.check("#consent-0")
    trap = page.locator("#website").bounding_box()
    assert trap is None or trap["x"] + trap["width"] < 0  # the honeypot stays out of sight
    page.click("form[method=post] button[type=submit]")
    assert page.locator("a[href*='/request/status/']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "public-request-sent.png"))
    page.locator("a[href*='/request/status/']").first.click()
    assert page.locator("li[aria-current=step]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "public-request-status.png"))
    page.goto("/request/caritas")
    page.screenshot(path=str(ARTIFACTS / "public-form-closed.png"))
    assert page.locator("a.button").count() == 1
    context.close()


@pytest.mark.parametrize("path", ["/directory", "/request/vhs", "/request/caritas", "/directory?lang=ar"])
def test_public_pages_fit_the_phone_and_pass_axe(browser, public_server, path):
    if not AXE.is_file():
        pytest.skip(f"axe-core missing ({AXE})")
    context = _phone(browser, public_server, javascript=True)
    page = context.new_page()
    page.goto(path)
    assert not page.evaluate(WIDE), "horizontal scroll at 360 px"
    add_axe(page)
    assert page.evaluate(RUN_AXE) == []
    assert CSP_VIOLATIONS.pop(id(context)) == []
    context.close()
