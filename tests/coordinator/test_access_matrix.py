"""Who may open which coordinator route, for objects of both organizations: 0 leaks.

Roles: anonymous, a guide (who cannot sign in here) with an enrolled phone's bearer token, the
coordinators of organizations A and B, and an admin (member of A, working on A). Every route under
/coordinator/ appears here; `test_every_route_is_in_the_matrix` fails when a new one is not added.
An object of another organization answers 404, exactly like a missing one.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.accounts.models import Device, UserSession
from server.extensions import db
from server.guides.models import GuideProfile, Qualification
from tests.coordinator.access_matrix_base import PUBLIC, Objects, Route, org_of
from tests.coordinator.access_matrix_money import MONEY_ROUTES
from tests.coordinator.conftest import sign_in

ROUTES = [
    Route("coordinator.home", "GET", lambda o: "/coordinator/", False),
    Route("coordinator.logout", "POST", lambda o: "/coordinator/logout", False),
    Route("coordinator.account", "GET", lambda o: "/coordinator/account", False),
    Route("coordinator.end_other_sessions", "POST", lambda o: "/coordinator/account/sessions/end-others", False),
    Route("coordinator.end_one_session", "POST", lambda o: f"/coordinator/account/sessions/{o.session_id}/end"),
    Route("coordinator.totp_setup", "GET", lambda o: "/coordinator/account/totp", False),
    Route("coordinator.totp_disable", "POST", lambda o: "/coordinator/account/totp/disable", False,
          data={"code": "000000"}),
    Route("coordinator.switch_organization", "POST", lambda o: "/coordinator/organization", False, admin_only=True),
    Route("coordinator.guides", "GET", lambda o: "/coordinator/guides", False),
    Route("coordinator.guide", "GET", lambda o: f"/coordinator/guides/{o.guide_id}"),
    Route("coordinator.edit_profile", "POST", lambda o: f"/coordinator/guides/{o.guide_id}/profile",
          data={"availability": "Montags", "languages-0-language": ""}),
    Route("coordinator.guide_bank_account", "POST", lambda o: f"/coordinator/guides/{o.guide_id}/bank-account",
          data={"account_holder": "Lotsin", "iban": "DE89370400440532013000"}),
    Route("coordinator.add_qualification", "POST", lambda o: f"/coordinator/guides/{o.guide_id}/qualifications",
          data={"kind": "basic", "completed_on": "2026-01-01"}),
    Route("coordinator.delete_qualification", "POST",
          lambda o: f"/coordinator/guides/{o.guide_id}/qualifications/{o.qualification_id}/delete"),
    Route("coordinator.enrolment_code", "POST", lambda o: f"/coordinator/guides/{o.guide_id}/enrolment-code"),
    Route("coordinator.revoke_device", "POST",
          lambda o: f"/coordinator/guides/{o.guide_id}/devices/{o.device_id}/revoke"),
    Route("coordinator.audit", "GET", lambda o: "/coordinator/audit", False),
    Route("coordinator.audit_export", "GET", lambda o: "/coordinator/audit.csv", False),
    Route("coordinator.desk_search", "GET", lambda o: "/coordinator/search?q=guide", False),
    *(Route(f"coordinator.export_{name}", "GET", lambda o, name=name: f"/coordinator/{name}.xlsx", False)
      for name in ("guides", "requests", "assignments", "claims", "payouts", "review")),
]

# Review, conflicts, data protection, import (server/coordinator/review/, guides/).
ROUTES += [
    Route("coordinator.review", "GET", lambda o: "/coordinator/review", False),
    Route("coordinator.review_activity", "GET", lambda o: f"/coordinator/review/{o.activity_id}"),
    Route("coordinator.correct_activity", "POST", lambda o: f"/coordinator/review/{o.activity_id}",
          data={"date": "2026-01-02", "minutes": "45", "kind": "meeting", "district": "", "note": "korrigiert"}),
    Route("coordinator.approve_one", "POST", lambda o: f"/coordinator/review/{o.activity_id}/approve"),
    Route("coordinator.approve_bulk", "POST", lambda o: "/coordinator/review/approve", False),
    Route("coordinator.conflicts", "GET", lambda o: "/coordinator/conflicts", False),
    Route("coordinator.resolve", "POST", lambda o: f"/coordinator/conflicts/{o.conflict_id}/resolve",
          data={"choice": "kept"}),
    Route("coordinator.guide_privacy", "GET", lambda o: f"/coordinator/guides/{o.guide_id}/privacy"),
    Route("coordinator.export_guide", "POST", lambda o: f"/coordinator/guides/{o.guide_id}/export"),
    Route("coordinator.erase_guide", "POST", lambda o: f"/coordinator/guides/{o.guide_id}/erase",
          data={"confirm_name": "not the name"}),
    Route("coordinator.privacy", "GET", lambda o: "/coordinator/privacy", False),
    Route("coordinator.retention_settings", "POST", lambda o: "/coordinator/privacy/retention", False,
          admin_only=True, data={"retention_months": "36", "booking_retention_years": "10"}),
    Route("coordinator.restricted_records", "GET", lambda o: "/coordinator/privacy/restricted", False),
    Route("coordinator.restricted_receipt", "GET",
          lambda o: f"/coordinator/privacy/restricted/receipts/{_restricted_receipt_of(o)}"),
    Route("coordinator.import_guides", "GET", lambda o: "/coordinator/guides/import", False),
    Route("coordinator.import_preview", "POST", lambda o: "/coordinator/guides/import", False),
    Route("coordinator.import_confirm", "POST", lambda o: "/coordinator/guides/import/confirm", False),
]

# Partners, requests, matching and offers, agreements, plenum (request_views.py, plenum_views.py).
_REQUEST = {"field": "parents", "language": "ar", "district": "mitte", "contact": "Frau Lange", "people_count": "1"}
ROUTES += [
    Route("coordinator.partners", "GET", lambda o: "/coordinator/partners", False),
    Route("coordinator.partner", "GET", lambda o: f"/coordinator/partners/{o.partner_id}"),
    Route("coordinator.requests", "GET", lambda o: "/coordinator/requests?show=incomplete", False),
    Route("coordinator.new_request", "POST", lambda o: "/coordinator/requests/new", False, data=_REQUEST),
    Route("coordinator.request_detail", "GET", lambda o: f"/coordinator/requests/{o.request_id}"),
    Route("coordinator.edit_request", "POST", lambda o: f"/coordinator/requests/{o.request_id}/edit", data=_REQUEST),
    Route("coordinator.request_state", "POST", lambda o: f"/coordinator/requests/{o.request_id}/state",
          data={"state": "closed"}),
    Route("coordinator.offer", "POST", lambda o: f"/coordinator/requests/{o.request_id}/offer",
          data={"title": "Begleitung", "client_code": "K-9", "starts_on": "2026-05-01"}),
    Route("coordinator.assignments", "GET", lambda o: "/coordinator/assignments?show=ending", False),
    Route("coordinator.assignment", "GET", lambda o: f"/coordinator/assignments/{o.assignment_id}"),
    Route("coordinator.edit_assignment", "POST", lambda o: f"/coordinator/assignments/{o.assignment_id}",
          data={"title": "Begleitung", "starts_on": "2026-05-01", "ends_on": "2026-06-30"}),
    Route("coordinator.add_offers", "POST", lambda o: f"/coordinator/assignments/{o.assignment_id}/offers"),
    Route("coordinator.withdraw_offer", "POST",
          lambda o: f"/coordinator/assignments/{o.assignment_id}/offers/{o.offer_id}/withdraw"),
    Route("coordinator.end_assignment", "POST", lambda o: f"/coordinator/assignments/{o.assignment_id}/end"),
    Route("coordinator.cancel_assignment", "POST", lambda o: f"/coordinator/assignments/{o.assignment_id}/cancel"),
    Route("coordinator.plenum_events", "GET", lambda o: "/coordinator/plenum", False),
    Route("coordinator.plenum_event", "GET", lambda o: f"/coordinator/plenum/{o.plenum_id}"),
    Route("coordinator.plenum_attendance", "POST", lambda o: f"/coordinator/plenum/{o.plenum_id}/attendance"),
    Route("coordinator.edit_plenum", "POST", lambda o: f"/coordinator/plenum/{o.plenum_id}/edit",
          data={"date": "2026-03-05", "minutes": "90", "title": "Plenum"}),
    Route("coordinator.delete_plenum", "POST", lambda o: f"/coordinator/plenum/{o.plenum_id}/delete"),
    Route("coordinator.messages", "GET", lambda o: "/coordinator/messages", False),
    Route("coordinator.send_message", "POST", lambda o: "/coordinator/messages", False,
          data={"recipient": "all", "body": "Plenum am Donnerstag"}),
    Route("coordinator.send_message_to_guide", "POST", lambda o: f"/coordinator/messages/to/{o.guide_id}",
          data={"body": "Bitte Belege nachreichen"}),
]



def _restricted_receipt_of(o: Objects) -> int:
    """A receipt of a restricted expense of the organization's guide (as after an erasure)."""
    import datetime as dt
    import hashlib

    from server.blobs.models import Blob
    from server.blobs.store import blob_store
    from server.expenses.models import Expense, ExpenseReceipt

    data = b"%PDF-1.4 restricted " + str(o.guide_id).encode()
    sha = hashlib.sha256(data).hexdigest()
    if db.session.get(Blob, (org_of(o.guide_id), sha)) is None:
        db.session.add(Blob(sha256=sha, organization_id=org_of(o.guide_id), content_type="application/pdf",
                            size_bytes=len(data)))
        blob_store().write(org_of(o.guide_id), sha, data)
        expense = Expense(organization_id=org_of(o.guide_id), guide_id=o.guide_id, date=dt.date(2026, 3, 4),
                          category="material", amount_cents=100, state="paid", restricted_until=dt.date(2036, 12, 31))
        expense.receipts = [ExpenseReceipt(sha256=sha)]
        db.session.add(expense)
        db.session.commit()
    return db.session.scalar(select(ExpenseReceipt.id).where(ExpenseReceipt.sha256 == sha))


