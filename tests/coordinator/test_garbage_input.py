"""Garbage into every coordinator route, on the demo data: never a 500.

Every GET route (the admin's view, so the set-up pages are included) gets nonsense in its address and
in the filter parameters the pages read; every POST route gets nonsense in every field any form has.
The values are the ones that found 500s before: numbers beyond an id's range, NUL, non-numbers where
numbers go, impossible dates, very long text. Each route's ids are real ones of the demo, so the
handlers get past their lookups. What a 4xx says is tested elsewhere; here only that it is one.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text

from server.demo import data

GARBAGE = ["99999999999999999999", "-1", "abc", "\x00", "1e309", "2026-02-30", "ä" * 3000, ""]
QUERY_NAMES = ["page", "year", "month", "number", "state", "guide", "kind", "q", "language", "district",
               "actor", "action", "from", "to", "flagged", "active", "specialisation", "show", "type"]
FORM_NAMES = ["guide", "guides", "guide_id", "claim", "line", "year", "month", "number", "minutes", "euros",
              "euros_per_km", "valid_from", "date", "execution_date", "paid_on", "period_from", "period_to",
              "retention_months", "booking_retention_years", "monthly_hour_limit", "travel_km", "version",
              "people_count", "client_id", "partner_id", "attendees", "decision", "reason", "kind", "unit",
              "legal_basis", "mode", "iban", "bic", "account_holder", "household_size", "start", "end",
              "planned_minutes", "choice", "value", "keep", "user_id", "languages-0-language", "name", "email",
              "password", "slug", "confirm_name", "activity_kinds", "title", "place", "note", "code"]
# Signing out or changing who is signed in is not garbage handling.
SKIP_POST = {"coordinator.login", "coordinator.login_code", "coordinator.logout", "coordinator.set_language",
             "coordinator.switch_organization", "coordinator.end_other_sessions"}


def _demo_ids(app: Any) -> dict[str, Any]:
    from server.demo.seed import seed_demo_data
    from server.extensions import db

    assert seed_demo_data() is not None

    def one(sql: str) -> Any:
        return db.session.execute(text(sql)).scalar()

    return {
        "guide_id": one("select user_id from memberships where role = 'guide' and organization_id = 1 limit 1"),
        "claim_id": one("select id from claims where organization_id = 1 order by month limit 1"),
        "payout_id": one("select id from payouts where organization_id = 1 limit 1"),
        "request_id": one("select id from assignment_requests where organization_id = 1 limit 1"),
        "partner_id": one("select id from partner_institutions where organization_id = 1 limit 1"),
        "event_id": one("select id from plenum_events where organization_id = 1 limit 1"),
        "assignment_id": one("select id from assignments where organization_id = 1 limit 1"),
        "activity_id": one("select id from activities where organization_id = 1 limit 1"),
        "org_id": 1,
    }


def _admin(app: Any) -> Any:
    browser = app.test_client()
    admin = next(email for email, _name, role in data.VHS_STAFF if role == "admin")
    assert browser.post("/coordinator/login", data={"email": admin, "password": data.DEMO_PASSWORD}).status_code == 302
    return browser


def _url(rule: Any, ids: dict[str, Any], **garbage: str) -> str:
    """The rule's address with the demo's ids, or garbage for the arguments named."""
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", garbage.get(arg, str(ids.get(arg, 1))), url)
    return url


def test_garbage_in_addresses_and_filters_is_never_a_500(app):
    ids = _demo_ids(app)
    browser = _admin(app)
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.rule.startswith("/coordinator")
             and r.endpoint != "coordinator.static"]
    failures = []
    for rule in rules:
        url = _url(rule, ids)
        for value in GARBAGE:
            response = browser.get(url, query_string=dict.fromkeys(QUERY_NAMES, value))
            if response.status_code >= 500:
                failures.append(f"GET {url} ?…={value[:12]!r}: {response.status_code}")
            response.close()
        for arg in rule.arguments:
            for value in ("99999999999999999999", "%00", "-1", "x" * 300):
                bad = _url(rule, ids, **{arg: value})
                response = browser.get(bad)
                if response.status_code >= 500:
                    failures.append(f"GET {bad[:80]}: {response.status_code}")
                response.close()
    assert len(rules) > 30 and failures == []


@pytest.mark.parametrize("value", GARBAGE, ids=lambda v: repr(v[:10]))
def test_garbage_in_every_form_field_is_never_a_500(app, value):
    ids = _demo_ids(app)
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.rule.startswith("/coordinator")
             and r.endpoint not in SKIP_POST]
    failures = []
    browser = _admin(app)
    for rule in rules:
        response = browser.post(_url(rule, ids), data=dict.fromkeys(FORM_NAMES, value))
        if response.status_code >= 500:
            failures.append(f"POST {_url(rule, ids)}: {response.status_code}")
        if rule.endpoint == "coordinator.admin_deactivate_staff" or response.status_code == 302 and \
                "/coordinator/login" in (response.location or ""):
            browser = _admin(app)  # a field may have ended this session (e.g. deactivating staff)
    assert len(rules) > 40 and failures == []


# Bodies a browser's form never sends: each is refused with a 415 before any view code runs.
OTHER_BODIES = {
    "application/json": lambda fields: __import__("json").dumps(
        {**fields, "guides": [1, 2], "minutes": 5, "attendees": {"a": None}, "keep": True}),
    "application/json; charset=utf-8": lambda fields: '{"email": null, "name": 5}',
    "text/plain": lambda fields: "email=x&name=y",
    "application/xml": lambda fields: "<form><name>x</name></form>",
    "application/octet-stream": lambda fields: b"\x00\xff" * 10,
    "": lambda fields: b"name=x",
}


@pytest.mark.parametrize("content_type", list(OTHER_BODIES), ids=lambda v: v or "none")
def test_other_content_types_on_every_form_route_are_a_415_and_change_nothing(app, content_type):
    from server.extensions import db

    ids = _demo_ids(app)
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.rule.startswith("/coordinator")]
    browser = _admin(app)
    audit_before = db.session.execute(text("select count(*) from audit_events")).scalar()
    failures = []
    body = OTHER_BODIES[content_type](dict.fromkeys(FORM_NAMES, "1"))
    for rule in rules:
        headers = {"Content-Type": content_type} if content_type else {}
        response = browser.post(_url(rule, ids), data=body, headers=headers)
        if response.status_code != 415:
            failures.append(f"POST {_url(rule, ids)} ({content_type}): {response.status_code}")
        elif "form" not in response.get_data(as_text=True):
            failures.append(f"POST {_url(rule, ids)}: the 415 page does not say what is accepted")
    db.session.remove()
    assert db.session.execute(text("select count(*) from audit_events")).scalar() == audit_before
    assert len(rules) > 40 and failures == []


def test_a_json_body_with_a_valid_csrf_token_is_a_415_not_a_500(app):
    """With CSRF protection on, as in production: the token in the header, JSON in the body."""
    from server import create_app
    from tests.coordinator.conftest import csrf_token

    ids = _demo_ids(app)
    config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "BLOB_DIR")}
    browser = create_app({**config, "TESTING": True, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False}).test_client()
    admin = next(email for email, _name, role in data.VHS_STAFF if role == "admin")
    token = csrf_token(browser.get("/coordinator/login").get_data(as_text=True))
    assert browser.post("/coordinator/login", data={"email": admin, "password": data.DEMO_PASSWORD,
                                                     "csrf_token": token}).status_code == 302
    token = csrf_token(browser.get("/coordinator/partners").get_data(as_text=True))
    for path in (f"/coordinator/guides/{ids['guide_id']}/qualifications",
                 f"/coordinator/guides/{ids['guide_id']}/bank-account", "/coordinator/certificates",
                 "/coordinator/partners", "/coordinator/plenum", f"/coordinator/assignments/{ids['assignment_id']}"):
        response = browser.post(path, json={"name": ["x"], "kind": 5, "guide": None, "iban": {"a": 1}},
                                headers={"X-CSRFToken": token})
        assert response.status_code == 415, (path, response.status_code)
