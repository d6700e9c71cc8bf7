"""The sync round trip over HTTP: create, edit, delete, exactly once, merge and conflicts."""

from __future__ import annotations

import uuid

from tests.syncing.conftest import activity_fields


def test_enrolled_device_creates_activity_and_receives_it_back(make_device, guide):
    phone = make_device(guide)
    record_id = phone.upsert("activity", **activity_fields())
    phone.sync()
    assert phone.pending() == []
    assert phone.version("activity", record_id) == 1
    data = phone.record("activity", record_id)
    assert data["minutes"] == 90 and data["state"] == "logged"
    # The organization's reference record arrives too.
    orgs = phone.records("organization")
    assert [d["name"] for d in orgs.values()] == ["VHS Hannover"]


def test_second_phone_of_same_guide_receives_the_activity(make_device, guide):
    phone, tablet = make_device(guide), make_device(guide, "tablet")
    record_id = phone.upsert("activity", **activity_fields())
    phone.sync()
    tablet.sync()
    assert tablet.record("activity", record_id)["note"] == "Jobcenter"


def test_replayed_mutation_is_applied_once(client, make_device, guide):
    phone = make_device(guide)
    record_id = str(uuid.uuid4())
    mutation = {"id": str(uuid.uuid4()), "type": "activity", "record_id": record_id, "op": "upsert",
                "base_version": None, "fields": activity_fields(), "client_time": "2026-11-20T10:00:00Z"}
    headers = {"Authorization": f"Bearer {phone.token}"}
    first = client.post("/api/v1/sync", json={"mutations": [mutation]}, headers=headers).get_json()
    again = client.post("/api/v1/sync", json={"mutations": [mutation]}, headers=headers).get_json()
    assert first["results"] == again["results"]
    assert first["results"][0]["status"] == "applied"
    from server.activities.models import Activity
    from server.extensions import db

    assert db.session.get(Activity, record_id).version == 1


def test_different_fields_merge(make_device, guide):
    phone, tablet = make_device(guide), make_device(guide, "tablet")
    record_id = phone.upsert("activity", **activity_fields())
    phone.sync()
    tablet.sync()
    phone.upsert("activity", record_id, minutes=120)
    tablet.upsert("activity", record_id, note="Ausländerbehörde")
    phone.sync()
    trip = tablet.sync_once()
    assert trip.results[0]["status"] == "merged"
    phone.sync()
    tablet.sync()
    for device in (phone, tablet):
        data = device.record("activity", record_id)
        assert (data["minutes"], data["note"]) == (120, "Ausländerbehörde")


def test_same_field_later_arrival_wins_and_loser_is_kept(make_device, guide):
    phone, tablet = make_device(guide), make_device(guide, "tablet")
    record_id = phone.upsert("activity", **activity_fields())
    phone.sync()
    tablet.sync()
    phone.upsert("activity", record_id, minutes=120)
    tablet.upsert("activity", record_id, minutes=45)
    phone.sync()
    trip = tablet.sync_once()
    assert trip.results[0]["status"] == "conflict"
    conflict_id = trip.results[0]["conflict_id"]
    phone.sync()
    tablet.sync()
    for device in (phone, tablet):
        assert device.record("activity", record_id)["minutes"] == 45
        conflict = device.record("conflict", conflict_id)
        assert conflict["field"] == "minutes"
        assert (conflict["kept_value"], conflict["lost_value"]) == (45, 120)


def test_delete_reaches_other_phone_as_tombstone(make_device, guide):
    phone, tablet = make_device(guide), make_device(guide, "tablet")
    record_id = phone.upsert("activity", **activity_fields())
    phone.sync()
    tablet.sync()
    phone.delete("activity", record_id)
    phone.sync()
    tablet.sync()
    assert tablet.record("activity", record_id) is None


