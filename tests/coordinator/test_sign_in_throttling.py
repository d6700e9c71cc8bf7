"""Behind a load balancer one bad guess must not lock everyone out (issue #16, item 6): TRUSTED_PROXIES
applies Werkzeug's ProxyFix, so the throttling is keyed by the client's forwarded address; the per-account
limit counts per account *and* address; and the per-account brake is a short growing delay, after which
the real person's correct password works."""

from __future__ import annotations

import re
import time

import pytest

from tests.coordinator.conftest import PASSWORD

PROXY = "10.0.0.2"


@pytest.fixture
def proxied(app):
    from server import create_app
    from server.extensions import limiter

    config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "BLOB_DIR")}
    behind = create_app({**config, "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
                         "PASSWORD_HASH_PROFILE": "fast", "TRUSTED_PROXIES": 1})
    with behind.app_context():
        limiter.reset()
    return behind


def _browser(app, address: str | None):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = PROXY
    if address:
        browser.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return browser


def _sign_in(browser, email, password):
    return browser.post("/coordinator/login", data={"email": email, "password": password})


def test_two_addresses_behind_one_proxy_are_throttled_apart(proxied, world):
    attacker, colleague = _browser(proxied, "203.0.113.7"), _browser(proxied, "198.51.100.20")
    statuses = [_sign_in(attacker, f"nobody{n}@example.org", "wrong").status_code for n in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429
    # The colleague behind the same load balancer is not the attacker.
    assert _sign_in(colleague, world.coord_a.email, PASSWORD).status_code == 302


def test_without_trusted_proxies_the_forwarded_header_is_ignored(app):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4"}):
        from flask import request

        assert request.remote_addr == PROXY


def test_ten_wrong_passwords_from_an_attacker_do_not_lock_the_victim_out(proxied, world):
    victim_email = world.coord_a.email
    statuses = []
    for n in range(10):
        attacker = _browser(proxied, f"203.0.113.{n + 1}")  # even from ten addresses
        statuses.append(_sign_in(attacker, victim_email, f"guess-{n}").status_code)
    assert statuses[:5] == [401] * 5 and 429 in statuses  # the brake is on
    victim = _browser(proxied, "198.51.100.99")
    waiting = _sign_in(victim, victim_email, PASSWORD)
    # A short wait, said on the page (the Retry-After header also covers the address limit's window).
    assert waiting.status_code == 429
    seconds = int(re.search(r"(\d+)", waiting.get_data(as_text=True).split('role="alert"')[1]).group(1))
    assert 0 < seconds <= 2
    time.sleep(seconds + 0.2)
    assert _sign_in(victim, victim_email, PASSWORD).status_code == 302


def test_the_delay_grows_and_is_capped():
    from server.coordinator.common.sign_in_delay import MAX_DELAY_SECONDS, delay_for

    assert [delay_for(n) for n in range(8)] == [0, 0, 0, 0, 0, 1, 2, 4]
    assert delay_for(10) == 32 and delay_for(50) == MAX_DELAY_SECONDS <= 300
