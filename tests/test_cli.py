"""The command line of DESIGN.md, run through Flask's CLI runner on SQLite and PostgreSQL.

Every refusal must exit non-zero, say what was wrong (naming the offending value) and leave the
database exactly as it was.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from server.accounts.models import Device, EnrolmentCode, User
from server.accounts.operations import hash_secret, normalise_code
from server.extensions import db
from server.guides.models import GuideProfile
from server.organizations.models import Organization

CODE_RE = re.compile(r"^[23456789A-HJKMNP-Z]{4}(-[23456789A-HJKMNP-Z]{4}){2}$")


@pytest.fixture(autouse=True)
def english_cli(monkeypatch):
    """The CLI speaks the shell's language; pin it so messages are predictable."""
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setenv("LANG", "en_US.UTF-8")


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    return invoke


def row_counts() -> dict[str, int]:
    """Rows in every table; equal before and after means the command changed nothing."""
    db.session.expire_all()
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def assert_refused(result, *needles: str) -> None:
    assert result.exit_code != 0, result.output
    assert result.stdout.strip() == "", "a refused command prints nothing on stdout"
    for needle in needles:
        assert needle in result.stderr, result.stderr


# ------------------------------------------------------------------ create-org

def test_create_org(cli):
    result = cli("create-org", "--slug", "vhs-hannover", "--name", "VHS Hannover – Integrationslotsen")
    assert result.exit_code == 0, result.output
    assert "vhs-hannover" in result.stdout
    org = db.session.scalar(select(Organization).where(Organization.slug == "vhs-hannover"))
    assert org is not None and org.name == "VHS Hannover – Integrationslotsen"


def test_create_org_duplicate_slug_is_refused(cli, make_org):
    make_org("vhs-hannover")
    before = row_counts()
    result = cli("create-org", "--slug", "vhs-hannover", "--name", "Noch einmal")
    assert_refused(result, "vhs-hannover", "exists already")
    assert row_counts() == before


@pytest.mark.parametrize("slug", ["VHS Hannover", "-vhs", "x", "vhs_hannover", "ä-b"])
def test_create_org_bad_slug_is_refused(cli, slug):
    before = row_counts()
    result = cli("create-org", "--slug", slug, "--name", "Irgendwas")
    assert_refused(result, "slug")
    assert row_counts() == before


# ------------------------------------------------------------------ create-user

def test_create_guide_needs_no_password(cli, make_org):
    make_org("vhs-hannover")
    result = cli("create-user", "--org", "vhs-hannover", "--email", "Ayse.Demir@Example.org", "--role", "guide",
                 "--name", "Ayşe Demir")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ayse.demir@example.org"))
    assert user is not None and user.password_hash is None
    assert [m.role for m in user.memberships] == ["guide"]
    assert db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == user.id)) is not None


def test_create_coordinator_with_password_from_stdin(cli, make_org):
    from server.accounts.passwords import verify_password

    make_org("vhs-hannover")
    result = cli("create-user", "--org", "vhs-hannover", "--email", "koordination@vhs.example", "--role",
                 "coordinator", "--name", "Sabine Krüger", "--password-stdin", input="ein sicheres passwort\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "koordination@vhs.example"))
    assert verify_password(user.password_hash, "ein sicheres passwort")
    assert not verify_password(user.password_hash, "ein sicheres passwort\n")
    assert db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == user.id)) is None


