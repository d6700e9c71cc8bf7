"""The guide's app shell on a 360×640 phone: languages, right-to-left, enrolment link, offline start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

GERMAN_INTRO = "Ihr Logbuch als Integrationslotsin oder Integrationslotse"
ENGLISH_INTRO = "Your logbook as an integration guide"


def open_app(context: Any, path: str = "/") -> Any:
    page = context.new_page()
    page.goto(path)
    page.locator("#code").wait_for()
    return page


def has_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def test_first_screen_in_german(phone, artifacts: Path) -> None:
    page = open_app(phone("de-DE"))
    assert page.locator("h1").inner_text() == "Lotsenbuch"
    assert page.get_by_text(GERMAN_INTRO).is_visible()
    assert page.get_by_label("Anmeldecode").is_visible()
    assert page.get_by_role("button", name="Dieses Handy anmelden").is_visible()
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.url.endswith("/enroll")
    assert not has_horizontal_scroll(page)
    button = page.get_by_role("button", name="Dieses Handy anmelden").bounding_box()
    assert button is not None and button["height"] >= 44
    page.screenshot(path=str(artifacts / "app-shell-de-360x640.png"))


def test_first_screen_in_english(phone, artifacts: Path) -> None:
    page = open_app(phone("en-US", color_scheme="dark"))
    assert page.get_by_text(ENGLISH_INTRO).is_visible()
    assert page.get_by_role("button", name="Enrol this phone").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(artifacts / "app-shell-en-dark-360x640.png"))


def test_unknown_browser_language_falls_back_to_german(phone) -> None:
    page = open_app(phone("ja-JP"))
    assert page.get_by_text(GERMAN_INTRO).is_visible()


def test_language_picker_switches_and_remembers(phone) -> None:
    page = open_app(phone("de-DE"))
    page.get_by_label("Sprache").select_option("en")
    page.get_by_text(ENGLISH_INTRO).wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.reload()
    page.get_by_text(ENGLISH_INTRO).wait_for()  # the choice was saved in IndexedDB


def test_arabic_is_right_to_left(phone, artifacts: Path) -> None:
    page = open_app(phone("ar"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.get_by_role("button", name="تسجيل هذا الهاتف").is_visible()
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "app-shell-ar-360x640.png"))


def test_code_from_link_fragment_is_prefilled_and_leaves_the_address_bar(phone) -> None:
    page = open_app(phone("de-DE"), "/enroll#code=ABCD-EFGH-JKMN")
    assert page.locator("#code").input_value() == "ABCD-EFGH-JKMN"
    assert "ABCD" not in page.url


def test_enrolment_stores_the_device_and_shows_today(phone, artifacts: Path) -> None:
    context = phone("de-DE", service_workers="block")  # let page.route see every request
    sent: list[Any] = []

    def answer(route: Any) -> None:
        sent.append((route.request.url, route.request.post_data_json))
        route.fulfill(status=201, content_type="application/json", body=json.dumps({
            "token": "device-token", "device_id": "d-1",
            "guide": {"id": "g-1", "name": "Amira Haddad"}, "organization": {"id": "o-1", "name": "VHS Hannover"},
        }))

    context.route("**/api/v1/enroll*", answer)
    page = open_app(context, "/enroll#code=abcd-efgh-jkmn")
    page.get_by_role("button", name="Dieses Handy anmelden").click()
    page.get_by_text("Hallo, Amira Haddad!").wait_for()
    assert page.url.endswith("/today")
    assert page.get_by_text("Dieses Handy ist bei VHS Hannover angemeldet.").is_visible()
    url, body = sent[0]
    assert "?" not in url  # the code travels in the body only
    assert body["code"] == "ABCDEFGHJKMN"
    assert body["device_name"] == "Android · Chrome"
    page.screenshot(path=str(artifacts / "today-de-360x640.png"))
    page.reload()
    page.get_by_text("Hallo, Amira Haddad!").wait_for()  # kept in IndexedDB


@pytest.mark.parametrize(("code", "expected"), [
    ("code_expired", "Dieser Anmeldecode ist abgelaufen."),
    ("something_new", "Die Anmeldung hat nicht geklappt."),
])
def test_enrolment_error_codes_are_translated(phone, code: str, expected: str) -> None:
    context = phone("de-DE", service_workers="block")
    context.route("**/api/v1/enroll*", lambda route: route.fulfill(
        status=403, content_type="application/json",
        body=json.dumps({"error": {"code": code, "message": "English text from the server"}})))
    page = open_app(context, "/enroll#code=ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Dieses Handy anmelden").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert expected in alert.inner_text()


def test_enrolment_against_the_server(phone, live_server) -> None:
    """End to end: a code issued on the server, typed on the phone, trades for a token."""
    from server.accounts.operations import create_organization, create_user, format_code, issue_enrolment_code
    from server.extensions import db

    with live_server.app.app_context():
        org = create_organization("e2e-enrol", "Koordinierungsstelle Linden")
        guide = create_user(org, "e2e-guide@example.org", "guide", "Dilan Yıldız", None)
        code = format_code(issue_enrolment_code(guide))
        db.session.commit()
        db.session.remove()
    page = open_app(phone("de-DE"), f"/enroll#code={code.lower()}")
    page.get_by_role("button", name="Dieses Handy anmelden").click()
    page.get_by_text("Hallo, Dilan Yıldız!").wait_for()
    assert page.get_by_text("Dieses Handy ist bei Koordinierungsstelle Linden angemeldet.").is_visible()
    page.goto("/enroll#code=" + code)  # a used code on an enrolled phone: it stays enrolled
    page.get_by_text("Hallo, Dilan Yıldız!").wait_for()
    assert page.url.endswith("/today")


def test_used_code_is_refused_in_german(phone, live_server) -> None:
    from server.accounts.operations import create_organization, create_user, format_code, issue_enrolment_code
    from server.extensions import db

    with live_server.app.app_context():
        org = create_organization("e2e-used", "Koordinierungsstelle Mitte")
        guide = create_user(org, "e2e-used@example.org", "guide", "Olena Koval", None)
        code = format_code(issue_enrolment_code(guide))
        db.session.commit()
        db.session.remove()
    for expected in ("Hallo, Olena Koval!", "Dieser Anmeldecode wurde schon verwendet."):
        page = open_app(phone("de-DE"), f"/enroll#code={code}")  # a fresh phone each time
        page.get_by_role("button", name="Dieses Handy anmelden").click()
        page.get_by_text(expected).wait_for()


def test_empty_code_is_refused_before_sending(phone) -> None:
    page = open_app(phone("de-DE"))
    page.get_by_role("button", name="Dieses Handy anmelden").click()
    assert "Bitte geben Sie den Anmeldecode ein." in page.get_by_role("alert").inner_text()


def test_app_starts_offline_after_one_visit(phone) -> None:
    context = phone("de-DE")
    page = open_app(context)
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.state)") in ("activating", "activated")
    page.evaluate("""navigator.serviceWorker.ready.then((r) => r.active.state === 'activated' || new Promise(
        (done) => r.active.addEventListener('statechange', (e) => e.target.state === 'activated' && done())))""")
    context.set_offline(True)
    page.reload()
    page.get_by_text(GERMAN_INTRO).wait_for()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    page.goto("/today")  # any app route falls back to the precached shell
    page.locator("#code").wait_for()
    page.locator("#code").fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Dieses Handy anmelden").click()
    assert "Sie sind offline." in page.get_by_role("alert").inner_text()


def test_catalog_is_split_like_the_code(phone) -> None:
    """The first screen fetches its language's main catalog and its own part only; every part of
    every language is precached, so a screen opened offline still speaks the guide's language."""
    build = Path(__file__).resolve().parents[2] / "server" / "static" / "app"
    main = json.loads((build / "locales" / "de.json").read_text())
    expenses = json.loads((build / "locales" / "de" / "ExpensesScreen.json").read_text())
    assert expenses.get("Submit claim") == "Abrechnung einreichen" and "Submit claim" not in main
    assert not set(main) & set(expenses)  # a string lives in one file: the main one if Today uses it
    precached = (build / "sw.js").read_text()
    for part in sorted((build / "locales").glob("*/*.json")):
        assert f'"locales/{part.parent.name}/{part.name}"' in precached

    context = phone("de-DE")
    fetched: list[str] = []
    context.on("request", lambda r: fetched.append(r.url.split("/", 3)[3])
               if "/locales/" in r.url and r.service_worker is None else None)  # not the worker's precaching
    page = open_app(context)
    page.get_by_text(GERMAN_INTRO).wait_for()
    assert sorted(fetched) == ["locales/de.json", "locales/de/EnrollScreen.json"]
