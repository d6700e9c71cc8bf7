"""Signing in at the coordinator's desk: passwords, TOTP, throttling, sessions, CSRF."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from sqlalchemy import select

from server.accounts.models import User, UserSession
from server.audit.models import AuditEvent
from server.extensions import db
from sync import clock
from tests.coordinator.conftest import PASSWORD, csrf_token, sign_in


def test_wrong_password_and_unknown_email_get_the_same_answer(client, world):
    wrong = sign_in(client, world.coord_a.email, "not the password")
    unknown = sign_in(client, "nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    # The pages differ only in the address echoed into the form.
    assert wrong.get_data(as_text=True).replace(world.coord_a.email, "X") == \
        unknown.get_data(as_text=True).replace("nobody@example.org", "X")
    assert "E-Mail-Adresse oder Passwort ist nicht richtig." in wrong.get_data(as_text=True)
    assert client.get("/coordinator/").status_code == 302


def test_a_coordinator_signs_in_and_out(client, world):
    response = sign_in(client, world.coord_a.email)
    assert response.status_code == 302 and response.location == "/coordinator/"
    page = client.get("/coordinator/")
    assert page.status_code == 200 and world.org_a.name in page.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "coordinator.signed_in")) is not None
    assert client.post("/coordinator/logout").status_code == 302
    assert client.get("/coordinator/").location.startswith("/coordinator/login")


def test_an_inactive_user_cannot_sign_in(client, world):
    world.coord_a.active = False
    db.session.commit()
    response = sign_in(client, world.coord_a.email)
    assert response.status_code == 401
    assert response.get_data(as_text=True).replace(world.coord_a.email, "X") == \
        sign_in(client, "nobody@example.org").get_data(as_text=True).replace("nobody@example.org", "X")


def test_a_guide_cannot_sign_in_here_even_with_a_password(client, world):
    from server.accounts.passwords import hash_password

    world.guide_a.password_hash = hash_password(PASSWORD)
    db.session.commit()
    response = sign_in(client, world.guide_a.email)
    assert response.status_code == 401
    assert client.get("/coordinator/").status_code == 302


def test_deactivating_a_user_ends_their_sessions(signed_in, world):
    browser = signed_in(world.coord_a)
    world.coord_a.active = False
    db.session.commit()
    assert browser.get("/coordinator/").location.startswith("/coordinator/login")


def test_next_is_followed_only_within_the_coordinator_pages(client, world):
    ok = client.post("/coordinator/login?next=/coordinator/guides",
                     data={"email": world.coord_a.email, "password": PASSWORD})
    assert ok.location == "/coordinator/guides"
    client.post("/coordinator/logout")
    evil = client.post("/coordinator/login?next=https://evil.example/",
                       data={"email": world.coord_a.email, "password": PASSWORD})
    assert evil.location == "/coordinator/"


# ------------------------------------------------------------------ throttling

def test_repeated_failures_are_throttled(client, world):
    for _ in range(5):
        assert sign_in(client, world.coord_a.email, "wrong password").status_code == 401
    assert sign_in(client, world.coord_a.email, "wrong password").status_code == 429
    # Now even the right password waits: the attacker learns nothing more.
    assert sign_in(client, world.coord_a.email).status_code == 429


def test_successful_sign_ins_are_not_counted(app, world):
    for _ in range(7):
        browser = app.test_client()
        assert sign_in(browser, world.coord_a.email).status_code == 302


def test_failures_on_the_code_step_count_too(client, world):
    world.coord_a.totp_secret = pyotp.random_base32()
    db.session.commit()
    assert sign_in(client, world.coord_a.email).status_code == 302
    for _ in range(5):
        assert client.post("/coordinator/login/code", data={"code": "000000"}).status_code == 401
    assert client.post("/coordinator/login/code", data={"code": "000000"}).status_code == 429


# ------------------------------------------------------------------ TOTP

def _at(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr("server.coordinator.common.auth.utcnow", lambda: moment)
    monkeypatch.setattr("server.coordinator.desk.views.utcnow", lambda: moment)


def test_totp_set_up_and_a_code_works_only_once(client, world, monkeypatch):
    now = clock.utcnow().replace(microsecond=0)
    _at(monkeypatch, now)
    sign_in(client, world.coord_a.email)
    page = client.get("/coordinator/account/totp")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    with client.session_transaction() as session:
        secret = session["totp_pending"]
    totp = pyotp.TOTP(secret)
    assert client.post("/coordinator/account/totp", data={"code": "123456" if totp.at(now) != "123456"
                                                          else "654321"}).status_code == 400
    assert client.post("/coordinator/account/totp", data={"code": totp.at(now)}).status_code == 302
    db.session.refresh(world.coord_a)
    assert world.coord_a.totp_secret == secret
    client.post("/coordinator/logout")

    # The password alone no longer signs in: the code step follows.
    _at(monkeypatch, now + dt.timedelta(seconds=60))
    response = sign_in(client, world.coord_a.email)
    assert response.location == "/coordinator/login/code"
    assert client.get("/coordinator/").status_code == 302
    # The code used to switch TOTP on is spent.
    assert client.post("/coordinator/login/code", data={"code": totp.at(now)}).status_code == 401
    code = totp.at(now + dt.timedelta(seconds=60))
    assert client.post("/coordinator/login/code", data={"code": code}).status_code == 302
    assert client.get("/coordinator/").status_code == 200
    client.post("/coordinator/logout")

    # The same code a second time (a replay within its 30 seconds) is refused.
    sign_in(client, world.coord_a.email)
    assert client.post("/coordinator/login/code", data={"code": code}).status_code == 401
    assert client.get("/coordinator/").status_code == 302


def test_the_code_step_expires(client, world, monkeypatch):
    secret = pyotp.random_base32()
    world.coord_a.totp_secret = secret
    db.session.commit()
    now = clock.utcnow()
    _at(monkeypatch, now)
    sign_in(client, world.coord_a.email)
    _at(monkeypatch, now + dt.timedelta(minutes=10))
    response = client.post("/coordinator/login/code", data={"code": pyotp.TOTP(secret).at(now)})
    assert response.location == "/coordinator/login"


def test_totp_can_be_switched_off_with_a_current_code(signed_in, world, monkeypatch):
    secret = pyotp.random_base32()
    world.coord_a.totp_secret = secret
    db.session.commit()
    browser = signed_in(world.coord_a)  # the password step (302 to the code step)
    now = clock.utcnow()
    assert browser.post("/coordinator/login/code", data={"code": pyotp.TOTP(secret).at(now)}).status_code == 302
    _at(monkeypatch, now + dt.timedelta(seconds=30))
    assert browser.post("/coordinator/account/totp/disable", data={"code": "000000"}).status_code == 400
    code = pyotp.TOTP(secret).at(now + dt.timedelta(seconds=30))
    assert browser.post("/coordinator/account/totp/disable", data={"code": code}).status_code == 302
    db.session.refresh(world.coord_a)
    assert world.coord_a.totp_secret is None


# ------------------------------------------------------------------ sessions

def test_sign_out_everywhere_else(signed_in, world):
    office, laptop = signed_in(world.coord_a), signed_in(world.coord_a)
    page = office.get("/coordinator/account").get_data(as_text=True)
    assert page.count("/end\"") == 2  # two sessions listed, each with its own sign-out button
    assert office.post("/coordinator/account/sessions/end-others").status_code == 302
    assert laptop.get("/coordinator/").location.startswith("/coordinator/login")
    assert office.get("/coordinator/").status_code == 200
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == world.coord_a.id)).all()
    assert sorted(r.revoked_at is None for r in rows) == [False, True]
    assert db.session.get(User, world.coord_a.id).session_generation == 1


def test_a_copied_cookie_of_an_older_generation_is_refused(app, signed_in, world):
    office = signed_in(world.coord_a)
    with office.session_transaction() as session:
        old = dict(session)
    office.post("/coordinator/account/sessions/end-others")
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(old)
    assert thief.get("/coordinator/").status_code == 302


def test_end_one_session(signed_in, world):
    office, laptop = signed_in(world.coord_a), signed_in(world.coord_a)
    with laptop.session_transaction() as session:
        laptop_sid = session["sid"]
    assert office.post(f"/coordinator/account/sessions/{laptop_sid}/end").status_code == 302
    assert laptop.get("/coordinator/").status_code == 302
    assert office.get("/coordinator/").status_code == 200


# ------------------------------------------------------------------ CSRF

@pytest.fixture
def csrf_app(app):
    from server import create_app

    config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "BLOB_DIR")}
    return create_app({**config, "TESTING": True, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})


def test_forms_without_a_csrf_token_are_refused(csrf_app, world):
    browser = csrf_app.test_client()
    assert sign_in(browser, world.coord_a.email).status_code == 400
    token = csrf_token(browser.get("/coordinator/login").get_data(as_text=True))
    response = browser.post("/coordinator/login", data={"email": world.coord_a.email, "password": PASSWORD,
                                                         "csrf_token": token})
    assert response.status_code == 302
    # Signed in, a state-changing form without the token is still refused.
    assert browser.post("/coordinator/account/sessions/end-others").status_code == 400
    assert browser.post(f"/coordinator/guides/{world.guide_a.id}/enrolment-code").status_code == 400
    page = browser.get(f"/coordinator/guides/{world.guide_a.id}").get_data(as_text=True)
    response = browser.post(f"/coordinator/guides/{world.guide_a.id}/enrolment-code",
                            data={"csrf_token": csrf_token(page)})
    assert response.status_code == 200


# ------------------------------------------------------------------ language

def test_the_language_switch_sets_lang_and_dir(signed_in, world):
    browser = signed_in(world.coord_a)
    assert '<html lang="de" dir="ltr">' in browser.get("/coordinator/").get_data(as_text=True)
    browser.post("/coordinator/language", data={"lang": "ar", "next": "/coordinator/guides"})
    assert '<html lang="ar" dir="rtl">' in browser.get("/coordinator/").get_data(as_text=True)
    db.session.refresh(world.coord_a)
    assert world.coord_a.locale == "ar"
    response = browser.post("/coordinator/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.location == "/coordinator/"
    assert '<html lang="en" dir="ltr">' in browser.get("/coordinator/").get_data(as_text=True)