def _admin_url(o: Objects, suffix: str = "") -> str:
    return f"/coordinator/admin/organizations/{org_of(o.guide_id)}{suffix}"


def _a_coordinator_of(o: Objects) -> int:
    from server.accounts.models import Membership

    return db.session.scalar(select(Membership.user_id).where(
        Membership.organization_id == org_of(o.guide_id), Membership.role == "coordinator"))


# The admin's organization set-up (admin_views.py): an admin works on every organization, so these take
# no object of "their" organization; coordinators are refused with 403.
_ADMIN = {"admin_only": True, "refused_status": 403}
ROUTES += [
    Route("coordinator.admin_organizations", "GET", lambda o: "/coordinator/admin/organizations", False, **_ADMIN),
    Route("coordinator.admin_organization", "GET", lambda o: _admin_url(o), False, **_ADMIN),
    Route("coordinator.admin_organization_settings", "POST", lambda o: _admin_url(o), False,
          data={"name": "Neu", "retention_months": "40", "booking_retention_years": "10"}, **_ADMIN),
    Route("coordinator.admin_bank_account", "POST", lambda o: _admin_url(o, "/bank-account"), False,
          data={"account_holder": "Träger", "iban": "DE89370400440532013000"}, **_ADMIN),
    Route("coordinator.admin_reporting", "POST", lambda o: _admin_url(o, "/reporting"), False,
          data={"funding_reference": "AMIF-1", "booking_mileage": "4660"}, **_ADMIN),
    Route("coordinator.admin_logo", "POST", lambda o: _admin_url(o, "/logo"), False, data={}, **_ADMIN),
    Route("coordinator.admin_remove_logo", "POST", lambda o: _admin_url(o, "/logo/remove"), False, **_ADMIN),
    Route("coordinator.admin_logo_image", "GET", lambda o: _admin_url(o, "/logo"), False, **_ADMIN),
    Route("coordinator.organization_logo", "GET", lambda o: "/coordinator/organization-logo", False),
    Route("coordinator.admin_new_coordinator", "POST", lambda o: _admin_url(o, "/staff"), False,
          data={"name": "Neu", "email": "neu@example.org", "password": "a long initial pw"}, **_ADMIN),
    Route("coordinator.admin_deactivate_staff", "POST",
          lambda o: _admin_url(o, f"/staff/{_a_coordinator_of(o)}/deactivate"), False, **_ADMIN),
    Route("coordinator.admin_send_reset_link", "POST",
          lambda o: _admin_url(o, f"/staff/{_a_coordinator_of(o)}/reset-link"), False, **_ADMIN),
]

