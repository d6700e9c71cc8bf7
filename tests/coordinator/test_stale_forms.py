"""A desk form that edits a synced record carries the version and values it was opened at (issue #16,
item 3): fields the coordinator did not change are not edits, so the phone's change made meanwhile stands;
a field both changed is shown to her (409, both values, nothing overwritten) until she saves again.
Every such form: the activity in review, the guide's competence profile (the phone writes it too) and
the assignment's agreement (a colleague at another desk). Simulated phones sync through the API."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from server.activities.models import Activity
from server.extensions import db
from tests.api.helpers import make_assignment
from tests.syncing.conftest import activity_fields


class _FormReader(HTMLParser):
    """What a browser would send for the form posting to `action`: inputs, selects, textareas."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self._select: str | None = None
        self._textarea: str | None = None
        self._first_option: tuple[str, str] | None = None
        self._chosen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = unescape(a.get("action", "")) == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif a.get("type") not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._first_option, self._chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = (self._select, a.get("value", ""))
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
                self._chosen = True
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields.append((self._textarea or "", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            if not self._chosen and self._first_option:
                self.fields.append(self._first_option)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value.removeprefix("\r\n").removeprefix("\n"))
            self._textarea = None


def form_of(html: str, action: str, **changes: str) -> dict[str, Any]:
    reader = _FormReader(action)
    reader.feed(html)
    fields: dict[str, Any] = {}
    for name, value in reader.fields:
        fields.setdefault(name, []).append(value)
    assert "version" in fields and "opened" in fields, f"the form {action} carries no opened version/values"
    fields.update({k: [v] for k, v in changes.items()})
    return fields


# ------------------------------------------------------------------ activities in review

def test_an_untouched_field_keeps_the_phones_edit_made_meanwhile(signed_in, world, make_device):
    phone = make_device(world.guide_a)
    record_id = phone.upsert("activity", **activity_fields(minutes=90, note="Jobcenter"))
    phone.sync()
    desk = signed_in(world.coord_a)
    url = f"/coordinator/review/{record_id}"
    opened = form_of(desk.get(url).get_data(as_text=True), url)
    # Meanwhile the guide's phone syncs a new note.
    phone.upsert("activity", record_id, note="Jobcenter, Termin verschoben auf Freitag")
    phone.sync()
    # She saves the form with only the minutes changed.
    opened["minutes"] = ["120"]
    response = desk.post(url, data=opened)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    activity = db.session.get(Activity, record_id)
    assert (activity.minutes, activity.note) == (120, "Jobcenter, Termin verschoben auf Freitag")
    phone.sync()
    assert phone.record("activity", record_id)["note"] == "Jobcenter, Termin verschoben auf Freitag"
    assert phone.record("activity", record_id)["minutes"] == 120


def test_a_real_clash_is_shown_with_both_values_and_overwrites_nothing(signed_in, world, make_device):
    phone = make_device(world.guide_a)
    record_id = phone.upsert("activity", **activity_fields(note="Jobcenter"))
    phone.sync()
    desk = signed_in(world.coord_a)
    url = f"/coordinator/review/{record_id}"
    opened = form_of(desk.get(url).get_data(as_text=True), url)
    phone.upsert("activity", record_id, note="Vom Handy: Ausländerbehörde")
    phone.sync()
    opened["note"] = ["Vom Schreibtisch: Jobcenter Mitte"]
    response = desk.post(url, data=opened)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Vom Handy: Ausländerbehörde" in html and "Vom Schreibtisch: Jobcenter Mitte" in html
    db.session.expire_all()
    assert db.session.get(Activity, record_id).note == "Vom Handy: Ausländerbehörde"
    # Saving the re-rendered form again is her decision: her value wins now.
    again = form_of(html, url)
    assert again["note"] == ["Vom Schreibtisch: Jobcenter Mitte"]
    assert desk.post(url, data=again).status_code == 302
    db.session.expire_all()
    assert db.session.get(Activity, record_id).note == "Vom Schreibtisch: Jobcenter Mitte"


def test_a_form_without_opened_values_never_overwrites_a_newer_phone_edit(signed_in, world, make_device):
    """An old form (no opened values, only its version): every differing field counts as hers, and one
    the phone changed since is a clash, not a silent overwrite."""
    phone = make_device(world.guide_a)
    record_id = phone.upsert("activity", **activity_fields(note="Jobcenter"))
    phone.sync()
    version = db.session.scalar(select(Activity.version).where(Activity.id == record_id))
    phone.upsert("activity", record_id, note="Neu vom Handy")
    phone.sync()
    desk = signed_in(world.coord_a)
    data = {"date": "2026-11-20", "minutes": "45", "kind": "accompaniment", "district": "", "note": "Jobcenter",
            "version": str(version), "opened": "forged"}
    response = desk.post(f"/coordinator/review/{record_id}", data=data)
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Activity, record_id).note == "Neu vom Handy"
    assert db.session.get(Activity, record_id).minutes == 90


