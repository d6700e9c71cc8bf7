"""The private status link: received → in matching → guide found → closed, and nothing else on the page."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from server.assignments.models import AssignmentRequest
from server.extensions import db
from sync import clock
from tests.coordinator.conftest import make_device  # noqa: F401  - the fixture: a guide's enrolled phone
from tests.public.conftest import complete_request


def _file(client) -> tuple[AssignmentRequest, str]:
    response = client.post("/request/vhs", data=complete_request())
    assert response.status_code == 201
    match = re.search(r'href="http://localhost/request/status/([A-Za-z0-9_-]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return db.session.scalar(select(AssignmentRequest)), match.group(1)


def _state(client, token: str) -> str:
    response = client.get(f"/request/status/{token}?lang=en")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    current = re.findall(r'<li aria-current="step">([^<]+)</li>', response.get_data(as_text=True))
    assert len(current) == 1
    return current[0]


def test_status_follows_the_request_and_shows_nothing_else(app, client, world_signed_in, open_form, make_user,
                                                           make_device):  # noqa: F811
    org, browser = world_signed_in
    open_form(org)
    guide = make_user(org, "guide", "dina@example.org", "Dina Cairo")
    row, token = _file(client)
    assert row.status_token_hash != token and token not in str(row.contact)
    assert _state(client, token) == "Received"

    phone = make_device(guide)
    phone.sync()
    today = clock.today()
    offered = browser.post(f"/coordinator/requests/{row.id}/offer", data={
        "title": "Elterngespräche", "client_id": "", "client_code": "K-2027-001", "client_language": "ar",
        "household_size": "2", "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=30)).isoformat(),
        "planned_hours": "12", "guides": [str(guide.id)]})
    assert offered.status_code == 302, offered.get_data(as_text=True)[:2000]
    assert _state(client, token) == "In matching: the office is looking for a guide"

    phone.sync()
    assignment_id = offered.location.rsplit("/", 1)[1]
    phone.upsert("assignment", assignment_id, response="accepted")
    phone.sync()
    assert _state(client, token) == "A guide has been found"

    page = client.get(f"/request/status/{token}?lang=en").get_data(as_text=True)
    for private in ("Dina Cairo", "dina@example.org", "K-2027-001", "Petra Schulz", "schulz@gs-linden.example",
                    "0511 123456", "Grundschule", "Elterngespräche", "Begleitung"):
        assert private not in page, private

    closed = browser.post(f"/coordinator/requests/{row.id}/state", data={"state": "closed"})
    assert closed.status_code == 302
    assert _state(client, token) == "Closed"


def test_wrong_or_forged_tokens_are_404(client, world_signed_in, open_form):
    org, _browser = world_signed_in
    open_form(org)
    row, token = _file(client)
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), row.status_token_hash, "x", "x" * 500,
                  str(row.id)):
        assert client.get(f"/request/status/{wrong}").status_code == 404, wrong
    assert client.post(f"/request/status/{token}").status_code == 405
