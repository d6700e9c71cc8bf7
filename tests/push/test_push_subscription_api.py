"""PUT/GET/DELETE /api/v1/push-subscription: one subscription per device, authenticated by its token;
bad input is a clear 400 that stores nothing; the subscription goes with sign-out and revocation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.push.models import PushSubscription
from tests.api.conftest import auth

URL = "/api/v1/push-subscription"


def count() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(PushSubscription)) or 0)


def test_get_gives_the_servers_public_key_and_put_stores_per_device(client, guide, make_device, push_service):
    phone, tablet = make_device(guide, "phone"), make_device(guide, "tablet")
    before = client.get(URL, headers=auth(phone.token)).get_json()
    assert before["subscribed"] is False and len(before["public_key"]) == 87  # 65 bytes, base64url
    first, second = push_service.subscribe(), push_service.subscribe()
    assert client.put(URL, json=first.as_json(), headers=auth(phone.token)).get_json()["subscribed"] is True
    assert client.put(URL, json=second.as_json(), headers=auth(tablet.token)).status_code == 200
    assert count() == 2
    renewed = push_service.subscribe()  # the browser renewed the phone's subscription: it replaces the old one
    client.put(URL, json=renewed.as_json(), headers=auth(phone.token))
    assert count() == 2
    state = client.get(URL, headers=auth(phone.token)).get_json()
    assert state == {"public_key": before["public_key"], "subscribed": True, "endpoint": renewed.endpoint}


def test_delete_forgets_only_this_devices_subscription_and_is_idempotent(client, guide, make_device,
                                                                           push_service):
    phone, tablet = make_device(guide, "phone"), make_device(guide, "tablet")
    client.put(URL, json=push_service.subscribe().as_json(), headers=auth(phone.token))
    client.put(URL, json=push_service.subscribe().as_json(), headers=auth(tablet.token))
    assert client.delete(URL, headers=auth(phone.token)).status_code == 204
    assert client.delete(URL, headers=auth(phone.token)).status_code == 204
    assert count() == 1
    assert client.get(URL, headers=auth(tablet.token)).get_json()["subscribed"] is True


def _valid(push_service: Any) -> dict[str, Any]:
    return push_service.subscribe().as_json()


@pytest.mark.parametrize("mangle", [
    lambda s: {**s, "endpoint": "https://10.0.0.5/push/x"},  # the office's own network
    lambda s: {**s, "endpoint": "http://push.example.org/x"},  # not https
    lambda s: {**s, "endpoint": "file:///etc/passwd"},
    lambda s: {**s, "endpoint": 42},
    lambda s: {**s, "keys": {"p256dh": "A" * 87, "auth": s["keys"]["auth"]}},  # not a P-256 point
    lambda s: {**s, "keys": {"p256dh": s["keys"]["p256dh"], "auth": "short"}},
    lambda s: {**s, "keys": "none"},
    lambda s: {"endpoint": s["endpoint"]},
    lambda s: [s],
])
def test_bad_subscriptions_are_refused_with_a_translated_400_and_store_nothing(client, guide, make_device,
                                                                               push_service, mangle):
    phone = make_device(guide)
    response = client.put(URL, json=mangle(_valid(push_service)), headers=auth(phone.token, "de"))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["message"]
    assert count() == 0


def test_malformed_json_wrong_content_type_and_huge_bodies_are_4xx(client, guide, make_device):
    phone = make_device(guide)
    headers = auth(phone.token)
    assert client.put(URL, data="{not json", headers={**headers, "Content-Type": "application/json"}).status_code == 400
    assert client.put(URL, data="endpoint=x", headers={**headers, "Content-Type": "text/plain"}).status_code in (400, 415)
    huge = {"endpoint": "https://push.example.org/" + "x" * 5000, "keys": {"p256dh": "x", "auth": "y"}}
    assert client.put(URL, json=huge, headers=headers).status_code == 400
    assert count() == 0


def test_without_a_valid_device_token_nothing_is_stored(client, push_service):
    assert client.put(URL, json=_valid(push_service)).status_code == 401
    assert client.put(URL, json=_valid(push_service), headers=auth("forged-token")).status_code == 401
    assert client.get(URL).status_code == 401
    assert count() == 0


def test_revoking_a_device_at_the_desk_removes_its_subscription(client, org, guide, coordinator, make_device,
                                                                 push_service, signed_desk):
    phone, tablet = make_device(guide, "phone"), make_device(guide, "tablet")
    client.put(URL, json=_valid(push_service), headers=auth(phone.token))
    client.put(URL, json=_valid(push_service), headers=auth(tablet.token))
    desk = signed_desk(coordinator)
    device_id = phone._meta("device_id")
    assert desk.post(f"/coordinator/guides/{guide.id}/devices/{device_id}/revoke").status_code == 302
    assert count() == 1
    assert db.session.get(PushSubscription, device_id) is None
    assert client.get(URL, headers=auth(phone.token)).status_code == 401
