"""The guide's field day on a 360×640 phone against the live server: enrol, log offline, close and
reopen offline, sync, and see the coordinator's approval — plus the save/outbox invariant."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

# Reads every table of the app's IndexedDB through a raw (not Dexie) connection: what is really stored.
DUMP_DB = """() => new Promise((done, fail) => {
  const open = indexedDB.open("lotsenbuch");
  open.onerror = () => fail(open.error);
  open.onsuccess = () => {
    const idb = open.result;
    const tx = idb.transaction(["records", "outbox", "meta"], "readonly");
    const out = {};
    for (const name of ["records", "outbox", "meta"]) {
      const req = tx.objectStore(name).getAll();
      req.onsuccess = () => (out[name] = req.result);
    }
    tx.oncomplete = () => { idb.close(); done(out); };
  };
})"""

WAIT_SW_ACTIVE = """navigator.serviceWorker.ready.then((r) => r.active.state === 'activated' || new Promise(
    (done) => r.active.addEventListener('statechange', (e) => e.target.state === 'activated' && done())))"""


def enrolled_guide(live_server: Any, slug: str, name: str) -> tuple[str, int, int]:
    """A new organization with one guide; returns (enrolment code, guide id, organization id)."""
    from server.accounts.operations import create_organization, create_user, format_code, issue_enrolment_code
    from server.extensions import db

    with live_server.app.app_context():
        org = create_organization(slug, f"Koordinierungsstelle {slug}")
        guide = create_user(org, f"{slug}@example.org", "guide", name, None)
        code = format_code(issue_enrolment_code(guide))
        db.session.commit()
        ids = (guide.id, org.id)
        db.session.remove()
    return code, *ids


def enrol(context: Any, code: str, name: str) -> Any:
    page = context.new_page()
    page.goto(f"/enroll#code={code}")
    page.get_by_role("button", name="Dieses Handy anmelden").click()
    page.get_by_text(f"Hallo, {name}!").wait_for()
    page.evaluate(WAIT_SW_ACTIVE)
    return page


def log_meeting(page: Any, hours: str, minutes: str, note: str, kind: str = "accompaniment") -> None:
    page.get_by_role("navigation").get_by_role("button", name="Eintragen").click()
    page.get_by_label("Stunden", exact=True).fill(hours)
    page.get_by_label("Minuten", exact=True).fill(minutes)
    page.get_by_label("Art", exact=True).select_option(kind)
    page.get_by_label("Notiz").fill(note)
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()


def server_activities(live_server: Any, guide_id: int) -> list[Any]:
    from sqlalchemy import select

    from server.activities.models import Activity
    from server.extensions import db

    with live_server.app.app_context():
        rows = db.session.execute(select(Activity).where(Activity.guide_id == guide_id)).scalars().all()
        out = [(r.id, r.minutes, r.kind, r.note, r.state) for r in rows]
        db.session.remove()
    return out


def has_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def test_field_day_offline_then_sync_then_approved(phone, live_server, artifacts: Path) -> None:
    slug = f"field-{uuid.uuid4().hex[:8]}"
    code, guide_id, org_id = enrolled_guide(live_server, slug, "Amira Haddad")
    context = phone("de-DE")
    page = enrol(context, code, "Amira Haddad")
    page.get_by_text("Alles synchronisiert").wait_for()

    context.set_offline(True)
    log_meeting(page, "1", "30", "Ausländerbehörde, Termin zur Verlängerung")
    log_meeting(page, "0", "45", "Elternabend Grundschule", kind="meeting")
    page.get_by_text("Offline – 2 Änderungen warten").wait_for()
    assert page.get_by_test_id("month-hours").inner_text() == "2:15 h"
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "field-day-today-offline-360x640.png"))

    # Close the app and open it again, still offline: served by the service worker, data still there.
    page.close()
    page = context.new_page()
    page.goto("/history")
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    page.get_by_text("Ausländerbehörde, Termin zur Verlängerung").wait_for()
    states = page.get_by_test_id("entry-state").all_inner_texts()
    assert states == ["Wartet auf Synchronisierung"] * 2
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "field-day-history-waiting-360x640.png"))
    assert server_activities(live_server, guide_id) == []

    # Back online: the `online` event starts a sync; the server then holds exactly those two.
    context.set_offline(False)
    page.get_by_role("navigation").get_by_role("button", name="Heute").click()
    page.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)
    stored = server_activities(live_server, guide_id)
    assert sorted((m, k, n, s) for _id, m, k, n, s in stored) == [
        (45, "meeting", "Elternabend Grundschule", "logged"),
        (90, "accompaniment", "Ausländerbehörde, Termin zur Verlängerung", "logged"),
    ]
    local = page.evaluate(DUMP_DB)
    assert local["outbox"] == []
    versions = {r["id"]: r["version"] for r in local["records"] if r["type"] == "activity"}
    assert set(versions) == {row[0] for row in stored}
    assert all(v >= 1 for v in versions.values())  # the pull after the push brought the server versions

    # The coordinator approves one; after the next sync the app shows it as approved.
    from server.activities.review import approve_activity
    from server.extensions import db
    from sync.merge import Author

    approved_id = next(row[0] for row in stored if row[1] == 90)
    with live_server.app.app_context():
        approve_activity(db.session, Author(role="coordinator"), org_id, approved_id)
        db.session.commit()
        db.session.remove()
    page.get_by_role("button", name="Jetzt synchronisieren").click()
    page.get_by_text("Alles synchronisiert").wait_for()
    page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
    page.get_by_text("Genehmigt").wait_for(timeout=20_000)
    assert sorted(page.get_by_test_id("entry-state").all_inner_texts()) == ["Genehmigt", "Synchronisiert"]
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "field-day-history-approved-360x640.png"))


def test_every_saved_record_has_its_outbox_entry(phone, live_server, artifacts: Path) -> None:
    code, _guide_id, _org = enrolled_guide(live_server, f"outbox-{uuid.uuid4().hex[:8]}", "Olena Koval")
    context = phone("de-DE")
    page = enrol(context, code, "Olena Koval")
    context.set_offline(True)
    page.get_by_role("navigation").get_by_role("button", name="Eintragen").click()
    page.screenshot(path=str(artifacts / "log-form-360x640.png"), full_page=True)
    assert not has_horizontal_scroll(page)
    for target in page.locator("main button, main input, main select, nav button").all():
        box = target.bounding_box()
        if box and target.get_attribute("type") not in ("radio", "checkbox"):
            assert box["height"] >= 44, target.evaluate("(e) => e.outerHTML.slice(0, 80)")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    log_meeting(page, "2", "0", "Sprachcafé")

    # The timer: started, the app closed, reopened, stopped → (a run under a minute is asked about)
    # the guide logs it anyway on the review form → an accompaniment is logged.
    page.get_by_role("button", name="Begleitung beginnt").click()
    page.get_by_test_id("timer-running").wait_for()
    page.close()
    page = context.new_page()
    page.goto("/")
    page.get_by_test_id("timer-running").wait_for()
    page.get_by_role("button", name="Begleitung beendet").click()
    page.get_by_role("button", name="Trotzdem eintragen").click()
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()

    local = page.evaluate(DUMP_DB)
    activities = [r for r in local["records"] if r["type"] == "activity"]
    assert len(activities) == 3
    queued = {(row["type"], row["record_id"]) for row in local["outbox"]}
    assert queued == {("activity", r["id"]) for r in activities}  # no record without its entry, nor the reverse
    assert len({row["id"] for row in local["outbox"]}) == 3
    assert all(row["mutation"]["base_version"] is None and row["mutation"]["op"] == "upsert" for row in local["outbox"])

    # An edit of a record waiting to sync adds a second mutation with only the changed field.
    page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
    page.get_by_text("Sprachcafé").click()
    page.get_by_label("Notiz").fill("Sprachcafé im Stadtteilzentrum")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    local = page.evaluate(DUMP_DB)
    assert len(local["outbox"]) == 4
    assert local["outbox"][-1]["mutation"]["fields"] == {"note": "Sprachcafé im Stadtteilzentrum"}
    page.screenshot(path=str(artifacts / "history-waiting-360x640.png"))


def test_today_in_dark_mode_and_right_to_left(phone, live_server, artifacts: Path) -> None:
    code, _guide_id, _org = enrolled_guide(live_server, f"rtl-{uuid.uuid4().hex[:8]}", "Dilan Yıldız")
    context = phone("de-DE", color_scheme="dark")
    page = enrol(context, code, "Dilan Yıldız")
    page.get_by_text("Alles synchronisiert").wait_for()
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "today-dark-360x640.png"))
    page.get_by_role("navigation").get_by_role("button", name="Einstellungen").click()
    page.get_by_label("Sprache").select_option("ar")
    page.wait_for_function("() => document.documentElement.dir === 'rtl'")
    page.get_by_role("navigation").get_by_role("button").first.click()
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "today-ar-dark-360x640.png"))


def test_offline_edit_of_an_activity_approved_meanwhile_is_shown_as_refused(phone, live_server) -> None:
    from server.activities.review import approve_activity
    from server.extensions import db
    from sync.merge import Author

    code, guide_id, org_id = enrolled_guide(live_server, f"locked-{uuid.uuid4().hex[:8]}", "Ayşe Demir")
    context = phone("de-DE")
    page = enrol(context, code, "Ayşe Demir")
    log_meeting(page, "1", "0", "Jobcenter")
    page.get_by_text("Alles synchronisiert").wait_for()
    context.set_offline(True)
    page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
    page.get_by_text("Jobcenter").click()
    page.get_by_label("Notiz").fill("Jobcenter, zweiter Termin")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Wartet auf Synchronisierung").wait_for()

    [(activity_id, *_rest)] = server_activities(live_server, guide_id)
    with live_server.app.app_context():
        approve_activity(db.session, Author(role="coordinator"), org_id, activity_id)
        db.session.commit()
        db.session.remove()
    context.set_offline(False)
    page.get_by_text("Nicht geändert: bereits genehmigt").wait_for(timeout=20_000)
    assert page.get_by_text("Jobcenter", exact=True).is_visible()  # the server's state came back
    local = page.evaluate(DUMP_DB)
    assert local["outbox"] == []
    [record] = [r for r in local["records"] if r["type"] == "activity"]
    assert record["problem"]["code"] == "locked" and record["data"]["state"] == "approved"