def test_another_guides_records_never_arrive_and_cannot_be_changed(make_device, guide, make_user, org):
    other = make_user(org, "guide", "olga@example.org", "Olga Petrenko")
    mine, theirs = make_device(guide), make_device(other)
    record_id = mine.upsert("activity", **activity_fields())
    mine.sync()
    theirs.sync()
    assert theirs.records("activity") == {}
    theirs.upsert("activity", record_id, minutes=5)
    trip = theirs.sync_once()
    assert trip.results[0]["status"] == "rejected"
    assert trip.results[0]["error"]["code"] == "forbidden"
    mine.sync()
    assert mine.record("activity", record_id)["minutes"] == 90


def coordinator_author(coordinator):
    from sync.merge import Author

    return Author(role="coordinator", user_id=coordinator.id)


def test_coordinator_value_beats_guide_and_guide_sees_conflict(make_device, guide, coordinator, org):
    from server.extensions import db
    from sync.coordinator import edit_record

    phone = make_device(guide)
    record_id = phone.upsert("activity", **activity_fields())
    phone.sync()
    edit_record(db.session, coordinator_author(coordinator), org.id, "activity", record_id, {"minutes": 60})
    db.session.commit()
    phone.upsert("activity", record_id, minutes=75)  # offline edit from the old version
    trip = phone.sync_once()
    assert trip.results[0]["status"] == "conflict"
    phone.sync()
    assert phone.record("activity", record_id)["minutes"] == 60
    conflict = phone.record("conflict", trip.results[0]["conflict_id"])
    assert (conflict["kept_value"], conflict["lost_value"], conflict["lost_by"]) == (60, 75, "guide")


def test_approved_activity_is_locked_for_the_guide(make_device, guide, coordinator, org):
    from server.activities.review import approve_activity
    from server.extensions import db

    phone = make_device(guide)
    record_id = phone.upsert("activity", **activity_fields())
    phone.sync()
    approve_activity(db.session, coordinator_author(coordinator), org.id, record_id)
    db.session.commit()
    phone.upsert("activity", record_id, minutes=10)
    trip = phone.sync_once()
    assert trip.results[0]["status"] == "rejected"
    assert trip.results[0]["error"]["code"] == "locked"
    assert trip.results[0]["error"]["state"] == "approved"
    phone.sync()
    data = phone.record("activity", record_id)
    assert (data["minutes"], data["state"]) == (90, "approved")


def test_claim_submits_open_expenses_of_the_month_and_locks_them(make_device, guide, coordinator, org):
    from server.expenses.operations import set_expense_state
    from server.extensions import db

    phone = make_device(guide)
    ticket = phone.upsert("expense", date="2026-11-03", category="public_transport", amount_cents=320,
                          description="GVH Einzelfahrt")
    car = phone.upsert("expense", date="2026-11-10", category="mileage", km=12, amount_cents=1)
    december = phone.upsert("expense", date="2026-12-01", category="phone", amount_cents=500)
    phone.sync()
    assert phone.record("expense", car)["amount_cents"] == 12 * 30  # computed by the server
    claim = phone.upsert("claim", month="2026-11", state="submitted")
    phone.sync()
    assert phone.record("claim", claim)["total_cents"] == 320 + 360
    assert phone.record("expense", ticket)["state"] == "submitted"
    assert phone.record("expense", december)["state"] == "open"
    phone.upsert("expense", ticket, amount_cents=9999)
    trip = phone.sync_once()
    assert trip.results[0]["error"]["code"] == "locked"
    set_expense_state(db.session, coordinator_author(coordinator), org.id, ticket, "approved")
    set_expense_state(db.session, coordinator_author(coordinator), org.id, car, "rejected", "Bitte Fahrtstrecke angeben")
    db.session.commit()
    phone.sync()
    assert phone.record("expense", ticket)["state"] == "approved"
    assert phone.record("expense", car)["rejection_reason"] == "Bitte Fahrtstrecke angeben"
    assert phone.record("claim", claim)["state"] == "decided"