# Mail (server/coordinator/desk/password.py, guides/views.py): her own password and mail choices, and a
# guide's enrolment link by mail. Forgotten and one-time password links need no sign-in (PUBLIC).
ROUTES += [
    Route("coordinator.change_password", "GET", lambda o: "/coordinator/account/password", False),
    Route("coordinator.account_mail_preferences", "POST", lambda o: "/coordinator/account/mail", False),
    Route("coordinator.enrolment_mail", "POST", lambda o: f"/coordinator/guides/{o.guide_id}/enrolment-mail"),
]

ROUTES += MONEY_ROUTES

# Qualification courses (course_views.py, course_session_views.py).
ROUTES += [
    Route("coordinator.courses", "GET", lambda o: "/coordinator/courses", False),
    Route("coordinator.course", "GET", lambda o: f"/coordinator/courses/{o.course_id}"),
    Route("coordinator.edit_course", "POST", lambda o: f"/coordinator/courses/{o.course_id}/edit",
          data={"title": "Basiskurs", "kind": "basic", "places": "10"}),
    Route("coordinator.course_trainers", "POST", lambda o: f"/coordinator/courses/{o.course_id}/trainers"),
    Route("coordinator.register_guide", "POST", lambda o: f"/coordinator/courses/{o.course_id}/registrations"),
    Route("coordinator.register_person", "POST", lambda o: f"/coordinator/courses/{o.course_id}/registrations/person",
          data={"name": "Mira Neu", "email": "mira@example.org"}),
    Route("coordinator.decide_registration", "POST",
          lambda o: f"/coordinator/courses/{o.course_id}/registrations/{o.registration_id}/cancelled"),
    Route("coordinator.finish_course", "POST", lambda o: f"/coordinator/courses/{o.course_id}/finish"),
    Route("coordinator.add_course_session", "POST", lambda o: f"/coordinator/courses/{o.course_id}/sessions",
          data={"date": "2026-03-05", "minutes": "90"}),
    Route("coordinator.course_session", "GET",
          lambda o: f"/coordinator/courses/{o.course_id}/sessions/{o.course_session_id}"),
    Route("coordinator.course_attendance", "POST",
          lambda o: f"/coordinator/courses/{o.course_id}/sessions/{o.course_session_id}"),
    Route("coordinator.delete_course_session", "POST",
          lambda o: f"/coordinator/courses/{o.course_id}/sessions/{o.course_session_id}/delete"),
]

