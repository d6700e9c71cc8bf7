"""The desk on a coordinator's phone (360×640, German, the demo): the header is one line (the brand, the
organization and a "Menu" button), the menu opens without script and holds every entry in its groups,
and on every page reached from it nothing scrolls sideways — not the page, and not a list table in its
scroller: a list's rows become blocks."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest

from tests.browser.test_coordinator_pages import NOT_A_PAGE, _kind, _links
from tests.browser.test_field_day import has_horizontal_scroll

pytestmark = pytest.mark.browser

# A list table wider than its scroller, or the header taller than one line of controls.
WIDE_LISTS = """() => [...document.querySelectorAll('.table-wrap')]
  .filter((w) => w.querySelector('table.list') && w.scrollWidth > w.clientWidth + 1)
  .map((w) => (w.querySelector('table.list').id || 'table.list') + ` (${w.scrollWidth} px)`)"""
HEADER = """() => { const summary = document.querySelector('#desk-menu > summary');
  if (!summary) return {height: 0, sameLine: true};  // a page without the desk's header (a public preview)
  const row = document.querySelector('.top-row').getBoundingClientRect();
  const menu = summary.getBoundingClientRect();
  const brand = document.querySelector('.brand').getBoundingClientRect();
  return {height: row.height, sameLine: Math.abs(menu.top - brand.top) < brand.height + 8 &&
          menu.right <= document.documentElement.clientWidth + 1}; }"""


def test_the_desk_fits_a_phone_with_one_line_of_header_and_a_menu(desk, demo_server, artifacts: Path) -> None:
    from server.demo import data

    admin = next(email for email, _name, role in data.VHS_STAFF if role == "admin")
    page = desk(demo_server, admin, data.DEMO_PASSWORD)
    nav = page.locator("nav.main-nav")
    # At a desk (1280 px) the menu's content is the header: every entry in view, no "Menu" button.
    assert nav.is_visible() and not page.locator("#desk-menu > summary").is_visible()
    page.screenshot(path=str(artifacts / "desk-wide-header.png"))
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto("/coordinator/")
    header = page.evaluate(HEADER)
    assert header["sameLine"] and header["height"] <= 64, header
    assert not nav.is_visible()  # folded away until asked for
    page.screenshot(path=str(artifacts / "desk-phone-closed.png"))

    page.click("#desk-menu > summary")
    assert nav.is_visible()
    groups = [name.strip() for name in page.locator(".group-name").all_text_contents()]
    assert groups == ["Lotsinnen und Lotsen", "Arbeit", "Geld", "Berichte", "Verwaltung"], groups
    entries = page.locator("nav.main-nav a")
    assert entries.count() == 18  # every entry (courses too), an admin's "Organizations" as well
    for link in entries.all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 361, link.inner_text()
    assert page.locator("#desk-search").is_visible() and page.get_by_role("button", name="Abmelden").is_visible()
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "desk-phone-menu.png"))
    page.locator("nav.main-nav a[href='/coordinator/payouts']").click()
    page.wait_for_url("**/coordinator/payouts")
    assert not nav.is_visible()  # a new page opens with the menu closed

    problems: list[str] = []
    visited: set[str] = set()
    queue = deque(["/coordinator/"])
    while queue and len(visited) < 80:
        path = queue.popleft()
        if _kind(path) in visited or NOT_A_PAGE.search(path):
            continue
        visited.add(_kind(path))
        response = page.goto(path)
        if response is None or response.status != 200:
            continue  # the desktop crawl (test_coordinator_pages.py) reports those
        if page.evaluate(HEADER)["height"] > 64:
            problems.append(f"{path}: the header takes more than one line")
        if has_horizontal_scroll(page):
            problems.append(f"{path}: the page scrolls sideways")
        problems.extend(f"{path}: a list scrolls sideways: {wide}" for wide in page.evaluate(WIDE_LISTS))
        if path == "/coordinator/guides":
            page.screenshot(path=str(artifacts / "desk-phone-guides.png"), full_page=True)
        queue.extend(link for link in _links(page) if _kind(link) not in visited)
    assert len(visited) > 30, sorted(visited)
    assert problems == [], "\n".join(problems)
