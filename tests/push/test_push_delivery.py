"""Pushes reach the push service encrypted for the phone (RFC 8291), signed with the server's VAPID key,
with nothing personal inside: a category and a record id. A 410 from the push service removes the
subscription. Each coordinator action queues one push per subscribed device, in its own transaction,
and every push is in the audit log without its content."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from server.audit.models import AuditEvent
from server.expenses.models import Claim, Expense
from server.extensions import db
from server.outbox.models import OutboxMessage
from server.push.models import PushSubscription
from tests.api.conftest import auth
from tests.api.helpers import coordinator_author

PERSONAL = ("Ayşe", "Demir", "ayse@example.org", "Begleitung Jobcenter", "Maria", "Weber", "GVH", "320", "3,20")


def offer(org: Any, coordinator: Any, guides: list[Any]) -> Any:
    from server.assignments.operations import AgreementTerms, offer_assignment

    assignment = offer_assignment(db.session, coordinator_author(coordinator), org.id,
                                  AgreementTerms(title="Begleitung Jobcenter", starts_on=dt.date(2026, 12, 1)),
                                  [g.id for g in guides])
    db.session.commit()
    return assignment


def assert_nothing_personal(received: Any) -> None:
    # The record id is a random UUID: its hex digits may spell an amount ("320") by chance.
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", received.plaintext.decode())
    for word in PERSONAL:
        assert word not in text, (word, text)


def test_an_offer_arrives_encrypted_signed_and_without_personal_data(client, org, guide, coordinator, make_device,
                                                                      subscribe, push_service, send_due):
    device = make_device(guide)
    sub = subscribe(device)
    assignment = offer(org, coordinator, [guide])
    assert push_service.received == []  # queued with the offer, sent by the outbox's sender
    send_due()
    (received,) = push_service.for_subscription(sub)
    assert received.payload == {"category": "offer", "id": assignment.id}
    assert_nothing_personal(received)
    assert received.body and received.plaintext not in received.body  # really encrypted on the wire
    assert received.headers["content-encoding"] == "aes128gcm"
    assert int(received.headers["ttl"]) > 0
    public_key = client.get("/api/v1/push-subscription", headers=auth(device.token)).get_json()["public_key"]
    scheme, _sep, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid" and f"k={public_key}" in params  # signed with the key the phone subscribed with
    send_due()
    assert len(push_service.for_subscription(sub)) == 1  # sent exactly once


def test_one_push_per_subscribed_device_and_none_for_others(org, guide, coordinator, make_user, make_device,
                                                            subscribe, push_service, send_due):
    other = make_user(org, "guide", "olga@example.org", "Olga Petrova")
    phone, tablet, unsubscribed = make_device(guide, "phone"), make_device(guide, "tablet"), make_device(other)
    subs = [subscribe(phone), subscribe(tablet)]
    assignment = offer(org, coordinator, [guide, other])
    send_due()
    for sub in subs:
        assert [r.payload for r in push_service.for_subscription(sub)] == [{"category": "offer", "id": assignment.id}]
    assert len(push_service.received) == 2
    assert unsubscribed.token  # enrolled, but never subscribed: nothing for it


def test_a_410_from_the_push_service_removes_the_subscription(org, guide, coordinator, make_device, subscribe,
                                                              push_service, send_due):
    device = make_device(guide)
    sub = subscribe(device)
    push_service.gone(sub)
    offer(org, coordinator, [guide])
    send_due()
    db.session.expire_all()
    assert db.session.get(PushSubscription, device._meta("device_id")) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "push.subscription_gone")) is not None
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "push"))
    assert row is not None and row.state != "sent"
    offer(org, coordinator, [guide])  # a later offer queues nothing for the dropped subscription
    assert db.session.query(OutboxMessage).filter_by(channel="push").count() == 1


def test_withdrawn_offer_decisions_and_payment_are_pushed_with_their_record_ids(
        org, guide, coordinator, make_device, subscribe, push_service, send_due, sync_expenses):
    from server.assignments.models import AssignmentOffer
    from server.assignments.operations import withdraw_offer
    from server.money.operations import approve_remaining, decide_expense

    sub = subscribe(make_device(guide))
    assignment = offer(org, coordinator, [guide])
    withdraw_offer(db.session, coordinator_author(coordinator), assignment,
                   db.session.scalar(select(AssignmentOffer).where(AssignmentOffer.assignment_id == assignment.id)))
    db.session.commit()
    claim_id, (first, second, third) = sync_expenses(3)
    author = coordinator_author(coordinator)
    decide_expense(author, org.id, first, "rejected", "Kein Beleg")
    db.session.commit()
    approve_remaining(author, org.id, claim_id)  # one push for the lot
    db.session.commit()
    send_due()
    payloads = [r.payload for r in push_service.for_subscription(sub)]
    assert payloads == [
        {"category": "offer", "id": assignment.id},
        {"category": "offer_withdrawn", "id": assignment.id},
        {"category": "expense_decided", "id": first},
        {"category": "claim_approved", "id": claim_id, "count": 2},
    ]
    for received in push_service.received:
        assert_nothing_personal(received)
        assert "Kein Beleg" not in received.plaintext.decode()


def test_every_push_is_audited_without_its_content(org, guide, coordinator, make_device, subscribe, push_service,
                                                   send_due, signed_desk):
    device = make_device(guide)
    subscribe(device)
    desk = signed_desk(coordinator)
    response = desk.post("/coordinator/messages", data={"recipient": str(guide.id), "body": "Plenum fällt aus!"})
    assert response.status_code == 302
    send_due()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("push.%"))
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events if e.action != "push.subscribed"] == ["push.queued", "push.sent"]
    queued = next(e for e in events if e.action == "push.queued")
    assert queued.object_type == "message" and queued.device_id == device._meta("device_id")
    for event in db.session.scalars(select(AuditEvent)):
        assert "Plenum fällt aus" not in str(event.details)


def test_a_revoked_device_loses_its_subscription_and_gets_no_pushes(app, org, guide, coordinator, make_device,
                                                                     subscribe, push_service, send_due):
    device = make_device(guide)
    subscribe(device)
    result = app.test_cli_runner().invoke(args=["revoke-devices", "--email", guide.email])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(PushSubscription, device._meta("device_id")) is None
    offer(org, coordinator, [guide])
    send_due()
    assert push_service.received == []


def test_claim_paid_is_pushed_per_claim(org, guide, coordinator, make_device, subscribe, push_service, send_due,
                                        sync_expenses):
    from server.money.operations import approve_remaining, create_payout, export_payout, mark_payout_paid

    sub = subscribe(make_device(guide))
    claim_id, _ids = sync_expenses(1)
    author = coordinator_author(coordinator)
    approve_remaining(author, org.id, claim_id)
    org.bank_iban, org.bank_bic, org.bank_account_holder = "DE89370400440532013000", "COBADEFFXXX", "VHS Hannover"
    from server.guides.models import GuideProfile

    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    profile.iban, profile.bic, profile.account_holder = "DE02120300000000202051", "BYLADEM1001", "Ayse Demir"
    db.session.commit()
    payout = create_payout(author, org.id, [claim_id], [])
    export_payout(author, org.id, payout.id, dt.date(2026, 12, 10))
    mark_payout_paid(author, org.id, payout.id)
    db.session.commit()
    send_due()
    assert [r.payload["category"] for r in push_service.for_subscription(sub)] == ["claim_approved", "claim_paid"]
    assert push_service.for_subscription(sub)[-1].payload == {"category": "claim_paid", "id": claim_id}
    assert db.session.get(Claim, claim_id) is not None and db.session.get(Expense, _ids[0]).state == "paid"