# The organization's public pages on the desk (public_views.py): its own request form and directory entry.
ROUTES += [
    Route("coordinator.public_profile", "GET", lambda o: "/coordinator/public", False),
    Route("coordinator.public_form_settings", "POST", lambda o: "/coordinator/public/form", False,
          data={"form_enabled": "y", "privacy_notice": "Verantwortlich: der Träger."}),
    Route("coordinator.public_profile_save", "POST", lambda o: "/coordinator/public/profile", False,
          data={"offer": "Begleitung", "districts": ["mitte"]}),
    Route("coordinator.public_profile_preview", "GET", lambda o: "/coordinator/public/preview", False),
    Route("coordinator.public_profile_publish", "POST", lambda o: "/coordinator/public/publish", False),
    Route("coordinator.public_profile_withdraw", "POST", lambda o: "/coordinator/public/withdraw", False),
]


ROLES = ["anonymous", "guide", "coordinator_a", "coordinator_b", "admin"]


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/coordinator")}
    assert endpoints == {r.endpoint for r in ROUTES} | PUBLIC


TINY_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                         "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _objects(world, org, guide, coordinator, make_device, app) -> Objects:
    make_device(guide)
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    qualification = Qualification(profile_id=profile.id, kind="basic", completed_on=__import__("datetime").date(
        2026, 1, 1))
    db.session.add(qualification)
    org.logo, org.logo_content_type = TINY_PNG, "image/png"  # the logo routes have something to show
    db.session.commit()
    other_browser = app.test_client()
    assert sign_in(other_browser, coordinator.email).status_code == 302
    session_id = db.session.scalars(select(UserSession.id).where(UserSession.user_id == coordinator.id)).first()
    device_id = db.session.scalar(select(Device.id).where(Device.user_id == guide.id))
    activity, conflict = _activity_and_conflict(org, guide)
    objects = Objects(guide.id, device_id, qualification.id, session_id, activity_id=activity, conflict_id=conflict)
    return _assignment_objects(objects, org, guide)


