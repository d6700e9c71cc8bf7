"""Messages from the desk: to one guide or all guides of the coordinator's own organization; each guide
gets her own record (type `message`) on her phones, may write only `read_at`, and the desk sees who read
it. A forged recipient is a 404 and queues nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from server.extensions import db
from server.messages.models import Message
from server.outbox.models import OutboxMessage


def messages_count() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(Message)) or 0)


def outbox_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def test_a_message_to_one_guide_reaches_her_phone_only(org, guide, coordinator, make_user, make_device,
                                                       signed_desk, subscribe):
    other = make_user(org, "guide", "olga@example.org", "Olga Petrova")
    phone, others_phone = make_device(guide), make_device(other)
    subscribe(phone)
    desk = signed_desk(coordinator)
    page = desk.get("/coordinator/messages").get_data(as_text=True)
    assert 'href="/coordinator/messages"' in page and "Ayşe Demir" in page and "Olga Petrova" in page
    response = desk.post("/coordinator/messages", data={"recipient": str(guide.id), "body": "Bitte Belege bis Freitag."})
    assert response.status_code == 302
    phone.sync()
    others_phone.sync()
    (record,) = phone.records("message").values()
    assert record["body"] == "Bitte Belege bis Freitag." and record["sender_name"] == "Maria Weber"
    assert record["read_at"] is None and record["to_all"] is False
    assert others_phone.records("message") == {}
    assert outbox_count() == 1  # one push, to the one subscribed phone
    listing = desk.get("/coordinator/messages").get_data(as_text=True)
    assert "Bitte Belege bis Freitag." in listing and "0 / 1" in listing


def test_a_message_to_all_reaches_every_active_guide_of_the_organization_only(
        org, guide, coordinator, make_user, make_org, make_device, signed_desk):
    other = make_user(org, "guide", "olga@example.org", "Olga Petrova")
    elsewhere = make_user(make_org("awo", "AWO"), "guide", "bo@example.org", "Bo Elsewhere")
    phones = [make_device(guide), make_device(other), make_device(elsewhere)]
    desk = signed_desk(coordinator)
    response = desk.post("/coordinator/messages", data={"recipient": "all", "body": "Plenum am 10.12. im Raum 3"},
                         follow_redirects=True)
    assert "Die Nachricht wurde an 2 Lotsinnen und Lotsen geschickt." in response.get_data(as_text=True)
    for phone in phones:
        phone.sync()
    assert [len(p.records("message")) for p in phones] == [1, 1, 0]
    assert messages_count() == 2


def test_read_state_syncs_back_and_is_all_a_guide_may_write(org, guide, coordinator, make_device, signed_desk):
    phone, tablet = make_device(guide, "phone"), make_device(guide, "tablet")
    desk = signed_desk(coordinator)
    desk.post("/coordinator/messages", data={"recipient": str(guide.id), "body": "Danke für alles!"})
    phone.sync()
    (message_id,) = [rid for _type, rid in phone.records("message")]
    phone.upsert("message", message_id, read_at="2026-12-04T09:15:00Z")
    phone.sync()
    tablet.sync()
    assert tablet.record("message", message_id)["read_at"] == "2026-12-04T09:15:00Z"  # read on every phone
    assert "1 / 1" in desk.get("/coordinator/messages").get_data(as_text=True)
    # The text, the sender and new messages are the office's.
    from tests.api.conftest import auth, mutation

    client = desk  # same app
    body = client.post("/api/v1/sync", json={"cursor": None, "mutations": [
        mutation("message", message_id, body="geändert"),
        mutation("message", message_id, read_at="gestern"),
        mutation("message", None, read_at="2026-12-04T09:15:00Z"),
    ]}, headers=auth(phone.token, "de")).get_json()
    statuses = [(r["status"], r.get("error", {}).get("code")) for r in body["results"]]
    assert statuses == [("rejected", "invalid"), ("rejected", "invalid"), ("rejected", "not_found")]
    assert db.session.get(Message, message_id).body == "Danke für alles!"
    assert messages_count() == 1


def test_another_organizations_guide_is_a_404_and_nothing_is_queued(org, guide, coordinator, make_user, make_org,
                                                                   make_device, signed_desk, subscribe):
    elsewhere = make_user(make_org("awo", "AWO"), "guide", "bo@example.org", "Bo Elsewhere")
    subscribe(make_device(elsewhere))
    desk = signed_desk(coordinator)
    for forged in (str(elsewhere.id), "999999", "99999999999999", "-1", "all; DROP", str(coordinator.id)):
        response = desk.post("/coordinator/messages", data={"recipient": forged, "body": "Hallo"})
        assert response.status_code in (400, 404), forged
    assert messages_count() == 0 and outbox_count() == 0


def test_empty_or_too_long_messages_are_refused_with_the_form_again(org, guide, coordinator, signed_desk):
    desk = signed_desk(coordinator)
    for body in ("", "   ", "x" * 1001):
        response = desk.post("/coordinator/messages", data={"recipient": str(guide.id), "body": body})
        assert response.status_code == 400
        assert 'class="field-error"' in response.get_data(as_text=True)
    assert messages_count() == 0


def test_guides_and_signed_out_visitors_cannot_send(client: Any, org, guide):
    response = client.post("/coordinator/messages", data={"recipient": "all", "body": "Hallo"})
    assert response.status_code in (302, 401, 403)
    assert messages_count() == 0
