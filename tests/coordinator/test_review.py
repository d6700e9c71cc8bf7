"""Review of synced activities: filters, correcting an entry (reaches the phone), approving one or many
(locks the entry on the phone), audited."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from server.activities.models import Activity
from server.audit.models import AuditEvent
from server.extensions import db
from tests.syncing.conftest import activity_fields


def _synced_activity(phone, **overrides):
    record_id = phone.upsert("activity", **activity_fields(**overrides))
    phone.sync()
    return record_id


def test_filters_and_pagination(signed_in, world, add_activity):
    add_activity(world.guide_a, world.org_a, dt.date(2026, 3, 1), kind="meeting", note="Elternabend")
    add_activity(world.guide_a, world.org_a, dt.date(2026, 3, 5), needs_professional_help=True, note="Hilfe nötig")
    add_activity(world.guide_a, world.org_a, dt.date(2026, 4, 1), state="approved", note="Behördengang")
    add_activity(world.guide_b, world.org_b, dt.date(2026, 3, 2), note="Andere Organisation")
    browser = signed_in(world.coord_a)

    def notes(query: str) -> list[str]:
        html = browser.get(f"/coordinator/review?{query}").get_data(as_text=True)
        return [n for n in ("Elternabend", "Hilfe nötig", "Behördengang", "Andere Organisation") if n in html]

    assert notes("") == ["Elternabend", "Hilfe nötig"]  # it opens on what waits for a decision
    assert notes("state=") == ["Elternabend", "Hilfe nötig", "Behördengang"]  # "any"
    assert notes("flagged=1") == ["Hilfe nötig"]
    assert notes("kind=meeting") == ["Elternabend"]
    assert notes("state=approved") == ["Behördengang"]
    assert notes("from=2026-03-02&to=2026-03-31") == ["Hilfe nötig"]
    assert notes(f"guide={world.guide_b.id}") == []
    assert notes("from=not-a-date&kind=nonsense&state=") == ["Elternabend", "Hilfe nötig", "Behördengang"]

    for day in range(60):
        add_activity(world.guide_a, world.org_a, dt.date(2025, 1, 1) + dt.timedelta(days=day))
    first = browser.get("/coordinator/review?kind=accompaniment&state=").get_data(as_text=True)
    assert 'role="status">62 ' in first  # 60 + 2 accompaniments, 50 a page
    assert 'rel="next"' in first
    second = browser.get("/coordinator/review?kind=accompaniment&state=&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_dashboard_links_to_filtered_review(signed_in, world):
    html = signed_in(world.coord_a).get("/coordinator/").get_data(as_text=True)
    assert "/coordinator/review?flagged=1&amp;state=logged" in html or "/coordinator/review?state=logged&amp;flagged=1" in html
    assert 'href="/coordinator/conflicts"' in html


def test_correction_reaches_the_phone_and_is_audited(signed_in, world, make_device):
    phone = make_device(world.guide_a)
    record_id = _synced_activity(phone, minutes=90, note="Jobcenter")
    browser = signed_in(world.coord_a)
    page = browser.get(f"/coordinator/review/{record_id}")
    assert page.status_code == 200 and "Jobcenter" in page.get_data(as_text=True)
    response = browser.post(f"/coordinator/review/{record_id}", data={
        "version": "1", "date": "2026-11-20", "minutes": "75", "kind": "accompaniment", "district": "mitte",
        "travel_km": "", "note": "Jobcenter (korrigiert)"})
    assert response.status_code == 302
    phone.sync()
    record = phone.record("activity", record_id)
    assert record["minutes"] == 75 and record["note"] == "Jobcenter (korrigiert)" and record["district"] == "mitte"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.corrected"))
    assert event.object_id == record_id and set(event.details["fields"]) == {"minutes", "note", "district"}


def test_invalid_correction_changes_nothing(signed_in, world, add_activity):
    activity = add_activity(world.guide_a, world.org_a, minutes=30)
    response = signed_in(world.coord_a).post(f"/coordinator/review/{activity.id}", data={
        "date": "2026-11-20", "minutes": "5000", "kind": "accompaniment"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).minutes == 30


def test_bulk_approve_locks_the_entries_on_the_phone(signed_in, world, make_device, add_activity):
    phone = make_device(world.guide_a)
    first = _synced_activity(phone, note="eins")
    second = _synced_activity(phone, note="zwei")
    other_org = add_activity(world.guide_b, world.org_b)
    browser = signed_in(world.coord_a)
    response = browser.post("/coordinator/review/approve", data={"activity": [first, second, other_org.id],
                                                                  "state": "logged"})
    assert response.status_code == 302 and "state=logged" in response.location
    db.session.expire_all()
    assert {db.session.get(Activity, i).state for i in (first, second)} == {"approved"}
    assert db.session.get(Activity, other_org.id).state == "logged"  # another organization's: untouched
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.approved_bulk"))
    assert event.details["count"] == 2

    phone.sync()
    assert phone.record("activity", first)["state"] == "approved"
    phone.upsert("activity", first, minutes=10)
    phone.sync()
    rejected = phone.rejections()
    assert rejected and rejected[0]["error"]["code"] == "locked"
    assert phone.record("activity", first)["minutes"] == 90


def test_approve_one(signed_in, world, add_activity):
    activity = add_activity(world.guide_a, world.org_a)
    response = signed_in(world.coord_a).post(f"/coordinator/review/{activity.id}/approve", data={"from": "detail"})
    assert response.status_code == 302 and response.location.endswith(f"/coordinator/review/{activity.id}")
    db.session.expire_all()
    approved = db.session.get(Activity, activity.id)
    assert approved.state == "approved" and approved.approved_by_id == world.coord_a.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.approved")) is not None


def test_review_flows_actions_say_what_they_do_and_bulk_covers_page_and_filter(signed_in, world, add_activity):
    for day in range(55):
        add_activity(world.guide_a, world.org_a, dt.date(2026, 1, 1) + dt.timedelta(days=day))
    done = add_activity(world.guide_a, world.org_a, dt.date(2026, 3, 1), state="approved")
    elsewhere = add_activity(world.guide_b, world.org_b, dt.date(2026, 1, 1))
    browser = signed_in(world.coord_a)
    html = browser.get("/coordinator/review").get_data(as_text=True)
    assert 'role="status">55 ' in html and "Offen<" not in html  # the waiting ones; the action is a verb
    assert html.count("Prüfen und freigeben") == 50 and "Ansehen" not in html
    assert "Die 50 wartenden Aktivitäten dieser Seite freigeben" in html
    assert "Alle wartenden Aktivitäten dieser Filter freigeben" in html
    assert "Ansehen" in browser.get("/coordinator/review?state=approved").get_data(as_text=True)

    # "This page" approves the page shown, nothing else.
    page_ids = re.findall(r'name="page_activity" value="([^"]+)"', html)
    response = browser.post("/coordinator/review/approve", data={"scope": "page", "page_activity": page_ids,
                                                                  "state": "logged"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Activity).where(
        Activity.organization_id == world.org_a.id, Activity.state == "logged")) == 5
    # "Everything these filters find", on every page: the other organization's stays as it was.
    browser.post("/coordinator/review/approve", data={"scope": "all", "state": "logged"})
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Activity).where(
        Activity.organization_id == world.org_a.id, Activity.state == "logged")) == 0
    assert db.session.get(Activity, elsewhere.id).state == "logged"
    assert db.session.get(Activity, done.id).approved_at is None  # approved before (by the test): not again


def test_the_detail_shows_the_assignment(signed_in, world, add_activity):
    from server.assignments.models import Assignment, Client

    client = Client(organization_id=world.org_a.id, code="K-2026-007", language="tr")
    db.session.add(client)
    db.session.flush()
    assignment = Assignment(organization_id=world.org_a.id, guide_id=world.guide_a.id, client_id=client.id,
                            title="Begleitung Schulanmeldung", starts_on=dt.date(2026, 1, 1), state="active")
    db.session.add(assignment)
    db.session.commit()
    linked = add_activity(world.guide_a, world.org_a, assignment_id=assignment.id)
    loose = add_activity(world.guide_a, world.org_a)
    browser = signed_in(world.coord_a)
    html = browser.get(f"/coordinator/review/{linked.id}").get_data(as_text=True)
    assert "Begleitung Schulanmeldung" in html and "K-2026-007" in html
    assert f'href="/coordinator/assignments/{assignment.id}"' in html
    assert "Keinem Einsatz zugeordnet." in browser.get(f"/coordinator/review/{loose.id}").get_data(as_text=True)
