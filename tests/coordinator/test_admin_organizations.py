"""The admin's organization set-up: organizations, retention, bank account, coordinators (admin only)."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.accounts.models import Membership, User, UserSession
from server.accounts.passwords import verify_password
from server.audit.models import AuditEvent
from server.extensions import db
from server.organizations.models import Organization
from tests.coordinator.conftest import sign_in

GOOD_IBAN = "DE89 3704 0044 0532 0130 00"


def _actions(org_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.organization_id == org_id)
                                   .order_by(AuditEvent.id)))


def test_coordinators_get_403_on_every_admin_page(signed_in, world):
    browser = signed_in(world.coord_a)
    org = world.org_a.id
    assert 'id="nav-organizations"' not in browser.get("/coordinator/").get_data(as_text=True)
    for method, url in [("GET", "/coordinator/admin/organizations"), ("POST", "/coordinator/admin/organizations"),
                        ("GET", f"/coordinator/admin/organizations/{org}"),
                        ("POST", f"/coordinator/admin/organizations/{org}"),
                        ("POST", f"/coordinator/admin/organizations/{org}/bank-account"),
                        ("POST", f"/coordinator/admin/organizations/{org}/staff"),
                        ("POST", f"/coordinator/admin/organizations/{org}/staff/{world.coord_a.id}/deactivate")]:
        assert browser.open(url, method=method, data={"slug": "x-y", "name": "X"}).status_code == 403, url
    assert db.session.scalar(select(Organization).where(Organization.slug == "x-y")) is None
    assert db.session.get(User, world.coord_a.id).active


def test_admin_creates_an_organization_and_its_first_coordinator(signed_in, world, app):
    browser = signed_in(world.admin)
    listing = browser.get("/coordinator/admin/organizations").get_data(as_text=True)
    assert 'id="nav-organizations"' in listing
    assert 'data-organization="vhs"' in listing and 'data-organization="awo"' in listing

    response = browser.post("/coordinator/admin/organizations", data={"slug": "caritas-h", "name": "Caritas"})
    assert response.status_code == 302
    org = db.session.scalar(select(Organization).where(Organization.slug == "caritas-h"))
    assert org.name == "Caritas" and response.location == f"/coordinator/admin/organizations/{org.id}"
    # The same slug again, and a malformed one: the form again with the error, nothing created.
    assert browser.post("/coordinator/admin/organizations", data={"slug": "caritas-h", "name": "Zwei"}).status_code == 400
    assert browser.post("/coordinator/admin/organizations", data={"slug": "Not A Slug", "name": "X"}).status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(Organization)) == 3

    # Email is off here: the admin gets a one-time link to hand over; nobody types Carla's password but her.
    response = browser.post(f"/coordinator/admin/organizations/{org.id}/staff", data={
        "name": "Carla Caritas", "email": "Carla@Example.org", "role": "coordinator"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="mail-off"' in page and 'type="password"' not in page
    link = re.search(r'id="one-time-link" value="http://[^/"]+(/coordinator/password/[^"]+)"', page).group(1)
    carla = db.session.scalar(select(User).where(User.email == "carla@example.org"))
    assert carla.password_hash is None
    membership = db.session.scalar(select(Membership).where(Membership.user_id == carla.id))
    assert (membership.organization_id, membership.role) == (org.id, "coordinator")
    page = browser.get(f"/coordinator/admin/organizations/{org.id}").get_data(as_text=True)
    assert f'data-user="{carla.id}" data-active="true"' in page
    # She chooses her password through the link, signs in and works on her own, new organization.
    carla_browser = app.test_client()
    assert carla_browser.post(link, data={"password": "a long own password",
                                          "confirmation": "a long own password"}).status_code == 302
    db.session.expire_all()
    assert verify_password(db.session.get(User, carla.id).password_hash, "a long own password")
    assert sign_in(carla_browser, "carla@example.org", "a long own password").status_code == 302
    assert carla_browser.get(f"/coordinator/guides/{world.guide_a.id}").status_code == 404
    assert _actions(org.id)[:2] == ["organization.created", "staff.invited"]


def test_new_coordinator_input_is_checked(signed_in, world):
    browser = signed_in(world.admin)
    url = f"/coordinator/admin/organizations/{world.org_b.id}/staff"
    assert browser.post(url, data={"name": "Rolle", "email": "k@example.org", "role": "guide"}).status_code == 400
    assert browser.post(url, data={"name": "Doppelt", "email": world.coord_a.email,
                                   "role": "coordinator"}).status_code == 400
    assert browser.post(url, data={"name": "X", "email": "not-an-email", "role": "coordinator"}).status_code == 400
    # There is no password field to fill: one sent along is ignored.
    assert browser.post(url, data={"name": "Pia", "email": "pia@example.org", "role": "admin",
                                   "password": "chosen by the admin"}).status_code == 200
    pia = db.session.scalar(select(User).where(User.email == "pia@example.org"))
    assert pia.password_hash is None
    assert db.session.scalar(select(User).where(User.email.in_(["k@example.org", "not-an-email"]))) is None
    assert browser.post("/coordinator/admin/organizations/999999/staff", data={
        "name": "X", "email": "x@example.org", "role": "coordinator"}).status_code == 404


def test_admin_changes_name_and_retention(signed_in, world):
    browser = signed_in(world.admin)
    url = f"/coordinator/admin/organizations/{world.org_b.id}"
    assert browser.post(url, data={"name": "AWO Hannover", "retention_months": "48",
                                   "booking_retention_years": "12"}).status_code == 302
    db.session.expire_all()
    org = db.session.get(Organization, world.org_b.id)
    assert (org.name, org.retention_months, org.booking_retention_years) == ("AWO Hannover", 48, 12)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organization.settings_changed"))
    assert event.organization_id == org.id and event.details["changes"]["retention_months"] == {
        "before": 36, "after": 48}
    # Below the legal minimum, or an empty name: refused, nothing changes.
    for bad in ({"name": "AWO", "retention_months": "6", "booking_retention_years": "12"},
                {"name": "AWO", "retention_months": "48", "booking_retention_years": "2"},
                {"name": "   ", "retention_months": "48", "booking_retention_years": "12"},
                {"name": "AWO", "retention_months": "viele", "booking_retention_years": "12"}):
        assert browser.post(url, data=bad).status_code == 400, bad
    db.session.expire_all()
    org = db.session.get(Organization, world.org_b.id)
    assert (org.name, org.retention_months, org.booking_retention_years) == ("AWO Hannover", 48, 12)
    assert browser.get("/coordinator/admin/organizations/999999").status_code == 404


def test_admin_sets_the_bank_account_for_payouts(signed_in, world):
    browser = signed_in(world.admin)
    url = f"/coordinator/admin/organizations/{world.org_a.id}/bank-account"
    response = browser.post(url, data={"account_holder": "VHS Hannover", "iban": "DE89 3704 0044 0532 0130 01",
                                       "bic": ""})
    assert response.status_code == 400 and 'class="field-error"' in response.get_data(as_text=True)
    assert browser.post(url, data={"account_holder": "VHS Hannover", "iban": GOOD_IBAN,
                                   "bic": "BNPAFRPP"}).status_code == 400  # a French BIC for a German IBAN
    db.session.expire_all()
    assert db.session.get(Organization, world.org_a.id).bank_iban is None
    assert browser.post(url, data={"account_holder": "VHS Hannover", "iban": GOOD_IBAN, "bic": ""}).status_code == 302
    db.session.expire_all()
    org = db.session.get(Organization, world.org_a.id)
    assert (org.bank_account_holder, org.bank_iban, org.bank_bic) == ("VHS Hannover", "DE89370400440532013000",
                                                                      "COBADEFFXXX")
    assert "money.bank_account_set" in _actions(org.id)
    page = browser.get(f"/coordinator/admin/organizations/{org.id}").get_data(as_text=True)
    assert "DE89370400440532013000" not in page and "3000" in page  # shown masked


def test_deactivating_a_coordinator_ends_their_sessions(signed_in, world, app):
    coordinator_browser = signed_in(world.coord_b)
    assert coordinator_browser.get("/coordinator/").status_code == 200
    admin = signed_in(world.admin)
    url = f"/coordinator/admin/organizations/{world.org_b.id}/staff/{world.coord_b.id}/deactivate"
    # A staff member of another organization than the one in the URL is not found there.
    assert admin.post(f"/coordinator/admin/organizations/{world.org_a.id}/staff/{world.coord_b.id}/deactivate"
                      ).status_code == 404
    assert admin.post(f"/coordinator/admin/organizations/{world.org_b.id}/staff/{world.guide_b.id}/deactivate"
                      ).status_code == 404
    assert admin.post(url).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, world.coord_b.id).active
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == world.coord_b.id,
                                                       UserSession.revoked_at.is_(None))) is None
    response = coordinator_browser.get("/coordinator/")
    assert response.status_code == 302 and response.location.startswith("/coordinator/login")
    assert sign_in(app.test_client(), world.coord_b.email).status_code == 401
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.deactivated"))
    assert (event.organization_id, event.object_id, event.actor_user_id) == (
        world.org_b.id, str(world.coord_b.id), world.admin.id)
    # The admin cannot lock themselves out.
    own = f"/coordinator/admin/organizations/{world.org_a.id}/staff/{world.admin.id}/deactivate"
    assert admin.post(own).status_code == 409
    assert db.session.get(User, world.admin.id).active


def test_admin_forms_need_the_csrf_token(app, world):
    from server import create_app
    from tests.coordinator.conftest import csrf_token

    config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "BLOB_DIR")}
    csrf_app = create_app({**config, "TESTING": True, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
    browser = csrf_app.test_client()
    token = csrf_token(browser.get("/coordinator/login").get_data(as_text=True))
    assert browser.post("/coordinator/login", data={"email": world.admin.email, "password": "correct horse battery",
                                                    "csrf_token": token}).status_code == 302
    url = f"/coordinator/admin/organizations/{world.org_b.id}"
    assert browser.post(f"{url}/staff/{world.coord_b.id}/deactivate").status_code == 400
    assert browser.post(f"{url}/staff", data={"name": "X", "email": "x@example.org",
                                             "role": "coordinator"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, world.coord_b.id).active
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None
    page = browser.get(url).get_data(as_text=True)
    assert browser.post(f"{url}/staff/{world.coord_b.id}/deactivate",
                        data={"csrf_token": csrf_token(page)}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, world.coord_b.id).active
