"""`POST /api/v1/enroll` and device authentication, over HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest

from tests.api.conftest import activity, auth


def enrol(client, code, lang=None, addr=None, **extra):
    headers = {"Accept-Language": lang} if lang else {}
    kwargs = {"environ_base": {"REMOTE_ADDR": addr}} if addr else {}
    return client.post("/api/v1/enroll", json={"code": code, "device_name": "Ayşes Handy", **extra},
                       headers=headers, **kwargs)


def error_of(response):
    assert response.is_json, response.data[:200]
    return response.get_json()["error"]


def test_valid_code_gives_a_random_token_of_which_only_the_hash_is_stored(client, enrol_code, guide, org):
    from sqlalchemy import select

    from server.accounts.models import Device
    from server.extensions import db

    response = enrol(client, enrol_code(guide))
    assert response.status_code == 201
    body = response.get_json()
    token = body["token"]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    assert body["guide"]["id"] == guide.id and body["organization"]["slug"] == org.slug
    device = db.session.get(Device, body["device_id"])
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert device.token_hash != token
    # The token itself is stored nowhere in the devices table.
    rows = db.session.execute(select(Device.__table__)).all()
    assert not any(token in str(value) for row in rows for value in row)
    second = enrol(client, enrol_code(guide)).get_json()["token"]
    assert second != token


@pytest.mark.parametrize("spelling", [str.lower, lambda c: f"  {c[:4]} {c[4:8]}  {c[8:]} ",
                                      lambda c: "-".join([c[:4], c[4:8], c[8:]]).lower()])
def test_code_typed_loosely_still_works(client, enrol_code, guide, spelling):
    response = enrol(client, spelling(enrol_code(guide)))
    assert response.status_code == 201, response.get_json()


def test_unknown_code(client, guide):
    response = enrol(client, "ZZZZ-ZZZZ-ZZZZ")
    assert response.status_code == 403
    assert error_of(response)["code"] == "invalid_code"


def test_used_code(client, enrol_code, guide):
    code = enrol_code(guide)
    assert enrol(client, code).status_code == 201
    response = enrol(client, code)
    assert response.status_code == 403
    assert error_of(response)["code"] == "code_used"


def test_expired_code(client, enrol_code, guide):
    from sqlalchemy import update

    from server.accounts.models import EnrolmentCode
    from server.accounts.operations import hash_secret
    from server.extensions import db
    from sync.clock import utcnow

    code = enrol_code(guide)
    db.session.execute(update(EnrolmentCode).where(EnrolmentCode.code_hash == hash_secret(code))
                       .values(expires_at=utcnow() - dt.timedelta(minutes=1)))
    db.session.commit()
    response = enrol(client, code)
    assert response.status_code == 403
    assert error_of(response)["code"] == "code_expired"


def test_malformed_json_is_a_json_400(client):
    response = client.post("/api/v1/enroll", data=b'{"code": "AB', content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


@pytest.mark.parametrize("body", [{}, {"device_name": "x"}, {"code": ""}, {"code": 5}, [], "ABCD"])
def test_missing_or_wrong_code_is_400(client, body):
    response = client.post("/api/v1/enroll", json=body)
    assert response.status_code == 400
    assert error_of(response)["code"] in ("bad_request", "invalid")


def test_repeated_attempts_are_rate_limited(client, guide):
    statuses = [enrol(client, f"WRONG{i:07d}", addr="10.77.0.1").status_code for i in range(12)]
    assert statuses[:10] == [403] * 10
    assert statuses[10:] == [429, 429]
    response = enrol(client, "WRONG", addr="10.77.0.1")
    assert error_of(response)["code"] == "rate_limited"
    # Another address is not affected.
    assert enrol(client, "WRONG", addr="10.77.0.2").status_code == 403


def test_limiter_starts_fresh_in_every_test(client, guide):
    assert enrol(client, "WRONG", addr="10.77.0.1").status_code == 403


def test_revoked_device_gets_device_revoked(client, make_device, guide):
    from server.accounts.operations import revoke_devices
    from server.extensions import db

    phone = make_device(guide)
    revoke_devices(guide)
    db.session.commit()
    response = client.post("/api/v1/sync", json={}, headers=auth(phone.token))
    assert response.status_code == 401
    assert error_of(response)["code"] == "device_revoked"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("headers", [{"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "}, {}])
def test_unknown_or_missing_token(client, guide, headers):
    response = client.post("/api/v1/sync", json={}, headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_blob_endpoints_need_a_token_too(client):
    response = client.get("/api/v1/blobs/" + "a" * 64)
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_device_records_name_last_sync_and_app_version(client, enrol_code, guide):
    from server.accounts.models import Device
    from server.extensions import db

    body = enrol(client, enrol_code(guide), app_version="1.2.0").get_json()
    device = db.session.get(Device, body["device_id"])
    assert (device.name, device.app_version, device.last_sync_at) == ("Ayşes Handy", "1.2.0", None)
    response = client.post("/api/v1/sync", json={"mutations": [activity()], "app_version": "1.3.0"},
                           headers=auth(body["token"]))
    assert response.status_code == 200
    db.session.expire_all()
    device = db.session.get(Device, body["device_id"])
    assert device.app_version == "1.3.0"
    assert device.last_sync_at is not None


def test_messages_follow_accept_language(client, enrol_code, guide):
    used = enrol_code(guide)
    enrol(client, used)
    for code, expected in (("ZZZZZZZZZZZZ", "invalid_code"), (used, "code_used")):
        german = error_of(enrol(client, code, lang="de"))
        english = error_of(enrol(client, code, lang="en"))
        assert german["code"] == english["code"] == expected
        assert german["message"] != english["message"]
    english = error_of(client.post("/api/v1/sync", json={}, headers={"Accept-Language": "en"}))
    german = error_of(client.post("/api/v1/sync", json={}, headers={"Accept-Language": "de"}))
    assert english["message"] == "This device is not enrolled. Please enrol it with a code."
    assert german["message"] != english["message"]


@pytest.mark.parametrize("extra", [{"device_name": "Handy\u0000"}, {"app_version": "1.0\u0000"},
                                   {"device_name": "Zeile\neins"}])
def test_control_characters_in_what_a_device_says_of_itself_are_refused(client, enrol_code, guide, extra):
    """PostgreSQL refuses NUL in text: that must be a 400 here, not an error at the insert (a 500)."""
    from sqlalchemy import func, select

    from server.accounts.models import Device
    from server.extensions import db

    code = enrol_code(guide)
    response = enrol(client, code, **extra)
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == set(extra)
    assert db.session.scalar(select(func.count()).select_from(Device)) == 0
    assert enrol(client, code).status_code == 201  # the code was not used up


def test_control_characters_in_a_sync_request_are_refused(sync, token):
    response = sync(token, app_version="2.0\u0000")
    assert response.status_code == 400
    assert "app_version" in error_of(response)["fields"]
