"""Every coordinator page, on the demo of `make run`, as an admin sees it: reached by following links from
the dashboard (one page per kind of address), each without serious or critical axe-core violations, and
without sideways scrolling at 360 px. A page added later is checked as soon as something links to it."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import add_axe
from tests.browser.test_accessibility import RUN_AXE
from tests.browser.test_field_day import has_horizontal_scroll

pytestmark = pytest.mark.browser

# Downloads, files and actions are not pages to look at.
NOT_A_PAGE = re.compile(r"\.(pdf|xml|xlsx|csv|png|jpe?g)$|/receipts/|/logout|/static/")
ID = re.compile(r"/(\d+|[0-9a-f]{8}-[0-9a-f-]{27})(?=/|$)")


# What sticks out sideways: the innermost elements wider than the screen (their parents only follow them).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const clipped = (el) => {  // inside a scroller (a wide table in its .table-wrap is fine)
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const out = [...document.querySelectorAll("body *")].filter((el) => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || clipped(el)) return false;
    return ![...el.children].some((c) => c.getBoundingClientRect().right > width + 1);
  });
  return out.slice(0, 3).map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
    `${el.className ? "." + String(el.className).split(" ").join(".") : ""} (${Math.round(el.getBoundingClientRect().right)} px)`);
}"""


def _kind(path: str) -> str:
    """/coordinator/guides/12 and /coordinator/guides/13 are the same kind of page."""
    return ID.sub("/<id>", path)


def _links(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map((a) => a.getAttribute('href'))")
    return [h.split("#")[0].split("?")[0] for h in hrefs if h and h.startswith("/coordinator")]


def test_every_coordinator_page_is_accessible_and_fits_a_phone(desk, demo_server, artifacts: Path) -> None:
    from server.demo import data

    admin = next(email for email, _name, role in data.VHS_STAFF if role == "admin")
    page = desk(demo_server, admin, data.DEMO_PASSWORD)
    problems: list[str] = []
    visited: dict[str, str] = {}
    queue = deque(["/coordinator/"])
    while queue and len(visited) < 80:
        path = queue.popleft()
        if _kind(path) in visited or NOT_A_PAGE.search(path):
            continue
        response = page.goto(path)
        visited[_kind(path)] = path
        if response is None or response.status != 200:
            problems.append(f"{path}: HTTP {response.status if response else '?'}")
            continue
        add_axe(page)
        problems.extend(f"{path}: {v}" for v in page.evaluate(RUN_AXE))
        page.set_viewport_size({"width": 360, "height": 640})
        page.reload()  # as a phone opens it (charts and tables lay out for 360 px from the start)
        if has_horizontal_scroll(page):
            problems.append(f"{path}: scrolls sideways at 360 px: {', '.join(page.evaluate(OVERFLOWING))}")
            page.screenshot(path=str(artifacts / f"coordinator-overflow-{len(visited)}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        queue.extend(link for link in _links(page) if _kind(link) not in visited)
    # The crawl reached the desk's and the money's pages, and the admin's set-up.
    for kind in ("/coordinator/guides/<id>", "/coordinator/claims/<id>", "/coordinator/payouts/<id>",
                 "/coordinator/reports", "/coordinator/rates", "/coordinator/review/<id>",
                 "/coordinator/admin/organizations/<id>", "/coordinator/plenum/<id>", "/coordinator/audit"):
        assert kind in visited, sorted(visited)
    assert problems == [], "\n".join(problems)
