"""axe-core on every screen of the guide's app at 360×640 in German and Arabic, and every screen
readable at 200 % text size (no horizontal scroll, nothing cut off).

axe-core comes from the PWA's devDependencies (pwa/node_modules/axe-core, `npm ci`). Only `serious`
and `critical` violations fail; the screens are the bottom navigation's targets as built, so a screen
added later is checked without touching this file.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import add_axe
from tests.browser.test_field_day import enrolled_guide, log_meeting
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "pwa" / "node_modules" / "axe-core" / "axe.min.js"

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}"""

# Everything drawn that sticks out of the viewport sideways, or clips its own text (except what is
# meant to: visually hidden labels, one-line notes with an ellipsis).
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.querySelectorAll("#banners *, #app *")) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.position === "absolute" && box.width <= 1) continue;
    const name = `${el.tagName.toLowerCase()}.${el.className || ""} "${(el.textContent || "").trim().slice(0, 30)}"`;
    if (box.right > width + 1 || box.left < -1) found.push(`outside the screen: ${name}`);
    const clips = ["hidden", "clip"].includes(style.overflowX) && style.textOverflow !== "ellipsis";
    if (clips && el.scrollWidth > el.clientWidth + 1) found.push(`clipped: ${name}`);
  }
  if (document.documentElement.scrollWidth > width) found.push("horizontal scroll");
  return found;
}"""


def screens_in_nav(page: Any) -> int:
    return page.locator(".bottom-nav button").count()


def check(page: Any, where: str, problems: list[str]) -> None:
    page.wait_for_timeout(150)  # lazy screens and live queries settle
    problems.extend(f"{where}: {v}" for v in page.evaluate(RUN_AXE))


def check_large_text(page: Any, where: str, problems: list[str], artifacts: Path) -> None:
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    page.wait_for_timeout(100)
    problems.extend(f"{where} at 200 %: {p}" for p in page.evaluate(CUT_OFF))
    page.screenshot(path=str(artifacts / f"a11y-200pc-{where}.png"))
    page.evaluate("document.documentElement.style.fontSize = ''")


@pytest.mark.parametrize("locale", ["de-DE", "ar"])
def test_every_screen_has_no_serious_axe_violations_and_reads_at_200_percent(
        phone, live_server, artifacts: Path, locale: str) -> None:
    if not AXE.is_file():
        skip_or_fail(f"axe-core missing ({AXE}): run `npm ci` in pwa/")
    tag = locale.split("-")[0]
    problems: list[str] = []
    context = phone(locale)
    page = context.new_page()
    page.goto("/enroll")
    page.locator("#code").wait_for()
    add_axe(page)
    check(page, f"{tag}-enroll", problems)
    check_large_text(page, f"{tag}-enroll", problems, artifacts)

    code, _guide, _org = enrolled_guide(live_server, f"a11y-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    page.locator("#code").fill(code)
    page.locator("form button[type=submit]").click()
    page.get_by_role("navigation").wait_for()
    if tag == "de":  # entries with a state badge on History, one waiting, one synced
        log_meeting(page, "1", "30", "Ausländerbehörde")
    page.evaluate("""() => {  // the install offer and its notice, as Chromium on Android shows it
      const offer = new Event("beforeinstallprompt", { cancelable: true });
      offer.prompt = () => Promise.resolve();
      offer.userChoice = Promise.resolve({ outcome: "dismissed" });
      dispatchEvent(offer);
    }""")
    add_axe(page)  # (a script tag survives in-app navigation, not reloads)
    checked: list[str] = []
    for index in range(screens_in_nav(page)):
        button = page.locator(".bottom-nav button").nth(index)
        button.click()
        page.wait_for_function("(i) => document.querySelectorAll('.bottom-nav button')[i].getAttribute('aria-current')"
                               " === 'page' && document.querySelector('main') !== null", arg=index)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(200)
        name = page.evaluate("location.pathname.slice(1)") or "today"
        checked.append(name)
        check(page, f"{tag}-{name}", problems)
        check_large_text(page, f"{tag}-{name}", problems, artifacts)
    assert {"today", "log", "history", "settings"} <= set(checked), checked
    assert problems == [], "\n".join(problems)
