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