def _assignment_objects(objects: Objects, org, guide) -> Objects:
    import dataclasses
    import datetime as dt

    from server.activities.models import PlenumEvent
    from server.assignments.models import Assignment, AssignmentOffer, AssignmentRequest, PartnerInstitution
    from server.courses.models import Course, CourseRegistration, CourseSession

    partner = PartnerInstitution(organization_id=org.id, name=f"Partner of {org.slug}")
    db.session.add(partner)
    db.session.flush()
    request = AssignmentRequest(organization_id=org.id, partner_id=partner.id, description="Anfrage")
    event = PlenumEvent(organization_id=org.id, date=dt.date(2026, 3, 4))
    db.session.add_all([request, event])
    db.session.flush()
    assignment = Assignment(organization_id=org.id, request_id=request.id, title="Begleitung", state="offered",
                            starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 5, 10))
    assignment.offers = [AssignmentOffer(organization_id=org.id, guide_id=guide.id)]
    db.session.add(assignment)
    db.session.commit()
    course = Course(organization_id=org.id, kind="basic", title=f"Basiskurs {org.slug}", places=10)
    db.session.add(course)
    db.session.flush()
    course_session = CourseSession(organization_id=org.id, course_id=course.id, date=dt.date(2026, 3, 4), minutes=90)
    registration = CourseRegistration(organization_id=org.id, course_id=course.id, name="Mira Neu",
                                      email=f"mira@{org.slug}.example")
    db.session.add_all([course_session, registration])
    db.session.commit()
    return dataclasses.replace(objects, partner_id=partner.id, request_id=request.id, assignment_id=assignment.id,
                               offer_id=assignment.offers[0].id, plenum_id=event.id, course_id=course.id,
                               course_session_id=course_session.id, registration_id=registration.id)


def _activity_and_conflict(org, guide) -> tuple[str, str]:
    import datetime as dt

    from server.activities.models import Activity
    from sync.tables import Conflict

    activity = Activity(organization_id=org.id, guide_id=guide.id, date=dt.date(2026, 1, 2), minutes=30,
                        kind="meeting", note="Notiz")
    db.session.add(activity)
    db.session.flush()
    conflict = Conflict(organization_id=org.id, guide_id=guide.id, record_type="activity", record_id=activity.id,
                        field="note", kept_value="Notiz", lost_value="andere Notiz")
    db.session.add(conflict)
    db.session.commit()
    return activity.id, conflict.id


