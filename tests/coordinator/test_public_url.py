"""Links are never built from an untrusted Host header (issue #16, item 9; server/public_url.py): with
PUBLIC_URL set every enrolment link and certificate QR link starts with it; without it, only a host in
ALLOWED_HOSTS (default: loopback, what `make run` serves) may supply the address, and a forged Host gets a
clear 400 and no enrolment code."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from server.accounts.models import EnrolmentCode
from server.extensions import db
from tests.coordinator.conftest import PASSWORD

EVIL = "evil.example"


def _desk(app, world, host: str = "localhost"):
    """Signed in at `host` (the test client keeps cookies per host; signing in never makes a link)."""
    browser = app.test_client()
    response = browser.post("/coordinator/login", data={"email": world.coord_a.email, "password": PASSWORD},
                            headers={"Host": host})
    assert response.status_code == 302
    return browser


def _certificate(world):
    from server.activities.models import Activity
    from server.money.certificates import issue_certificate
    from sync.merge import Author

    db.session.add(Activity(organization_id=world.org_a.id, guide_id=world.guide_a.id, date=dt.date(2026, 3, 2),
                            minutes=60, kind="accompaniment", state="approved"))
    db.session.flush()
    cert = issue_certificate(Author("coordinator", user_id=world.coord_a.id), world.org_a.id, world.guide_a.id,
                             dt.date(2026, 1, 1), dt.date(2026, 6, 30), "Dr. Jana Schulz")
    db.session.commit()
    return cert


def _codes() -> int:
    return db.session.scalar(select(func.count()).select_from(EnrolmentCode))


@pytest.mark.parametrize("forged", [EVIL, f"{EVIL}:5000", "127.0.0.1.evil.example", "[::2]"])
def test_without_public_url_a_forged_host_gets_a_400_and_no_code(app, world, forged):
    desk = _desk(app, world, host=forged)
    before = _codes()
    url = f"/coordinator/guides/{world.guide_a.id}/enrolment-code"
    response = desk.post(url, headers={"Host": forged})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and EVIL not in html and "PUBLIC_URL" in html
    assert _codes() == before
    _certificate(world)
    listing = desk.get("/coordinator/certificates", headers={"Host": forged})
    assert listing.status_code == 400 and "/verify/" not in listing.get_data(as_text=True)
    # The loopback names `make run` serves on still work.
    for host in ("localhost", "127.0.0.1:5000", "[::1]:5000"):
        ok = _desk(app, world, host=host).post(url, headers={"Host": host})
        assert ok.status_code == 200 and f"http://{host}/enroll#code=" in ok.get_data(as_text=True)


def test_with_public_url_every_link_starts_with_it_whatever_the_host(app, world):
    app.config["PUBLIC_URL"] = "https://lotsen.example.org"
    desk = _desk(app, world, host=EVIL)
    cert = _certificate(world)
    response = desk.post(f"/coordinator/guides/{world.guide_a.id}/enrolment-code", headers={"Host": EVIL})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "https://lotsen.example.org/enroll#code=" in html and EVIL not in html
    listing = desk.get("/coordinator/certificates", headers={"Host": EVIL}).get_data(as_text=True)
    assert f"https://lotsen.example.org/verify/{cert.token}" in listing and EVIL not in listing
    pdf = desk.get(f"/coordinator/certificates/{cert.id}.pdf", headers={"Host": EVIL})
    assert pdf.status_code == 200
    assert EVIL.encode() not in pdf.data


def test_allowed_hosts_names_the_trusted_ones(app, world):
    app.config["ALLOWED_HOSTS"] = "lotsen.local, 192.168.1.20"
    desk = _desk(app, world, host="192.168.1.20:5000")
    url = f"/coordinator/guides/{world.guide_a.id}/enrolment-code"
    ok = desk.post(url, headers={"Host": "192.168.1.20:5000"})
    assert ok.status_code == 200 and "http://192.168.1.20:5000/enroll#code=" in ok.get_data(as_text=True)
    assert _desk(app, world).post(url, headers={"Host": "localhost"}).status_code == 400  # no longer listed


def test_the_command_line_uses_public_url_or_the_local_default(app):
    from server.public_url import public_base_url

    assert public_base_url() == "http://127.0.0.1:5000"
    app.config["PUBLIC_URL"] = "https://lotsen.example.org/"
    assert public_base_url() == "https://lotsen.example.org"
