"""Sync as the guide lives it, against the live server on 360×640 phones: two phones of one guide
editing the same meeting offline, a sync cut off mid-way, a revoked phone, signing out with unsent
entries."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.test_field_day import DUMP_DB, enrol, enrolled_guide, log_meeting, server_activities

pytestmark = pytest.mark.browser


def second_code(live_server: Any, guide_id: int) -> str:
    from server.accounts.models import User
    from server.accounts.operations import format_code, issue_enrolment_code
    from server.extensions import db

    with live_server.app.app_context():
        code = format_code(issue_enrolment_code(db.session.get(User, guide_id)))
        db.session.commit()
        db.session.remove()
    return code


def last_synced(page: Any) -> str | None:
    meta = {row["key"]: row["value"] for row in page.evaluate(DUMP_DB)["meta"]}
    return meta.get("last_synced_at")


def sync(page: Any) -> None:
    """Tap "Sync now" and wait until a round trip finished after the tap, with nothing left to send."""
    page.get_by_role("navigation").get_by_role("button", name="Heute").click()
    before = last_synced(page)
    page.get_by_role("button", name="Jetzt synchronisieren").click()
    for _ in range(200):
        if last_synced(page) != before and not page.evaluate(DUMP_DB)["outbox"]:
            break
        page.wait_for_timeout(100)
    page.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)


def edit_first_entry(page: Any, *, note: str | None = None, minutes: str | None = None) -> None:
    page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
    page.locator("button.entry").first.click()
    page.wait_for_function("() => document.querySelector('#note')?.value !== ''")  # filled from IndexedDB
    if note is not None:
        page.get_by_label("Notiz").fill(note)
    if minutes is not None:
        page.get_by_label("Minuten", exact=True).fill(minutes)
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()


def local_activity(page: Any) -> dict[str, Any]:
    [record] = [r for r in page.evaluate(DUMP_DB)["records"] if r["type"] == "activity"]
    return record["data"]


def test_two_phones_of_one_guide_edit_the_same_meeting_offline(phone, live_server) -> None:
    code_a, guide_id, _org = enrolled_guide(live_server, f"phones-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    phone_a, phone_b = phone("de-DE"), phone("de-DE")
    a = enrol(phone_a, code_a, "Amira Haddad")
    log_meeting(a, "1", "0", "Jobcenter")
    sync(a)
    b = enrol(phone_b, second_code(live_server, guide_id), "Amira Haddad")
    sync(b)
    assert local_activity(b)["note"] == "Jobcenter"

    # Different fields: the note on A, the duration on B — both survive.
    phone_a.set_offline(True)
    phone_b.set_offline(True)
    edit_first_entry(a, note="Jobcenter, mit Dolmetscherin")
    edit_first_entry(b, minutes="30")
    phone_a.set_offline(False)
    sync(a)
    phone_b.set_offline(False)
    sync(b)
    sync(a)
    for page in (a, b):
        data = local_activity(page)
        assert (data["note"], data["minutes"]) == ("Jobcenter, mit Dolmetscherin", 90)
    [(_id, minutes, _kind, note, _state)] = server_activities(live_server, guide_id)
    assert (minutes, note) == (90, "Jobcenter, mit Dolmetscherin")

    # The same field on both: the later arrival wins, the other value is kept as a conflict and shown.
    phone_a.set_offline(True)
    phone_b.set_offline(True)
    edit_first_entry(a, note="Jobcenter (Phone A)")
    edit_first_entry(b, note="Jobcenter (Phone B)")
    phone_a.set_offline(False)
    sync(a)
    phone_b.set_offline(False)
    sync(b)
    sync(a)
    for page in (a, b):
        assert local_activity(page)["note"] == "Jobcenter (Phone B)"
        page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
        page.get_by_text("Ihre Änderung an „Notiz“ (Jobcenter (Phone A)) wurde durch Jobcenter (Phone B) ersetzt."
                         ).wait_for()
    assert [row[3] for row in server_activities(live_server, guide_id)] == ["Jobcenter (Phone B)"]


def test_a_sync_cut_off_after_the_server_applied_it_loses_and_duplicates_nothing(phone, live_server) -> None:
    code, guide_id, _org = enrolled_guide(live_server, f"cutoff-{uuid.uuid4().hex[:8]}", "Olena Koval")
    context = phone("de-DE")
    page = enrol(context, code, "Olena Koval")
    page.get_by_text("Alles synchronisiert").wait_for()
    context.set_offline(True)
    log_meeting(page, "1", "0", "Sprachcafé")
    log_meeting(page, "0", "45", "Elternabend", kind="meeting")
    pushed: list[int] = []

    def deliver_then_lose_the_answer(route: Any) -> None:
        body = route.request.post_data_json or {}
        response = route.fetch()  # the server receives and commits the batch …
        pushed.append(len(body.get("mutations", [])))
        assert response.status == 200
        route.abort("connectionreset")  # … and the phone never hears back (tram, tunnel, app closed)

    context.route("**/api/v1/sync", deliver_then_lose_the_answer)
    context.set_offline(False)
    page.wait_for_function("() => true")
    for _ in range(100):
        if pushed and pushed[0] > 0:
            break
        page.wait_for_timeout(100)
    assert pushed and pushed[0] == 2
    page.close()  # the guide closes the app before any retry
    assert sorted(row[3] for row in server_activities(live_server, guide_id)) == ["Elternabend", "Sprachcafé"]

    context.unroute("**/api/v1/sync")
    page = context.new_page()
    page.goto("/today")
    page.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)
    stored = server_activities(live_server, guide_id)
    assert sorted(row[3] for row in stored) == ["Elternabend", "Sprachcafé"]  # once each, not twice
    local = page.evaluate(DUMP_DB)
    assert local["outbox"] == []
    assert sorted(r["id"] for r in local["records"] if r["type"] == "activity") == sorted(r[0] for r in stored)


def test_revocation_tells_the_guide_then_wipes_the_phone(phone, live_server) -> None:
    from server.accounts.models import User
    from server.accounts.operations import revoke_devices
    from server.extensions import db

    code, guide_id, _org = enrolled_guide(live_server, f"revoke-{uuid.uuid4().hex[:8]}", "Dilan Yıldız")
    context = phone("de-DE")
    page = enrol(context, code, "Dilan Yıldız")
    log_meeting(page, "1", "0", "Beratungsstelle")
    page.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)
    with live_server.app.app_context():
        assert revoke_devices(db.session.get(User, guide_id)) == 1
        db.session.commit()
        db.session.remove()

    page.get_by_role("button", name="Jetzt synchronisieren").click()
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for(timeout=20_000)
    assert "Dieses Handy wurde abgemeldet" in dialog.inner_text()
    assert len(page.evaluate(DUMP_DB)["records"]) > 0  # nothing deleted before the guide was told
    with page.expect_navigation():
        dialog.get_by_role("button", name="OK, Daten löschen").click()
    page.locator("#code").wait_for()
    assert page.url.endswith("/enroll")
    assert page.evaluate("indexedDB.databases().then((dbs) => dbs.map((d) => d.name))") in ([], ["lotsenbuch"])
    leftovers = page.evaluate("""() => new Promise((done) => {
      const open = indexedDB.open("lotsenbuch");
      open.onsuccess = () => {
        const idb = open.result;
        const names = [...idb.objectStoreNames];
        if (!names.includes("records")) { idb.close(); done(0); return; }
        const req = idb.transaction("records").objectStore("records").count();
        req.onsuccess = () => { idb.close(); done(req.result); };
      };
    })""")
    assert leftovers == 0


def test_sign_out_with_unsent_entries_warns_twice(phone, live_server) -> None:
    code, _guide, _org = enrolled_guide(live_server, f"signout-{uuid.uuid4().hex[:8]}", "Ayşe Demir")
    context = phone("de-DE")
    page = enrol(context, code, "Ayşe Demir")
    context.set_offline(True)
    log_meeting(page, "1", "0", "Kita-Anmeldung")
    page.get_by_role("navigation").get_by_role("button", name="Einstellungen").click()
    page.get_by_role("button", name="Abmelden").click()
    warning = page.get_by_role("alert")
    warning.wait_for()
    assert "1 Änderung wurde noch nicht gesendet" in warning.inner_text()  # singular: a plural message
    page.get_by_role("button", name="Trotzdem abmelden").click()
    assert len(page.evaluate(DUMP_DB)["outbox"]) == 1  # two taps so far, nothing deleted
    # (Online for the last step: the wipe removes the service worker too, and /enroll must load.
    # Sync requests fail meanwhile, so going online does not send the entry before the last tap.)
    page.route("**/api/v1/sync", lambda route: route.abort())
    context.set_offline(False)
    with page.expect_navigation():
        page.get_by_role("button", name="Ja, ungesendete Änderungen löschen und abmelden").click()
    page.locator("#code").wait_for()
    assert page.url.endswith("/enroll")
