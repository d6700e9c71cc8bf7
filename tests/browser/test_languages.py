"""Every screen of the app and five desk pages in every shipped language, on a 360×640 phone.

Per language one browser context (the session's one Chromium): the phone is enrolled for the demo guide
(so the screens show the demo's assignments, expenses and history), every screen is opened in turn, then
five coordinator pages are opened with the coordinator's language set to it. Each fails on sideways
scrolling, a wrong `<html lang dir>`, or a line of text left in the source language: a visible line equal
to an English msgid that the language's catalog translates (so a catalog still empty — a language being
translated — falls back to English without failing). Waiting is done by polling for the condition, never
by sleeping.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from server.i18n import available_locales, text_direction
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BUILD_LOCALES = ROOT / "server" / "static" / "app" / "locales"
APP_SCREENS = ("/today", "/log", "/expenses", "/assignments", "/history", "/settings")
DESK_PAGES = ("/coordinator/", "/coordinator/guides", "/coordinator/assignments", "/coordinator/review",
              "/coordinator/claims")

# The visible lines of the page (inputs' placeholders and buttons included) that are in `forbidden`.
LEFT_IN_ENGLISH = """(forbidden) => {
  const bad = new Set(forbidden);
  const lines = document.body.innerText.split("\\n").map((s) => s.trim()).filter(Boolean);
  for (const el of document.querySelectorAll("[placeholder], [aria-label]")) {
    lines.push(el.getAttribute("placeholder") || "", el.getAttribute("aria-label") || "");
  }
  return [...new Set(lines.filter((line) => bad.has(line)))];
}"""
SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


@cache
def app_strings(code: str) -> frozenset[str]:
    """English msgids the app's built catalog of `code` translates (whole strings, no placeholders)."""
    out: set[str] = set()
    for file in [BUILD_LOCALES / f"{code}.json", *sorted((BUILD_LOCALES / code).glob("*.json"))]:
        if file.is_file():
            for msgid, text in json.loads(file.read_text(encoding="utf-8")).items():
                if isinstance(text, str) and text.strip() != msgid and "{" not in msgid:
                    out.add(msgid)
    return frozenset(out)


@cache
def desk_strings(code: str) -> frozenset[str]:
    """English msgids the server's catalog of `code` translates (whole strings, no placeholders)."""
    with (ROOT / "locales" / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=code)
    return frozenset(m.id for m in catalog if m.id and isinstance(m.id, str) and isinstance(m.string, str)
                     and m.string and m.string != m.id and "%" not in m.id and "{" not in m.id)


def check(page: Any, code: str, where: str, forbidden: frozenset[str], problems: list[str]) -> None:
    html = page.locator("html")
    lang, direction = html.get_attribute("lang"), html.get_attribute("dir")
    if lang != code.replace("_", "-") or direction != text_direction(code):
        problems.append(f"{code} {where}: <html lang={lang} dir={direction}>")
    if page.evaluate(SIDEWAYS):
        problems.append(f"{code} {where}: scrolls sideways")
    if forbidden:
        try:  # a lazily loaded catalog part may arrive just after the screen: poll, do not sleep
            page.wait_for_function(f"(bad) => ({LEFT_IN_ENGLISH})(bad).length === 0", arg=sorted(forbidden),
                                   timeout=3_000)
        except Exception:  # noqa: BLE001 - report what is still English
            left = page.evaluate(LEFT_IN_ENGLISH, sorted(forbidden))
            if left:
                problems.append(f"{code} {where}: left in English: {left[:5]}")


def open_screen(page: Any, path: str) -> None:
    """The app's own navigation (history + popstate), without reloading the page."""
    page.evaluate("(path) => { history.pushState(null, '', path); dispatchEvent(new PopStateEvent('popstate')); }",
                  path)
    page.wait_for_function("(path) => location.pathname === path", arg=path)
    page.locator("main h1").first.wait_for()


def demo_guide_code(server: LiveServer) -> str:
    from server.accounts.models import User
    from server.accounts.operations import format_code, issue_enrolment_code
    from server.demo import data
    from server.extensions import db

    with server.app.app_context():
        guide = db.session.query(User).filter_by(email=data.DEMO_ENROL_GUIDE).one()
        code = format_code(issue_enrolment_code(guide))
        db.session.commit()
        db.session.remove()
    return code


def set_coordinator_locale(server: LiveServer, email: str, code: str) -> None:
    from server.accounts.models import User
    from server.extensions import db

    with server.app.app_context():
        db.session.query(User).filter_by(email=email).one().locale = code
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("code", available_locales())
def test_every_screen_in_every_language(code: str, phone, desk, demo_server: LiveServer) -> None:
    from server.demo import data
    from server.extensions import limiter

    with demo_server.app.app_context():
        limiter.reset()
    problems: list[str] = []
    context = phone(code.replace("_", "-"), base_url=demo_server.url)
    page = context.new_page()
    page.goto(f"/enroll#code={demo_guide_code(demo_server)}")
    page.locator("#code").wait_for()
    check(page, code, "/enroll", app_strings(code), problems)
    page.get_by_test_id("enrol-submit").click()
    page.wait_for_url("**/today")
    for path in APP_SCREENS:
        open_screen(page, path)
        check(page, code, path, app_strings(code), problems)

    email = next(e for e, _name, role in data.VHS_STAFF if role == "admin")
    set_coordinator_locale(demo_server, email, "de")
    office = desk(demo_server, email, data.DEMO_PASSWORD)
    set_coordinator_locale(demo_server, email, code)
    office.set_viewport_size({"width": 360, "height": 640})
    for path in DESK_PAGES:
        office.goto(path)
        check(office, code, path, desk_strings(code), problems)
    set_coordinator_locale(demo_server, email, "de")
    assert problems == []


@pytest.mark.parametrize(("code", "km", "amount"), [("ar", "٤٢", "١٢٫٥٠"), ("fa", "۴۲", "۱۲,۵۰"), ("de", "42", "12,50")])
def test_numbers_in_every_digit_script(code: str, km: str, amount: str, phone, demo_server: LiveServer) -> None:
    """Arabic-Indic and Persian digits and the Arabic decimal separator are read, never dropped: the
    mileage is computed from the kilometres typed, and an amount typed so is accepted."""
    from server.extensions import limiter

    with demo_server.app.app_context():
        limiter.reset()
    page = phone(code, base_url=demo_server.url).new_page()
    page.goto(f"/enroll#code={demo_guide_code(demo_server)}")
    page.get_by_test_id("enrol-submit").click()
    page.wait_for_url("**/today")
    open_screen(page, "/expenses")
    page.locator("main button.primary.wide").click()
    page.locator("#category").select_option("mileage")
    page.locator("#km").fill(km)
    computed = page.get_by_test_id("mileage-amount")
    page.wait_for_function("(el) => /[0-9٠-٩۰-۹]/.test(el.textContent)", arg=computed.element_handle())
    shown = computed.inner_text()
    assert "42" in shown.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")), shown
    assert page.locator("#km").get_attribute("inputmode") == "decimal"
    page.locator("#category").select_option("material")
    page.locator("#amount").fill(amount)
    assert page.locator("#amount").input_value() == amount  # a text input keeps every typed digit