# ------------------------------------------------------------------ the guide's competence profile

def _profile_id(phone: Any) -> str:
    phone.sync()
    return next(record_id for (kind, record_id) in phone.records("profile") if kind == "profile")


def test_the_profile_form_keeps_the_phones_edit_and_shows_a_clash(signed_in, world, make_device):
    from server.guides.models import GuideProfile

    phone = make_device(world.guide_a)
    profile_id = _profile_id(phone)
    desk = signed_in(world.coord_a)
    page, action = f"/coordinator/guides/{world.guide_a.id}", f"/coordinator/guides/{world.guide_a.id}/profile"
    opened = form_of(desk.get(page).get_data(as_text=True), action)
    phone.upsert("profile", profile_id, availability="Dienstags und donnerstags")
    phone.sync()
    opened["monthly_hour_limit"] = ["12"]
    response = desk.post(action, data=opened)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    profile = db.session.get(GuideProfile, profile_id)
    assert (profile.availability, profile.monthly_hour_limit) == ("Dienstags und donnerstags", 12)

    opened = form_of(desk.get(page).get_data(as_text=True), action)
    phone.upsert("profile", profile_id, phone="0511 123456")
    phone.sync()
    opened["phone"] = ["0176 999"]
    response = desk.post(action, data=opened)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "0511 123456" in html and "0176 999" in html
    db.session.expire_all()
    assert db.session.get(GuideProfile, profile_id).phone == "0511 123456"


# ------------------------------------------------------------------ the assignment's agreement

def test_the_agreement_form_keeps_a_colleagues_edit_and_shows_a_clash(signed_in, world, make_user):
    from server.assignments.models import Assignment

    assignment_id = make_assignment(world.org_a, guide_id=world.guide_a.id)
    colleague = make_user(world.org_a, "coordinator", "colleague@example.org", "Carla Kollegin")
    mine, theirs = signed_in(world.coord_a), signed_in(colleague)
    url = f"/coordinator/assignments/{assignment_id}"
    opened = form_of(mine.get(url).get_data(as_text=True), url)
    other = form_of(theirs.get(url).get_data(as_text=True), url, description="Termine immer vormittags")
    assert theirs.post(url, data=other).status_code == 302
    opened["planned_hours"] = ["10"]
    assert mine.post(url, data=opened).status_code == 302
    db.session.expire_all()
    assignment = db.session.get(Assignment, assignment_id)
    assert (assignment.description, assignment.planned_minutes) == ("Termine immer vormittags", 600)

    opened = form_of(mine.get(url).get_data(as_text=True), url, title="Begleitung Jobcenter Mitte")
    other = form_of(theirs.get(url).get_data(as_text=True), url, title="Begleitung Sozialamt")
    assert theirs.post(url, data=other).status_code == 302
    response = mine.post(url, data=opened)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Begleitung Sozialamt" in html and "Begleitung Jobcenter Mitte" in html
    db.session.expire_all()
    assert db.session.get(Assignment, assignment_id).title == "Begleitung Sozialamt"
    assert re.search(r'name="opened" type="hidden" value="[^"]+"', html)