def _denied_to_login(response) -> bool:
    return response.status_code == 302 and response.location.startswith("/coordinator/login?next=")


def _reached(response) -> bool:
    """The handler ran for this user (success, or a form error) — not refused, not hidden."""
    return response.status_code < 500 and response.status_code not in (401, 403, 404) \
        and not _denied_to_login(response)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.endpoint.split(".")[1])
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, make_device, role, route):
    objects = {
        "a": _objects(world, world.org_a, world.guide_a, world.coord_a, make_device, app),
        "b": _objects(world, world.org_b, world.guide_b, world.coord_b, make_device, app),
    }
    browser = app.test_client()
    headers = {}
    if role == "guide":
        from server.accounts.passwords import hash_password

        world.guide_a.password_hash = hash_password("correct horse battery")
        db.session.commit()
        assert sign_in(browser, world.guide_a.email).status_code == 401
        headers = {"Authorization": "Bearer not-for-these-pages"}
    elif role != "anonymous":
        user = {"coordinator_a": world.coord_a, "coordinator_b": world.coord_b, "admin": world.admin}[role]
        assert sign_in(browser, user.email).status_code == 302
    own = {"coordinator_a": "a", "coordinator_b": "b", "admin": "a"}.get(role)

    for org_key, objs in objects.items():
        if not route.takes_object and org_key == "b":
            continue
        if route.endpoint == "coordinator.end_one_session" and org_key == own:
            # Own organization here means: my own session (another user's, even a colleague's, is 404).
            with browser.session_transaction() as session:
                objs = Objects(objs.guide_id, objs.device_id, objs.qualification_id, session["sid"],
                               objs.activity_id, objs.conflict_id)
        response = browser.open(route.url(objs), method=route.method, data=route.data or {}, headers=headers)
        if role in ("anonymous", "guide"):
            assert _denied_to_login(response), (role, route.endpoint, response.status_code)
        elif route.admin_only and role != "admin":
            assert response.status_code == route.refused_status, (role, route.endpoint, response.status_code)
        elif not route.takes_object or org_key == own:
            assert _reached(response), (role, route.endpoint, org_key, response.status_code)
        else:
            assert response.status_code == 404, (role, route.endpoint, org_key, response.status_code)
        if route.method == "GET" and own is not None and response.status_code == 200:
            body = response.get_data().decode(errors="replace")  # PDF and XLSX downloads too
            other = world.guide_b if own == "a" else world.guide_a
            assert other.name not in body and other.email not in body, "another organization's guide leaked"
        if route.endpoint in ("coordinator.logout",) or (route.endpoint == "coordinator.end_one_session"
                                                          and org_key == own):
            break  # signed out now


def test_admin_switches_organization(app, world):
    browser = app.test_client()
    sign_in(browser, world.admin.email)
    assert browser.get(f"/coordinator/guides/{world.guide_b.id}").status_code == 404
    assert browser.post("/coordinator/organization", data={"organization": world.org_b.id}).status_code == 302
    assert browser.get(f"/coordinator/guides/{world.guide_b.id}").status_code == 200
    assert browser.get(f"/coordinator/guides/{world.guide_a.id}").status_code == 404
    guides = browser.get("/coordinator/guides").get_data(as_text=True)
    assert world.guide_b.name in guides and world.guide_a.name not in guides


def test_a_coordinator_cannot_switch_organization(app, world):
    browser = app.test_client()
    sign_in(browser, world.coord_a.email)
    assert browser.post("/coordinator/organization", data={"organization": world.org_b.id}).status_code == 404
    assert browser.get(f"/coordinator/guides/{world.guide_b.id}").status_code == 404
