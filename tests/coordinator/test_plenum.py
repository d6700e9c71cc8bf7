"""The monthly plenum: attendance taken on the page becomes a `plenum` activity on each guide's phone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from server.activities.models import Activity, PlenumAttendance, PlenumEvent
from server.audit.models import AuditEvent
from server.extensions import db


def test_create_a_plenum_and_take_attendance(signed_in, world, make_user, make_device):
    olga = make_user(world.org_a, "guide", "olga@example.org", "Olga Plenum")
    ayse_phone, olga_phone = make_device(world.guide_a), make_device(olga)
    browser = signed_in(world.coord_a)
    response = browser.post("/coordinator/plenum", data={"date": "2026-03-04", "minutes": "120",
                                                         "title": "Plenum März", "location": "VHS, Raum 2"})
    assert response.status_code == 302
    event = db.session.scalar(select(PlenumEvent))
    assert (event.organization_id, event.minutes, event.title) == (world.org_a.id, 120, "Plenum März")
    assert response.location == f"/coordinator/plenum/{event.id}"
    page = browser.get(response.location).get_data(as_text=True)
    assert "Olga Plenum" in page and "Ayşe Guide-A" in page and "Boris Guide-B" not in page

    # Both attended.
    assert browser.post(f"/coordinator/plenum/{event.id}/attendance",
                        data={"guides": [str(world.guide_a.id), str(olga.id)]}).status_code == 302
    activities = db.session.scalars(select(Activity).where(Activity.plenum_event_id == event.id)).all()
    assert sorted(a.guide_id for a in activities) == sorted([world.guide_a.id, olga.id])
    assert {(a.kind, a.minutes, a.date) for a in activities} == {("plenum", 120, dt.date(2026, 3, 4))}
    rows = db.session.scalars(select(PlenumAttendance)).all()
    assert {r.activity_id for r in rows} == {a.id for a in activities}
    ayse_phone.sync()
    olga_phone.sync()
    ayse_activity = next(a for a in activities if a.guide_id == world.guide_a.id)
    seen = ayse_phone.record("activity", ayse_activity.id)
    assert (seen["kind"], seen["minutes"], seen["date"]) == ("plenum", 120, "2026-03-04")
    assert len(olga_phone.records("activity")) == 1
    assert ayse_phone.record("activity", next(a.id for a in activities if a.guide_id == olga.id)) is None

    # Olga was ticked by mistake: unticking deletes her activity (a tombstone reaches her phone).
    assert browser.post(f"/coordinator/plenum/{event.id}/attendance",
                        data={"guides": [str(world.guide_a.id)]}).status_code == 302
    olga_phone.sync()
    ayse_phone.sync()
    assert olga_phone.records("activity") == {}
    assert ayse_phone.record("activity", ayse_activity.id) is not None
    db.session.expire_all()
    olga_activity = db.session.scalar(select(Activity).where(Activity.guide_id == olga.id))
    assert olga_activity.deleted_at is not None
    assert [r.guide_id for r in db.session.scalars(select(PlenumAttendance))] == [world.guide_a.id]

    # Saving again changes nothing (no second activity).
    browser.post(f"/coordinator/plenum/{event.id}/attendance", data={"guides": [str(world.guide_a.id)]})
    assert db.session.scalar(select(db.func.count()).select_from(Activity).where(
        Activity.guide_id == world.guide_a.id, Activity.deleted_at.is_(None))) == 1
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("plenum.%"))))
    assert actions == ["plenum.created", "plenum.attendance_taken", "plenum.attendance_taken"]
    listing = browser.get("/coordinator/plenum").get_data(as_text=True)
    assert "Plenum März" in listing


def test_attendance_refuses_another_organizations_guide(signed_in, world):
    browser = signed_in(world.coord_a)
    browser.post("/coordinator/plenum", data={"date": "2026-03-04", "minutes": "90"})
    event = db.session.scalar(select(PlenumEvent))
    response = browser.post(f"/coordinator/plenum/{event.id}/attendance", data={"guides": [str(world.guide_b.id)]})
    assert response.status_code == 400
    assert db.session.scalar(select(Activity)) is None
    assert browser.post("/coordinator/plenum", data={"date": "", "minutes": "0"}).status_code == 400


def _event_with_attendance(browser, guides) -> PlenumEvent:
    browser.post("/coordinator/plenum", data={"date": "2026-03-04", "minutes": "120", "title": "Plenum März",
                                              "location": "VHS"})
    event = db.session.scalar(select(PlenumEvent).order_by(PlenumEvent.id.desc()))
    assert browser.post(f"/coordinator/plenum/{event.id}/attendance",
                        data={"guides": [str(g.id) for g in guides]}).status_code == 302
    return event


def _live_plenum_activities(event_id: int | None = None) -> list[Activity]:
    db.session.expire_all()
    query = select(Activity).where(Activity.kind == "plenum", Activity.deleted_at.is_(None))
    if event_id is not None:
        query = query.where(Activity.plenum_event_id == event_id)
    return list(db.session.scalars(query))


def test_edit_a_plenum_moves_its_attendance_activities(signed_in, world, make_device):
    phone = make_device(world.guide_a)
    browser = signed_in(world.coord_a)
    event = _event_with_attendance(browser, [world.guide_a])
    page = browser.get(f"/coordinator/plenum/{event.id}").get_data(as_text=True)
    assert 'id="plenum-edit"' in page and 'id="plenum-delete"' in page
    response = browser.post(f"/coordinator/plenum/{event.id}/edit", data={
        "date": "2026-03-11", "minutes": "90", "title": "Plenum (verschoben)", "location": "Rathaus"})
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.get(PlenumEvent, event.id)
    assert (event.date, event.minutes, event.title, event.location) == (
        dt.date(2026, 3, 11), 90, "Plenum (verschoben)", "Rathaus")
    [activity] = _live_plenum_activities(event.id)
    assert (activity.date, activity.minutes, activity.note) == (dt.date(2026, 3, 11), 90, "Plenum (verschoben)")
    phone.sync()
    seen = phone.record("activity", activity.id)
    assert (seen["date"], seen["minutes"]) == ("2026-03-11", 90)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plenum.edited"))
    assert sorted(audit.details["fields"]) == ["date", "location", "minutes", "title"]
    assert audit.actor_user_id == world.coord_a.id


def test_edit_refuses_bad_input_and_keeps_a_note_the_guide_wrote(signed_in, world):
    browser = signed_in(world.coord_a)
    event = _event_with_attendance(browser, [world.guide_a])
    [activity] = _live_plenum_activities(event.id)
    activity.note = "Ich habe das Protokoll geschrieben"
    db.session.commit()
    assert browser.post(f"/coordinator/plenum/{event.id}/edit",
                        data={"date": "", "minutes": "0", "title": "x"}).status_code == 400
    assert browser.post(f"/coordinator/plenum/{event.id}/edit",
                        data={"date": "2026-03-04", "minutes": "120", "title": "Neuer Titel"}).status_code == 302
    [activity] = _live_plenum_activities(event.id)
    assert activity.note == "Ich habe das Protokoll geschrieben"
    assert db.session.get(PlenumEvent, event.id).title == "Neuer Titel"


def test_approved_attendance_locks_date_and_refuses_delete(signed_in, world):
    browser = signed_in(world.coord_a)
    event = _event_with_attendance(browser, [world.guide_a])
    [activity] = _live_plenum_activities(event.id)
    assert browser.post(f"/coordinator/review/{activity.id}/approve").status_code == 302
    response = browser.post(f"/coordinator/plenum/{event.id}/edit", data={
        "date": "2026-03-11", "minutes": "120", "title": "Plenum März"})
    assert response.status_code == 400
    assert db.session.get(PlenumEvent, event.id).date == dt.date(2026, 3, 4)
    # The place may still change: it is not part of the approved hours.
    assert browser.post(f"/coordinator/plenum/{event.id}/edit", data={
        "date": "2026-03-04", "minutes": "120", "title": "Plenum März", "location": "Rathaus"}).status_code == 302
    assert browser.post(f"/coordinator/plenum/{event.id}/delete").status_code == 409
    db.session.expire_all()
    assert db.session.get(PlenumEvent, event.id) is not None
    assert [a.id for a in _live_plenum_activities(event.id)] == [activity.id]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plenum.deleted")) is None


def test_delete_a_plenum_sends_tombstones(signed_in, world, make_user, make_device):
    olga = make_user(world.org_a, "guide", "olga@example.org", "Olga Plenum")
    ayse_phone, olga_phone = make_device(world.guide_a), make_device(olga)
    browser = signed_in(world.coord_a)
    event = _event_with_attendance(browser, [world.guide_a, olga])
    # Olga was unticked once already: her earlier (deleted) activity must not block the delete either.
    browser.post(f"/coordinator/plenum/{event.id}/attendance", data={"guides": [str(world.guide_a.id)]})
    browser.post(f"/coordinator/plenum/{event.id}/attendance", data={"guides": [str(world.guide_a.id), str(olga.id)]})
    ayse_phone.sync()
    olga_phone.sync()
    assert len(ayse_phone.records("activity")) == 1 and len(olga_phone.records("activity")) == 1
    event_id = event.id
    response = browser.post(f"/coordinator/plenum/{event_id}/delete")
    assert response.status_code == 302 and response.location == "/coordinator/plenum"
    db.session.expire_all()
    assert db.session.get(PlenumEvent, event_id) is None
    assert db.session.scalar(select(PlenumAttendance)) is None
    assert _live_plenum_activities() == []
    ayse_phone.sync()
    olga_phone.sync()
    assert ayse_phone.records("activity") == {} and olga_phone.records("activity") == {}
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plenum.deleted"))
    assert audit.object_id == str(event_id) and audit.details["removed_attendance"] == sorted(
        [world.guide_a.id, olga.id])
    assert browser.get(f"/coordinator/plenum/{event_id}").status_code == 404


def test_another_organizations_plenum_cannot_be_edited_or_deleted(signed_in, world):
    event = _event_with_attendance(signed_in(world.coord_a), [world.guide_a])
    other = signed_in(world.coord_b)
    assert other.post(f"/coordinator/plenum/{event.id}/edit", data={
        "date": "2026-03-11", "minutes": "60", "title": "x"}).status_code == 404
    assert other.post(f"/coordinator/plenum/{event.id}/delete").status_code == 404
    db.session.expire_all()
    assert db.session.get(PlenumEvent, event.id).date == dt.date(2026, 3, 4)
