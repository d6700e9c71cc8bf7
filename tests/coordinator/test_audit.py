"""The audit log page: filters, CSV export, and both being audited themselves."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from server.audit.log import record_event
from server.audit.models import AuditEvent
from server.extensions import db


def _seed(world):
    at = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    for action, actor, org, day in (
        ("device.revoked", world.coord_a, world.org_a, 0),
        ("guide.profile_edited", world.coord_a, world.org_a, 5),
        ("guide.profile_edited", world.admin, world.org_a, 20),
        ("guide.profile_edited", world.coord_b, world.org_b, 5),
    ):
        event = record_event(action, org.id, actor_user_id=actor.id, object_type="profile", object_id="p-1",
                             details={"fields": ["phone"]})
        event.at = at + dt.timedelta(days=day)
    record_event("device.enrolment_code_issued", world.org_a.id, object_id="=cmd|' /C calc'!A0")
    db.session.commit()


def _csv(response):
    """German (the default language) CSV: UTF-8 with BOM, ";" between cells."""
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def test_audit_log_filters(signed_in, world):
    _seed(world)
    browser = signed_in(world.coord_a)
    html = browser.get("/coordinator/audit?action=guide").get_data(as_text=True)
    assert html.count('data-action="guide.profile_edited"') == 2  # never organization B's
    html = browser.get(f"/coordinator/audit?action=guide.profile_edited&actor={world.admin.id}").get_data(as_text=True)
    assert html.count('data-action="guide.profile_edited"') == 1 and "Ada Admin" in html
    html = browser.get("/coordinator/audit?action=guide.profile_edited&from=2026-03-12&to=2026-03-20"
                       ).get_data(as_text=True)
    assert html.count('data-action="guide.profile_edited"') == 1
    html = browser.get("/coordinator/audit?from=2026-03-10&to=2026-03-10").get_data(as_text=True)
    assert 'data-action="device.revoked"' in html and 'data-action="guide.profile_edited"' not in html
    # Opening the log is itself recorded, with the filters used.
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.viewed")).all()
    assert len(viewed) == 4 and viewed[-1].details["from"] == "2026-03-10"
    assert {e.organization_id for e in viewed} == {world.org_a.id}


def test_audit_log_csv_export(signed_in, world):
    _seed(world)
    browser = signed_in(world.coord_a)
    response = browser.get("/coordinator/audit.csv?action=guide.profile_edited")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert [r["actor_email"] for r in rows] == ["admin@example.org", "coord-a@example.org"]
    assert rows[0]["details"] == '{"fields": ["phone"]}'
    everything = _csv(browser.get("/coordinator/audit.csv"))
    assert "coord-b@example.org" not in {r["actor_email"] for r in everything}
    # A cell a spreadsheet would run as a formula is defused.
    assert any(r["object_id"].startswith("'=cmd") for r in everything)
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.exported")).all()
    assert len(exported) == 2 and exported[0].actor_user_id == world.coord_a.id
