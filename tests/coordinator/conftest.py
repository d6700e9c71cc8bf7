"""Fixtures for the coordinator's pages: two organizations with staff and guides, sign-in, devices."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sync import clock
from sync.client import SyncClient
from tests.syncing.conftest import test_client_transport

PASSWORD = "correct horse battery"


@dataclass
class World:
    """Organization A and B, each with a coordinator and a guide; an admin who belongs to A."""

    org_a: Any
    org_b: Any
    coord_a: Any
    coord_b: Any
    admin: Any
    guide_a: Any
    guide_b: Any


@pytest.fixture
def world(make_org: Callable[..., Any], make_user: Callable[..., Any]) -> World:
    org_a, org_b = make_org("vhs", "VHS Hannover"), make_org("awo", "AWO Region Hannover")
    return World(
        org_a=org_a, org_b=org_b,
        coord_a=make_user(org_a, "coordinator", "coord-a@example.org", "Clara Coordinator-A", PASSWORD),
        coord_b=make_user(org_b, "coordinator", "coord-b@example.org", "Bruno Coordinator-B", PASSWORD),
        admin=make_user(org_a, "admin", "admin@example.org", "Ada Admin", PASSWORD),
        guide_a=make_user(org_a, "guide", "guide-a@example.org", "Ayşe Guide-A"),
        guide_b=make_user(org_b, "guide", "guide-b@example.org", "Boris Guide-B"),
    )


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/coordinator/login", data={"email": email, "password": password})


@pytest.fixture
def signed_in(app: Flask) -> Callable[[Any], FlaskClient]:
    """A fresh browser (test client) signed in as `user`."""

    def make(user: Any) -> FlaskClient:
        browser = app.test_client()
        response = sign_in(browser, user.email)
        assert response.status_code == 302, response.data[:500]
        return browser

    return make


@pytest.fixture
def make_device(app: Flask) -> Callable[..., SyncClient]:
    """An enrolled phone of `guide` (the reference sync client over a test client of its own)."""
    from server.accounts.operations import issue_enrolment_code
    from server.extensions import db

    def make(guide: Any, name: str = "phone") -> SyncClient:
        code = issue_enrolment_code(guide)
        db.session.commit()
        device = SyncClient(test_client_transport(app.test_client()))
        device.enroll(code, name)
        return device

    return make


@pytest.fixture
def add_activity(app: Flask) -> Callable[..., Any]:
    from server.activities.models import Activity
    from server.extensions import db

    def add(guide: Any, org: Any, day: dt.date | None = None, minutes: int = 60, **fields: Any) -> Any:
        activity = Activity(organization_id=org.id, guide_id=guide.id, date=day or clock.today(), minutes=minutes,
                            kind=fields.pop("kind", "accompaniment"), **fields)
        db.session.add(activity)
        db.session.commit()
        return activity

    return add


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
