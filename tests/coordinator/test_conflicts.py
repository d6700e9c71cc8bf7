"""The conflicts inbox: both values side by side; keep, restore or write a new value; the phone sees it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.extensions import db
from sync.coordinator import edit_record
from sync.merge import Author
from sync.tables import Conflict
from tests.syncing.conftest import activity_fields


def _conflict_on_note(world, make_device):
    """The guide edits a note offline while the coordinator corrects the same note: the guide's value loses."""
    phone = make_device(world.guide_a, "Ayşes Handy")
    record_id = phone.upsert("activity", **activity_fields(note="Jobcenter"))
    phone.sync()
    phone.upsert("activity", record_id, note="Jobcenter, Termin verschoben")  # offline edit, base version 1
    edit_record(db.session, Author(role="coordinator", user_id=world.coord_a.id), world.org_a.id, "activity",
                record_id, {"note": "Jobcenter Mitte"})
    db.session.commit()
    phone.sync()
    conflict = db.session.scalar(select(Conflict).where(Conflict.record_id == record_id))
    assert conflict is not None and not conflict.resolved
    return phone, record_id, conflict


def test_inbox_shows_both_values(signed_in, world, make_device):
    _phone, _record_id, conflict = _conflict_on_note(world, make_device)
    html = signed_in(world.coord_a).get("/coordinator/conflicts").get_data(as_text=True)
    assert conflict.kept_value in html and conflict.lost_value in html
    assert "Ayşes Handy" in html and world.guide_a.name in html
    assert "Jobcenter Mitte" not in signed_in(world.coord_b).get("/coordinator/conflicts").get_data(as_text=True)


@pytest.mark.parametrize(("choice", "value", "expected"), [
    ("kept", None, "Jobcenter Mitte"),
    ("lost", None, "Jobcenter, Termin verschoben"),
    ("new", "Jobcenter Mitte, Termin verschoben", "Jobcenter Mitte, Termin verschoben"),
])
def test_resolution_reaches_the_phone(signed_in, world, make_device, choice, value, expected):
    phone, record_id, conflict = _conflict_on_note(world, make_device)
    data = {"choice": choice}
    if value is not None:
        data["value"] = value
    response = signed_in(world.coord_a).post(f"/coordinator/conflicts/{conflict.id}/resolve", data=data)
    assert response.status_code == 302
    phone.sync()
    assert phone.record("activity", record_id)["note"] == expected
    on_phone = phone.record("conflict", conflict.id)
    assert on_phone["resolved"] is True
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conflict.resolved"))
    assert event.details["choice"] == choice
    # Deciding twice changes nothing.
    again = signed_in(world.coord_a).post(f"/coordinator/conflicts/{conflict.id}/resolve", data={"choice": "lost"})
    assert again.status_code == 302
    phone.sync()
    assert phone.record("activity", record_id)["note"] == expected


def test_an_invalid_new_value_is_refused(signed_in, world, make_device):
    phone, record_id, conflict = _conflict_on_note(world, make_device)
    browser = signed_in(world.coord_a)
    response = browser.post(f"/coordinator/conflicts/{conflict.id}/resolve", data={"choice": "new", "value": "x" * 2001})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Conflict, conflict.id).resolved
