"""`flask --app server send-reminders` at fixed dates: each reminder goes out once (a second run the same
day sends nothing), only when due, never to a guide who switched that kind off, and as a push that holds
a category and an id (plus a month or a date), no amounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from server.extensions import db
from server.reminders.models import SentReminder
from tests.api.helpers import make_assignment


def run(app: Any) -> str:
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def sent() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(r.kind, r.dedupe_key) for r in db.session.scalars(select(SentReminder).order_by(SentReminder.id))]


def test_claim_reminder_on_the_first_days_once_per_month(app, clock, guide, make_device, subscribe, push_service,
                                                         send_due):
    clock("2026-11-20T10:00:00+01:00")
    phone = make_device(guide)
    sub = subscribe(phone)
    phone.upsert("expense", date="2026-11-03", category="public_transport", amount_cents=320, description="GVH")
    phone.upsert("expense", date="2026-11-05", category="material", amount_cents=899, description="Ordner")
    phone.sync()
    run(app)  # the 20th: not the time to claim
    clock("2026-12-01T08:30:00+01:00")
    assert "1 reminder sent." in run(app)
    assert "0 reminders sent." in run(app)  # the same day again: nothing
    clock("2026-12-03T08:30:00+01:00")
    run(app)  # and not again on the 3rd
    send_due()
    assert [r.payload for r in push_service.for_subscription(sub)] == [
        {"category": "reminder_claim", "id": "2026-11", "month": "2026-11", "count": 2}]
    assert "899" not in push_service.received[0].plaintext.decode()
    assert sent() == [("claim", "claim:2026-11")]


def test_no_claim_reminder_after_the_fifth_or_when_nothing_is_open(app, clock, guide, make_device):
    clock("2026-11-20T10:00:00+01:00")
    phone = make_device(guide)
    phone.upsert("expense", date="2026-11-03", category="public_transport", amount_cents=320, description="GVH")
    phone.sync()
    clock("2026-12-06T09:00:00+01:00")
    run(app)
    assert sent() == []
    clock("2027-01-02T09:00:00+01:00")  # December had no expenses
    run(app)
    assert sent() == []


def test_hours_reminder_after_14_days_without_an_entry_once_per_gap(app, clock, org, guide, make_device, subscribe,
                                                                    push_service, send_due):
    clock("2026-11-15T18:00:00+01:00")
    assignment_id = make_assignment(org, guide_id=guide.id)  # active since 2026-11-01
    phone = make_device(guide)
    sub = subscribe(phone)
    phone.upsert("activity", date="2026-11-15", minutes=60, kind="accompaniment", assignment_id=assignment_id,
                 note="Jobcenter", needs_professional_help=False)
    phone.sync()
    clock("2026-11-28T09:00:00+01:00")
    run(app)  # 13 days
    assert sent() == []
    clock("2026-11-29T09:00:00+01:00")
    run(app)
    run(app)
    clock("2026-11-30T09:00:00+01:00")
    run(app)  # the same gap: not again
    assert sent() == [("hours", f"hours:{assignment_id}:2026-11-15")]
    clock("2026-12-01T17:00:00+01:00")
    phone.upsert("activity", date="2026-12-01", minutes=30, kind="phone", assignment_id=assignment_id,
                 note="Telefonat", needs_professional_help=False)
    phone.sync()
    clock("2026-12-15T09:00:00+01:00")
    run(app)  # a new gap of 14 days
    assert [k for _kind, k in sent()] == [f"hours:{assignment_id}:2026-11-15", f"hours:{assignment_id}:2026-12-01"]
    send_due()
    assert [r.payload for r in push_service.for_subscription(sub)] == [
        {"category": "reminder_hours", "id": assignment_id, "days": 14},
        {"category": "reminder_hours", "id": assignment_id, "days": 14}]


def test_plenum_reminder_the_day_before_to_every_active_guide(app, clock, org, guide, make_user, make_org,
                                                              make_device, subscribe, push_service, send_due):
    from server.activities.plenum import create_event

    other = make_user(org, "guide", "olga@example.org", "Olga Petrova")
    elsewhere = make_user(make_org("awo", "AWO"), "guide", "bo@example.org", "Bo Elsewhere")
    subs = [subscribe(make_device(g)) for g in (guide, other, elsewhere)]
    event = create_event(db.session, org.id, dt.date(2026, 12, 10), 120, "Plenum", "VHS, Raum 3")
    db.session.commit()
    clock("2026-12-08T09:00:00+01:00")
    run(app)
    assert sent() == []
    clock("2026-12-09T09:00:00+01:00")
    assert "2 reminders sent." in run(app)
    run(app)
    send_due()
    expected = {"category": "reminder_plenum", "id": str(event.id), "date": "2026-12-10"}
    assert [[r.payload for r in push_service.for_subscription(s)] for s in subs] == [[expected], [expected], []]
    assert "Raum 3" not in push_service.received[0].plaintext.decode()


def test_a_guide_can_switch_a_reminder_kind_off_from_her_phone(app, clock, org, guide, make_device):
    clock("2026-11-20T10:00:00+01:00")
    phone = make_device(guide)
    phone.sync()
    ((_type, profile_id),) = phone.records("profile")
    phone.upsert("profile", profile_id, muted_reminders=["claim"])
    phone.upsert("expense", date="2026-11-03", category="public_transport", amount_cents=320, description="GVH")
    assert phone.sync() >= 1
    from server.activities.plenum import create_event

    create_event(db.session, org.id, dt.date(2026, 12, 2), 120, "Plenum", "")
    db.session.commit()
    clock("2026-12-01T09:00:00+01:00")
    run(app)
    assert sent() == [("plenum", sent()[0][1])]  # the plenum reminder still comes; the claim one does not
    phone.upsert("profile", profile_id, muted_reminders=["birthday"])  # not a reminder kind: refused
    phone.sync()
    from server.guides.models import GuideProfile

    db.session.expire_all()
    assert db.session.get(GuideProfile, profile_id).muted_reminders == ["claim"]
    assert db.session.scalar(select(func.count()).select_from(SentReminder)) == 1
