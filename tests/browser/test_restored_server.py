"""A phone whose cursor is ahead of a server restored from a backup recovers on its own (sync/PROTOCOL.md §10):
the server lost the phone's last entry and its stored result, and drew a new feed epoch, as `flask --app
server restore` leaves it. The next sync gets 409 `feed_rewound`; the phone replays its journal with the same
ids, pulls everything again, and ends with both entries on the server, once each."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text, update

from tests.browser.test_field_day import DUMP_DB, enrol, enrolled_guide, log_meeting, server_activities
from tests.browser.test_sync_phones import sync

pytestmark = pytest.mark.browser

JOURNAL = """() => new Promise((done, fail) => {
  const open = indexedDB.open("lotsenbuch");
  open.onerror = () => fail(open.error);
  open.onsuccess = () => {
    const idb = open.result;
    const req = idb.transaction(["sent"], "readonly").objectStore("sent").getAll();
    req.onsuccess = () => { idb.close(); done(req.result.map((row) => row.mutation)); };
  };
})"""


def restore_without(live_server: Any, record_id: str, mutation_ids: list[str]) -> None:
    """What a restore from a backup taken before `record_id` was synced leaves behind."""
    from server.extensions import db
    from sync.tables import SyncCounter, new_epoch

    with live_server.app.app_context():
        for statement in ("DELETE FROM activities WHERE id = :rid", "DELETE FROM sync_changes WHERE record_id = :rid",
                          "DELETE FROM sync_record_history WHERE record_id = :rid"):
            db.session.execute(text(statement), {"rid": record_id})
        for mutation_id in mutation_ids:
            db.session.execute(text("DELETE FROM sync_applied_mutations WHERE mutation_id = :m"), {"m": mutation_id})
        db.session.execute(update(SyncCounter).values(epoch=new_epoch()))
        db.session.commit()
        db.session.remove()


def test_a_phone_ahead_of_a_restored_server_sends_again_what_it_lost(phone, live_server) -> None:
    code, guide_id, _org = enrolled_guide(live_server, f"restore-{uuid.uuid4().hex[:8]}", "Mina Rahimi")
    context = phone("de-DE")
    page = enrol(context, code, "Mina Rahimi")
    page.get_by_text("Alles synchronisiert").wait_for()
    log_meeting(page, "1", "0", "vor der Sicherung")
    sync(page)
    log_meeting(page, "0", "30", "nach der Sicherung")
    sync(page)
    (lost,) = [a for a in server_activities(live_server, guide_id) if a[3] == "nach der Sicherung"]
    journal = page.evaluate(JOURNAL)
    assert len(journal) == 2
    restore_without(live_server, lost[0], [m["id"] for m in journal if m["record_id"] == lost[0]])
    assert [a[3] for a in server_activities(live_server, guide_id)] == ["vor der Sicherung"]

    sync(page)
    assert sorted((a[1], a[3]) for a in server_activities(live_server, guide_id)) == [
        (30, "nach der Sicherung"), (60, "vor der Sicherung")]
    dump = page.evaluate(DUMP_DB)
    assert not dump["outbox"]
    assert sorted(r["data"]["note"] for r in dump["records"] if r["type"] == "activity") == [
        "nach der Sicherung", "vor der Sicherung"]
    meta = {row["key"]: row["value"] for row in dump["meta"]}
    assert meta.get("recovering") is False and meta.get("cursor")
    page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
    page.get_by_text("nach der Sicherung").wait_for()
