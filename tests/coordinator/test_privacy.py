"""Data protection: the Art. 15 export, the Art. 17 erasure, and the retention CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from server.accounts.models import Device, User
from server.activities.models import Activity
from server.assignments.models import Assignment, Client
from server.audit.models import AuditEvent
from server.blobs.models import Blob
from server.blobs.store import blob_store
from server.expenses.models import Claim, Expense, ExpenseReceipt
from server.extensions import db
from server.guides.models import GuideLanguage, GuideProfile
from server.messages.models import Message
from sync import clock
from sync.client import SyncFailed
from sync.tables import Conflict, RecordHistory
from tests.syncing.conftest import activity_fields

RECEIPT = b"%PDF-1.4 a receipt"


def _money(world, state="paid"):
    sha = hashlib.sha256(RECEIPT).hexdigest()
    db.session.add(Blob(sha256=sha, organization_id=world.org_a.id, content_type="application/pdf",
                        size_bytes=len(RECEIPT)))
    blob_store().write(world.org_a.id, sha, RECEIPT)
    claim = Claim(organization_id=world.org_a.id, guide_id=world.guide_a.id, month="2026-03", state="paid")
    db.session.add(claim)
    db.session.flush()
    expense = Expense(organization_id=world.org_a.id, guide_id=world.guide_a.id, date=dt.date(2026, 3, 4),
                      category="public_transport", amount_cents=290, description="GVH Tageskarte", state=state,
                      claim_id=claim.id)
    expense.receipts = [ExpenseReceipt(sha256=sha)]
    db.session.add(expense)
    db.session.commit()
    return sha, expense, claim


def _message(browser, guide, body):
    assert browser.post("/coordinator/messages", data={"recipient": str(guide.id), "body": body}).status_code == 302


def test_export_zip_holds_everything_and_is_audited(signed_in, world, make_device):
    phone = make_device(world.guide_a)
    activity_id = phone.upsert("activity", **activity_fields(note="Schulanmeldung"))
    desk = signed_in(world.coord_a)
    _message(desk, world.guide_a, "Bitte den Beleg nachreichen.")
    _message(desk, world.guide_a, "Plenum am Donnerstag")
    _message(signed_in(world.coord_b), world.guide_b, "Nachricht an jemand anderen")
    phone.sync()
    (first_id,) = [rid for (_t, rid), rec in phone.records("message").items()
                   if rec["body"] == "Bitte den Beleg nachreichen."]
    phone.upsert("message", first_id, read_at="2026-12-04T09:15:00Z")
    phone.sync()
    sha, expense, _claim = _money(world)
    browser = signed_in(world.coord_a)
    assert browser.get(f"/coordinator/guides/{world.guide_a.id}/privacy").status_code == 200
    response = browser.post(f"/coordinator/guides/{world.guide_a.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    for part in ("user", "profile", "devices", "activities", "expenses", "claims", "conflicts", "audit_events",
                 "assignments", "messages", "manifest"):
        assert f"{part}.json" in names
    docs = {n: json.loads(archive.read(n)) for n in names if n.endswith(".json")}
    assert docs["user.json"]["email"] == world.guide_a.email and "password_hash" not in docs["user.json"]
    assert [a["id"] for a in docs["activities.json"]] == [activity_id]
    assert docs["expenses.json"][0]["receipts"] == [sha]
    assert len(docs["devices.json"]) == 1 and "token_hash" not in docs["devices.json"][0]
    assert archive.read(f"receipts/{sha}.pdf") == RECEIPT
    # Her messages from the desk, with whether and when she read them; nobody else's.
    read = {m["body"]: m["read_at"] for m in docs["messages.json"]}
    assert read.keys() == {"Bitte den Beleg nachreichen.", "Plenum am Donnerstag"}
    assert read["Bitte den Beleg nachreichen."].startswith("2026-12-04T09:15") and read["Plenum am Donnerstag"] is None
    assert json.loads(archive.read("manifest.json"))["counts"]["messages"] == 2
    assert world.guide_b.email not in json.dumps(docs)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.exported"))
    assert event.object_id == str(world.guide_a.id) and event.actor_user_id == world.coord_a.id
    # The other organization's coordinator cannot export A's guide.
    assert signed_in(world.coord_b).post(f"/coordinator/guides/{world.guide_a.id}/export").status_code == 404


def test_erasure(signed_in, world, make_device):
    guide = world.guide_a
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    profile.phone, profile.iban, profile.notes = "0511 98765", "DE89370400440532013000", "zuverlässig"
    profile.languages = [GuideLanguage(language="tr", level="native")]
    db.session.commit()
    phone = make_device(guide)
    activity_id = phone.upsert("activity", **activity_fields(note="Arzttermin mit Familie Y",
                                                             needs_professional_help=True))
    phone.sync()
    sha, expense, claim = _money(world)
    browser = signed_in(world.coord_a)
    _message(browser, guide, "Liebe Ayşe, bitte Beleg für Familie Y nachreichen.")
    phone.sync()
    (message_id,) = [rid for _t, rid in phone.records("message")]
    phone.upsert("message", message_id, read_at="2026-12-04T09:15:00Z")
    phone.sync()
    url = f"/coordinator/guides/{guide.id}/erase"

    wrong = browser.post(url, data={"confirm_name": "Jemand anderes"})
    assert wrong.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, guide.id).erased_at is None

    assert browser.post(url, data={"confirm_name": guide.name}).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, guide.id)
    assert user.name == f"Gelöschte Person #{guide.id}" and user.email == f"erased-{guide.id}@erased.invalid"
    assert user.erased_at is not None and not user.active
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    assert (profile.phone, profile.iban, profile.notes, profile.languages) == (None, None, "", [])
    activity = db.session.get(Activity, activity_id)
    assert activity.note == "" and activity.minutes == 90  # kept for the statistics
    history = db.session.scalars(select(RecordHistory).where(RecordHistory.record_id == activity_id)).all()
    assert all(value is None for row in history for value in row.fields.values())
    # Her messages are deleted, their text gone, also from their sync history.
    message = db.session.get(Message, message_id)
    assert message.deleted_at is not None and "Ayşe" not in message.body
    history = db.session.scalars(select(RecordHistory).where(RecordHistory.record_id == message_id)).all()
    assert history and all(value is None for row in history for value in row.fields.values())
    assert "Familie Y" not in browser.get("/coordinator/messages").get_data(as_text=True)
    # Money is kept, restricted until the end of the booking retention period.
    expense, claim = db.session.get(Expense, expense.id), db.session.get(Claim, claim.id)
    assert expense.amount_cents == 290 and expense.restricted_until == dt.date(2036, 12, 31)
    assert claim.restricted_until == dt.date(2036, 12, 31)
    assert blob_store().read(world.org_a.id, sha) == RECEIPT
    assert all(d.revoked_at is not None for d in db.session.scalars(select(Device).where(Device.user_id == guide.id)))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "guide.erased"))
    assert event.details["messages_deleted"] == 1
    assert event.details["expenses_restricted"] == 1 and "Ayşe" not in json.dumps(event.details)
    # The phone is signed out; the guide no longer appears in the list.
    with pytest.raises(SyncFailed) as failed:
        phone.sync()
    assert failed.value.status == 401 and failed.value.body["error"]["code"] == "device_revoked"
    assert "Gelöschte Person" not in browser.get("/coordinator/guides").get_data(as_text=True)


def test_erasure_waits_for_unpaid_money(signed_in, world):
    _money(world, state="approved")
    response = signed_in(world.coord_a).post(f"/coordinator/guides/{world.guide_a.id}/erase",
                                             data={"confirm_name": world.guide_a.name})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(User, world.guide_a.id).erased_at is None


def _old_and_new_records(world, add_activity):
    today = clock.today()
    old, recent = today - dt.timedelta(days=365 * 4), today - dt.timedelta(days=30)
    client_old = Client(organization_id=world.org_a.id, code="K-2020-001", language="ar", household_size=4)
    client_new = Client(organization_id=world.org_a.id, code="K-2026-002", language="fa", household_size=2)
    db.session.add_all([client_old, client_new])
    db.session.flush()
    db.session.add_all([
        Assignment(organization_id=world.org_a.id, client_id=client_old.id, guide_id=world.guide_a.id,
                   title="Begleitung Familie", description="Schule", starts_on=old - dt.timedelta(days=90),
                   ends_on=old, state="ended"),
        Assignment(organization_id=world.org_a.id, client_id=client_new.id, guide_id=world.guide_a.id,
                   title="Begleitung neu", description="Kita", starts_on=recent - dt.timedelta(days=30),
                   ends_on=recent, state="ended"),
    ])
    db.session.commit()
    old_note = add_activity(world.guide_a, world.org_a, old, state="approved", note="alt")
    logged_old = add_activity(world.guide_a, world.org_a, old, note="noch offen")
    new_note = add_activity(world.guide_a, world.org_a, recent, state="approved", note="neu")
    conflict = Conflict(organization_id=world.org_a.id, guide_id=world.guide_a.id, record_type="activity",
                        record_id=old_note.id, field="note", kept_value="alt", lost_value="älter", resolved=True,
                        resolution="kept", resolved_at=clock.utcnow() - dt.timedelta(days=365 * 4))
    db.session.add(conflict)
    db.session.commit()
    return old_note, logged_old, new_note, conflict, client_old, client_new


def _snapshot():
    db.session.expire_all()
    return (sorted((a.note, a.version) for a in db.session.scalars(select(Activity))),
            sorted((a.title, a.description) for a in db.session.scalars(select(Assignment))),
            sorted((c.code, c.household_size) for c in db.session.scalars(select(Client))),
            sorted(str(c.kept_value) for c in db.session.scalars(select(Conflict))))


def test_retention_cli(app, world, add_activity):
    old_note, logged_old, new_note, conflict, client_old, client_new = _old_and_new_records(world, add_activity)
    runner = app.test_cli_runner()
    before = _snapshot()
    # The command line speaks the shell's language; these assertions read the English wording.
    dry = runner.invoke(args=["apply-retention", "--dry-run"], env={"LANG": "en_US.UTF-8", "LANGUAGE": ""})
    assert dry.exit_code == 0, dry.output
    assert "vhs: 1 assignment, 1 client, 1 activity note, 1 conflict" in dry.output
    assert _snapshot() == before

    real = runner.invoke(args=["apply-retention"], env={"LANG": "en_US.UTF-8", "LANGUAGE": ""})
    assert real.exit_code == 0, real.output
    db.session.expire_all()
    assert db.session.get(Activity, old_note.id).note == ""
    assert db.session.get(Activity, logged_old.id).note == "noch offen"  # not approved: open work
    assert db.session.get(Activity, new_note.id).note == "neu"
    assert db.session.get(Client, client_old.id).code.startswith("anon-")
    assert db.session.get(Client, client_new.id).code == "K-2026-002"
    titles = sorted(a.title for a in db.session.scalars(select(Assignment)))
    assert titles == ["Begleitung neu", "–"]
    anonymised = db.session.get(Conflict, conflict.id)
    assert anonymised.kept_value is None and anonymised.lost_value is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.retention_applied"))

    after = _snapshot()
    again = runner.invoke(args=["apply-retention"], env={"LANG": "en_US.UTF-8", "LANGUAGE": ""})
    assert again.exit_code == 0 and "vhs: 0 assignments, 0 clients, 0 activity notes, 0 conflicts" in again.output
    assert _snapshot() == after


def test_retention_page_and_settings(signed_in, world, add_activity):
    _old_and_new_records(world, add_activity)
    html = signed_in(world.coord_a).get("/coordinator/privacy").get_data(as_text=True)
    assert "retention_months" not in html  # coordinators see the periods, only admins change them
    admin = signed_in(world.admin)
    response = admin.post("/coordinator/privacy/retention", data={"retention_months": "60",
                                                                   "booking_retention_years": "10"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(world.org_a), world.org_a.id).retention_months == 60
    refused = admin.post("/coordinator/privacy/retention", data={"retention_months": "3",
                                                                  "booking_retention_years": "10"})
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(world.org_a), world.org_a.id).retention_months == 60