def test_create_admin_with_prompted_password(cli, make_org):
    make_org("vhs-hannover")
    result = cli("create-user", "--org", "vhs-hannover", "--email", "admin@vhs.example", "--role", "admin",
                 "--name", "Admin", input="lang genug 123\nlang genug 123\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "admin@vhs.example")).password_hash


@pytest.mark.parametrize(("args", "stdin", "needles"), [
    (("--org", "nowhere", "--email", "a@example.org", "--role", "guide", "--name", "A"), None, ("nowhere",)),
    (("--org", "vhs-hannover", "--email", "taken@example.org", "--role", "guide", "--name", "B"), None,
     ("taken@example.org", "exists already")),
    (("--org", "vhs-hannover", "--email", "TAKEN@example.org", "--role", "coordinator", "--name", "B",
      "--password-stdin"), "ein sicheres passwort\n", ("taken@example.org",)),
    (("--org", "vhs-hannover", "--email", "c@example.org", "--role", "boss", "--name", "C"), None,
     ("boss", "coordinator")),
    (("--org", "vhs-hannover", "--email", "no-at-sign", "--role", "guide", "--name", "D"), None, ("no-at-sign",)),
    (("--org", "vhs-hannover", "--email", "e@example.org", "--role", "coordinator", "--name", "E",
      "--password-stdin"), "kurz\n", ("10",)),
    (("--org", "vhs-hannover", "--email", "f@example.org", "--role", "guide", "--name", "  "), None, ("name",)),
], ids=["unknown-org", "duplicate-email", "duplicate-email-other-case", "bad-role", "bad-email",
        "short-password", "empty-name"])
def test_create_user_refusals_change_nothing(cli, make_org, make_user, args, stdin, needles):
    org = make_org("vhs-hannover")
    make_user(org, "guide", email="taken@example.org")
    before = row_counts()
    result = cli("create-user", *args, input=stdin)
    assert_refused(result, *needles)
    assert row_counts() == before


# ------------------------------------------------------------------ enrolment-code

def test_enrolment_code_is_the_last_line(cli, app, make_org, make_user):
    guide = make_user(make_org(), "guide", email="guide@example.org")
    result = cli("enrolment-code", "--email", "guide@example.org")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    code = lines[-1]
    assert CODE_RE.match(code), lines
    link = next(line for line in lines if "/enroll#code=" in line)
    assert link.endswith("/enroll#code=" + code)
    stored = db.session.scalars(select(EnrolmentCode).where(EnrolmentCode.user_id == guide.id)).all()
    assert [c.code_hash for c in stored] == [hash_secret(normalise_code(code))]
    assert stored[0].used_at is None and stored[0].expires_at > stored[0].created_at


def test_enrolment_code_uses_public_url(cli, app, make_org, make_user):
    app.config["PUBLIC_URL"] = "https://lotsen.example/"
    make_user(make_org(), "guide", email="guide@example.org")
    result = cli("enrolment-code", "--email", "guide@example.org")
    assert "https://lotsen.example/enroll#code=" in result.stdout


@pytest.mark.parametrize(("email", "needle"), [("koordination@example.org", "koordination@example.org"),
                                               ("nobody@example.org", "nobody@example.org")])
def test_enrolment_code_only_for_guides(cli, make_org, make_user, email, needle):
    make_user(make_org(), "coordinator", email="koordination@example.org")
    before = row_counts()
    result = cli("enrolment-code", "--email", email)
    assert_refused(result, needle)
    assert row_counts() == before


# ------------------------------------------------------------------ revoke-devices

def _device(user, org, name):
    device = Device(user_id=user.id, organization_id=org.id, name=name, token_hash=hash_secret(name))
    db.session.add(device)
    db.session.commit()
    return device


def test_revoke_devices(cli, make_org, make_user):
    org = make_org()
    guide = make_user(org, "guide", email="guide@example.org")
    other = make_user(org, "guide", email="other@example.org")
    _device(guide, org, "altes Handy")
    _device(guide, org, "neues Handy")
    kept = _device(other, org, "Handy der anderen")

    result = cli("revoke-devices", "--email", "guide@example.org")
    assert result.exit_code == 0, result.output
    assert "2" in result.stdout
    db.session.expire_all()
    revoked = db.session.scalars(select(Device).where(Device.user_id == guide.id)).all()
    assert all(d.revoked_at is not None for d in revoked)
    assert db.session.get(Device, kept.id).revoked_at is None

    again = cli("revoke-devices", "--email", "guide@example.org")
    assert again.exit_code == 0 and "0" in again.stdout


@pytest.mark.parametrize("email", ["koordination@example.org", "nobody@example.org"])
def test_revoke_devices_only_for_guides(cli, make_org, make_user, email):
    make_user(make_org(), "coordinator", email="koordination@example.org")
    before = row_counts()
    assert_refused(cli("revoke-devices", "--email", email), email)
    assert row_counts() == before


# ------------------------------------------------------------------ demo

def test_seed_demo_fills_once(cli):
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output
    filled = row_counts()
    for table in ("organizations", "users", "guide_profiles", "guide_languages", "qualifications",
                  "partner_institutions", "clients", "assignment_requests", "assignments", "assignment_offers",
                  "activities", "plenum_events", "plenum_attendance", "expenses", "claims", "payouts",
                  "mileage_rates"):
        assert filled[table] > 0, table

    second = cli("seed-demo")
    assert second.exit_code == 0, second.output
    assert row_counts() == filled


def test_seed_demo_leaves_a_used_database_alone(cli, make_org):
    make_org("eigene-org")
    before = row_counts()
    assert cli("seed-demo").exit_code == 0
    assert row_counts() == before


def test_demo_info_prints_logins_and_a_link(cli, app):
    app.config["PUBLIC_URL"] = "http://demo.example:5000"
    assert cli("seed-demo").exit_code == 0
    result = cli("demo-info")
    assert result.exit_code == 0, result.output
    assert "koordination@vhs-hannover.example" in result.stdout
    assert "m.weber@vhs-hannover.example" in result.stdout
    assert "admin@vhs-hannover.example" in result.stdout
    assert "lotsenbuch-demo" in result.stdout
    link = result.stdout.strip().splitlines()[-1].strip()
    assert link.startswith("http://demo.example:5000/enroll#code=")
    code = link.split("#code=")[1]
    guide = db.session.scalar(select(User).where(User.email == "ayse.demir@lotsen.example"))
    assert guide.name in result.stdout
    assert db.session.scalar(select(EnrolmentCode.code_hash).where(EnrolmentCode.user_id == guide.id)) == \
        hash_secret(normalise_code(code))


def test_demo_info_without_demo_says_so(cli):
    result = cli("demo-info")
    assert result.exit_code == 0
    assert "seed-demo" in result.stdout


def test_seed_demo_content_is_believable(cli):
    """The parts a coordinator looks at first (tests/demo_promises.py; other days: test_demo_dates.py)."""
    from tests.demo_promises import assert_demo_promises

    assert cli("seed-demo").exit_code == 0
    assert_demo_promises()
