"""Installing the app and updating it without losing a single unsynced entry, on a 360×640 phone.

The update tests serve the app from a copy of the build (the live server's `PWA_DIR`) and then publish
a "new release" into another copy: the main chunk renamed (as a new build names it), `sw.js` listing
it with fresh revisions, and — for the schema tests — a Dexie schema version N+1 with an upgrade
function patched into the bundle, exactly as a developer adding `this.version(N+1)` would ship it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PWA_INDEX
from tests.browser.test_field_day import (
    DUMP_DB,
    WAIT_SW_ACTIVE,
    enrolled_guide,
    log_meeting,
    server_activities,
)

pytestmark = pytest.mark.browser

BUILD = PWA_INDEX.parent
IOS_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.5 Mobile/15E148 Safari/604.1")
STORES = re.compile(r"(\w+)\.version\((\d+)\)\.stores\(\{[^{}]*\}\)")
UPGRADE_MARK = "upgraded_by_release_2"

IDB_VERSION = """() => new Promise((done, fail) => {
  const open = indexedDB.open("lotsenbuch");
  open.onerror = () => fail(open.error);
  open.onsuccess = () => { const v = open.result.version; open.result.close(); done(v); };
})"""


def schema_versions(main_chunk: str) -> list[int]:
    return [int(m.group(2)) for m in STORES.finditer(main_chunk)]


def schema_chunk(build: Path) -> Path:
    """The asset that declares the Dexie schema (`….version(n).stores({…})`)."""
    found = [path for path in sorted((build / "assets").glob("*.js")) if STORES.search(path.read_text())]
    assert found, "no chunk of the build declares the Dexie schema"
    return found[0]


def publish_release(source: Path, target: Path, *, bump_schema: bool) -> int | None:
    """Copy the build to `target` as a new release; returns the new Dexie schema version if bumped."""
    # Without the precompressed variants: they are of the old files (`make pwa` makes new ones).
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.br", "*.gz"))
    html = (target / "index.html").read_text()
    main_name = re.search(r"/assets/(index-[\w-]+\.js)", html).group(1)  # type: ignore[union-attr]
    # The Dexie schema lives in the chunk the page and the service worker share (or in the main one).
    schema_name = schema_chunk(target).name
    renames = {name: f"{name.split('-')[0]}-{secrets.token_hex(4)}.js" for name in {main_name, schema_name}}
    new_version = None
    chunk = (target / "assets" / schema_name).read_text()
    if bump_schema:
        last = max(STORES.finditer(chunk), key=lambda m: int(m.group(2)))
        receiver, new_version = last.group(1), int(last.group(2)) + 1
        # A new version declares only what changed (here nothing) plus an upgrade over the old data.
        addition = (f',{receiver}.version({new_version}).stores({{}}).upgrade(t=>t.table("records")'
                    f'.toCollection().modify(r=>{{r.{UPGRADE_MARK}=1}}))')
        chunk = chunk[:last.end()] + addition + chunk[last.end():]
        (target / "assets" / schema_name).write_text(chunk)
    for old_name, new_name in renames.items():
        (target / "assets" / old_name).rename(target / "assets" / new_name)
    for path in target.rglob("*"):
        if path.suffix in (".js", ".html") and path.is_file():
            text = path.read_text()
            changed = text
            for old_name, new_name in renames.items():
                changed = changed.replace(old_name, new_name)
            if changed != text:
                path.write_text(changed)
    sw = target / "sw.js"

    def revised(match: re.Match[str]) -> str:
        url = match.group(1)
        return f'{{url:"{url}",revision:"{hashlib.md5((target / url).read_bytes()).hexdigest()}"}}'

    sw.write_text(re.sub(r'\{url:"([^"]+)",revision:"[0-9a-f]+"\}', revised, sw.read_text()))
    return new_version


@pytest.fixture
def serve_build(live_server: Any, tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """`serve_build(folder)`: the live server answers the app from `folder` until the test ends."""
    from server.static_files import APP_DIR
    from server.static_files import serve_build as switch_build

    before = Path(live_server.app.config.get("PWA_DIR", APP_DIR))

    def serve(folder: Path) -> None:
        switch_build(live_server.app, folder)

    yield serve
    switch_build(live_server.app, before)


def enrol_page(context: Any, code: str, name: str, *, wait_sw: bool = True) -> Any:
    page = context.new_page()
    page.goto(f"/enroll#code={code}")
    page.get_by_role("button", name="Dieses Handy anmelden").click()
    page.get_by_text(f"Hallo, {name}!").wait_for()
    if wait_sw:
        page.evaluate(WAIT_SW_ACTIVE)
    return page


def without(records: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != key} for r in records]


# ---- installability -------------------------------------------------------------------------------

def test_chromium_reports_no_installability_errors(browser, live_server, tmp_path: Path) -> None:

    # A persistent profile: Chromium never offers to install from an incognito context, which is what
    # `browser.new_context()` makes (installabilityErrors would be ["in-incognito"]).
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, locale="de-DE",
        base_url=live_server.url)
    try:
        check_installable(context, live_server)
    finally:
        context.close()


def check_installable(context: Any, live_server: Any) -> None:
    import requests

    page = context.new_page()
    page.goto("/")
    page.locator("#code").wait_for()
    page.evaluate(WAIT_SW_ACTIVE)
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    manifest = requests.get(f"{live_server.url}/manifest.webmanifest", timeout=10).json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["name"] == "Lotsenbuch" and manifest["short_name"]
    assert manifest["theme_color"] and manifest["background_color"]
    icons = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= icons
    [shot] = manifest["screenshots"]
    assert shot["form_factor"] == "narrow" and shot["sizes"] == "360x640"
    response = requests.get(live_server.url + shot["src"], timeout=10)
    assert response.status_code == 200 and response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(response.content) < 60_000
    for src in [i["src"] for i in manifest["icons"]] + ["/icons/apple-touch-icon.png"]:
        assert requests.get(live_server.url + src, timeout=10).status_code == 200

    head = page.locator("head")
    assert head.locator('link[rel="manifest"]').count() == 1
    assert head.locator('link[rel="apple-touch-icon"]').count() == 1
    assert head.locator('meta[name="apple-mobile-web-app-capable"]').get_attribute("content") == "yes"
    assert head.locator('meta[name="apple-mobile-web-app-title"]').get_attribute("content") == "Lotsenbuch"


def test_ios_safari_not_installed_explains_the_7_days_and_how_to_install(phone, artifacts: Path) -> None:
    context = phone("de-DE", user_agent=IOS_SAFARI)
    page = context.new_page()
    page.goto("/")
    notice = page.get_by_test_id("install-notice")
    notice.wait_for()
    text = notice.inner_text()
    assert "Nach 7 Tagen ohne Nutzung kann Safari" in text
    assert "„Teilen“" in text and "„Zum Home-Bildschirm“" in text
    assert "Erst installieren, dann in der installierten App anmelden" in text
    assert notice.get_by_role("button", name="Installieren").count() == 0  # iOS has no install button
    assert not page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    page.screenshot(path=str(artifacts / "install-notice-ios-de-360x640.png"))
    notice.get_by_role("button", name="Nicht jetzt").click()
    notice.wait_for(state="detached")
    page.reload()
    page.locator("#code").wait_for()
    page.wait_for_timeout(300)
    assert page.get_by_test_id("install-notice").count() == 0  # the dismissal is remembered


def test_android_offers_the_browsers_install_prompt(phone, artifacts: Path) -> None:
    page = phone("de-DE").new_page()
    page.goto("/")
    page.locator("#code").wait_for()
    assert page.get_by_test_id("install-notice").count() == 0  # nothing until the browser offers it
    page.evaluate("""() => {
      const offer = new Event("beforeinstallprompt", { cancelable: true });
      offer.prompt = () => { window.__prompted = true; return Promise.resolve(); };
      offer.userChoice = Promise.resolve({ outcome: "accepted" });
      dispatchEvent(offer);
      window.__defaultPrevented = offer.defaultPrevented;
    }""")
    notice = page.get_by_test_id("install-notice")
    notice.wait_for()
    assert page.evaluate("window.__defaultPrevented")  # the browser's own mini-infobar is suppressed
    assert "7 Tagen" not in notice.inner_text()
    page.screenshot(path=str(artifacts / "install-notice-android-de-360x640.png"))
    notice.get_by_role("button", name="Installieren").click()
    notice.wait_for(state="detached")
    assert page.evaluate("window.__prompted === true")


# ---- updates --------------------------------------------------------------------------------------

def test_update_waits_for_the_guide_and_keeps_every_unsynced_entry(
        phone, live_server, serve_build, tmp_path: Path, artifacts: Path) -> None:
    release_1, release_2 = tmp_path / "release-1", tmp_path / "release-2"
    shutil.copytree(BUILD, release_1)
    serve_build(release_1)
    code, guide_id, _org = enrolled_guide(live_server, f"update-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    context = phone("de-DE")
    page = enrol_page(context, code, "Amira Haddad")
    page.get_by_text("Alles synchronisiert").wait_for()

    context.route("**/api/v1/sync", lambda route: route.abort())  # the tram: nothing gets through
    log_meeting(page, "1", "30", "Ausländerbehörde")
    log_meeting(page, "0", "45", "Elternabend", kind="meeting")
    before = page.evaluate(DUMP_DB)
    assert len(before["outbox"]) == 2
    old_version = page.evaluate(IDB_VERSION)

    # Half-way through a third entry, a new release is published and the phone notices it.
    page.get_by_role("navigation").get_by_role("button", name="Eintragen").click()
    page.get_by_label("Notiz").fill("Jobcenter, halb getippt")
    page.evaluate("window.__still_the_same_page = true")
    new_version = publish_release(release_1, release_2, bump_schema=True)
    serve_build(release_2)
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    prompt = page.get_by_test_id("update-prompt")
    prompt.wait_for(timeout=20_000)
    assert "Eine neue Version ist bereit." in prompt.inner_text()
    assert "Speichern Sie zuerst Ihren Eintrag" in prompt.inner_text()
    assert prompt.get_by_role("button").count() == 0  # never in the middle of an entry
    page.screenshot(path=str(artifacts / "update-prompt-unsaved-de-360x640.png"))
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)")
    assert page.get_by_label("Notiz").input_value() == "Jobcenter, halb getippt"

    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    update = prompt.get_by_role("button", name="Jetzt aktualisieren")
    update.wait_for()
    assert "Ihre Einträge bleiben auf diesem Handy." in prompt.inner_text()
    assert not page.evaluate("window.__not_there_before_the_tap === 1")
    page.screenshot(path=str(artifacts / "update-prompt-de-360x640.png"))
    page.wait_for_timeout(500)
    assert page.evaluate("window.__still_the_same_page === true")  # nothing reloaded by itself

    with page.expect_navigation():
        update.click()
    page.get_by_text("Hallo, Amira Haddad!").wait_for()
    assert page.evaluate("window.__still_the_same_page === undefined")
    assert page.get_by_test_id("update-prompt").count() == 0
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => !r.waiting && !!r.active)")
    assert page.evaluate(IDB_VERSION) == new_version * 10 > old_version  # Dexie stores version × 10
    after = page.evaluate(DUMP_DB)
    assert len(after["outbox"]) == 3 and after["outbox"][:2] == before["outbox"]
    activities = [r for r in after["records"] if r["type"] == "activity"]
    assert len(activities) == 3 and all(r[UPGRADE_MARK] == 1 for r in activities)
    old = {r["id"]: r for r in before["records"] if r["type"] == "activity"}
    assert {r["id"]: r for r in without(activities, UPGRADE_MARK) if r["id"] in old} == old

    context.unroute("**/api/v1/sync")
    page.get_by_role("button", name="Jetzt synchronisieren").click()
    page.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)
    notes = sorted(row[3] for row in server_activities(live_server, guide_id))
    assert notes == ["Ausländerbehörde", "Elternabend", "Jobcenter, halb getippt"]


def test_new_dexie_schema_version_keeps_every_unsynced_entry(
        phone, live_server, serve_build, tmp_path: Path) -> None:
    release_1, release_2 = tmp_path / "release-1", tmp_path / "release-2"
    shutil.copytree(BUILD, release_1)
    serve_build(release_1)
    code, guide_id, _org = enrolled_guide(live_server, f"schema-{uuid.uuid4().hex[:8]}", "Olena Koval")
    context = phone("de-DE", service_workers="block")  # the schema alone: each load asks the server
    page = enrol_page(context, code, "Olena Koval", wait_sw=False)
    context.route("**/api/v1/sync", lambda route: route.abort())
    log_meeting(page, "2", "0", "Sprachcafé")
    log_meeting(page, "0", "30", "Telefonat Schule", kind="phone")
    page.get_by_role("button", name="Begleitung beginnt").click()  # a running timer is kept too
    page.get_by_test_id("timer-running").wait_for()
    before = page.evaluate(DUMP_DB)
    old_version = page.evaluate(IDB_VERSION)
    assert len(before["outbox"]) == 2

    new_version = publish_release(release_1, release_2, bump_schema=True)
    assert new_version is not None and new_version * 10 > old_version
    serve_build(release_2)
    page.reload()
    page.get_by_test_id("timer-running").wait_for()
    assert page.evaluate(IDB_VERSION) == new_version * 10
    after = page.evaluate(DUMP_DB)
    assert after["outbox"] == before["outbox"]
    assert after["meta"] == before["meta"]  # enrolment, cursor, timer, language
    assert without(after["records"], UPGRADE_MARK) == before["records"]
    assert all(r[UPGRADE_MARK] == 1 for r in after["records"])  # the upgrade function ran over them
    page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
    page.get_by_text("Sprachcafé").wait_for()
    assert page.get_by_test_id("entry-state").all_inner_texts() == ["Wartet auf Synchronisierung"] * 2

    context.unroute("**/api/v1/sync")
    page.get_by_role("navigation").get_by_role("button", name="Heute").click()
    page.get_by_role("button", name="Jetzt synchronisieren").click()
    page.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)
    assert sorted(row[3] for row in server_activities(live_server, guide_id)) == ["Sprachcafé", "Telefonat Schule"]


# ---- schema v3: the History date index ------------------------------------------------------------

# Schema version 3 and every later one (4: the journal of sent mutations, PROTOCOL §10).
V3_AND_LATER = re.compile(r"\w+\.version\((?:[3-9]|\d{2,})\)\.stores\(\{[^{}]*\}\)")
RECORD_INDEXES = """() => new Promise((done, fail) => {
  const open = indexedDB.open("lotsenbuch");
  open.onerror = () => fail(open.error);
  open.onsuccess = () => {
    const idb = open.result;
    const names = [...idb.transaction("records").objectStore("records").indexNames];
    idb.close();
    done(names);
  };
})"""


def publish_v2_release(source: Path, target: Path) -> None:
    """The build as it was before schema v3: the same bundle without its `version(3)` and later blocks. (Its Today
    and History screens query the v3 index and stay empty; the Log screen, which writes the entries,
    does not need it — what matters is the database it leaves behind, made by Dexie from the v1 and
    v2 declarations exactly as the old release made it.)"""
    # Without the precompressed variants: they are of the old files (`make pwa` makes new ones).
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.br", "*.gz"))
    main = schema_chunk(target)
    chunk, found = V3_AND_LATER.subn("0", main.read_text())
    assert found >= 1, "the build has no schema version 3 to take out"
    assert max(schema_versions(chunk)) == 2
    main.write_text(chunk)


def test_schema_v3_adds_the_history_index_and_keeps_a_v2_phones_entries(
        phone, live_server, serve_build, tmp_path: Path) -> None:
    old_release = tmp_path / "release-v2"
    publish_v2_release(BUILD, old_release)
    serve_build(old_release)
    code, guide_id, _org = enrolled_guide(live_server, f"v3-{uuid.uuid4().hex[:8]}", "Samir Aziz")
    context = phone("de-DE", service_workers="block")  # each load asks the server: the schema alone
    page = enrol_page(context, code, "Samir Aziz", wait_sw=False)
    context.route("**/api/v1/sync", lambda route: route.abort())  # nothing of it reached the server
    log_meeting(page, "1", "15", "Kita-Anmeldung")
    log_meeting(page, "0", "20", "Rückruf Jobcenter", kind="phone")
    before = page.evaluate(DUMP_DB)
    assert page.evaluate(IDB_VERSION) == 20
    assert "[type+deleted+data.date]" not in page.evaluate(RECORD_INDEXES)
    assert len(before["outbox"]) == 2

    serve_build(BUILD)  # the app update: today's build, schema v3 and what came after it
    page.reload()
    page.get_by_text("Hallo, Samir Aziz!").wait_for()
    assert page.evaluate(IDB_VERSION) == 10 * max(schema_versions(schema_chunk(BUILD).read_text()))
    assert "[type+deleted+data.date]" in page.evaluate(RECORD_INDEXES)
    after = page.evaluate(DUMP_DB)
    assert after["outbox"] == before["outbox"] and after["records"] == before["records"]
    assert after["meta"] == before["meta"]
    # History reads through the new index: both entries, newest change first, still waiting.
    page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
    page.get_by_text("Kita-Anmeldung").wait_for()
    rows = page.get_by_test_id("history-entry")
    assert [rows.nth(i).get_attribute("data-state") for i in range(rows.count())] == ["waiting", "waiting"]
    assert "Rückruf Jobcenter" in rows.nth(0).inner_text()

    context.unroute("**/api/v1/sync")
    page.get_by_role("navigation").get_by_role("button", name="Heute").click()
    page.get_by_role("button", name="Jetzt synchronisieren").click()
    page.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)
    assert sorted(row[3] for row in server_activities(live_server, guide_id)) == [
        "Kita-Anmeldung", "Rückruf Jobcenter"]
