"""Partners, requests (complete and incomplete), matching on the page, offers that reach the guides'
phones (first acceptance wins), withdrawing, and the agreement with its reminder."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from server.assignments.models import (
    Assignment,
    AssignmentOffer,
    AssignmentRequest,
    Client,
    PartnerInstitution,
)
from server.audit.models import AuditEvent
from server.extensions import db
from server.guides.models import GuideLanguage, GuideProfile
from sync import clock

TODAY = clock.today()


@pytest.fixture
def desk(signed_in):
    """A coordinator's browser showing the pages in English (the texts the assertions read)."""

    def make(user):
        browser = signed_in(user)
        browser.post("/coordinator/language", data={"lang": "en", "next": "/coordinator/"})
        return browser

    return make


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def partner(world):
    row = PartnerInstitution(organization_id=world.org_a.id, name="Grundschule Am Lindener Markt", kind="school",
                             district="linden-limmer")
    db.session.add(row)
    db.session.commit()
    return row


def _complete(partner_id: int, **overrides: str) -> dict[str, str]:
    form = {"partner_id": str(partner_id), "field": "parents", "language": "AR", "dialect": "Levantinisch",
            "district": "linden-limmer", "starts_on": (TODAY + dt.timedelta(days=7)).isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=97)).isoformat(), "expected_hours": "12.5",
            "contact": "Herr Brandt, Schulsozialarbeit", "people_count": "2",
            "description": "Elterngespräche sprachlich begleiten."}
    form.update(overrides)
    return form


def test_partner_create_and_edit(desk, world):
    browser = desk(world.coord_a)
    response = browser.post("/coordinator/partners", data={"name": "Jobcenter Mitte", "kind": "job centre",
                                                           "district": "mitte", "contact_email": "a@b.de"})
    assert response.status_code == 302
    row = db.session.scalar(select(PartnerInstitution))
    assert (row.name, row.organization_id, row.district) == ("Jobcenter Mitte", world.org_a.id, "mitte")
    assert browser.post("/coordinator/partners", data={"name": ""}).status_code == 400
    response = browser.post(f"/coordinator/partners/{row.id}", data={"name": "Jobcenter Hannover-Mitte",
                                                                     "district": ""})
    assert response.status_code == 302
    db.session.refresh(row)
    assert (row.name, row.district) == ("Jobcenter Hannover-Mitte", None)
    assert "Jobcenter Hannover-Mitte" in browser.get("/coordinator/partners").get_data(as_text=True)
    assert [a for a in _actions() if a.startswith("partner.")] == ["partner.created", "partner.edited"]
    assert desk(world.coord_b).get(f"/coordinator/partners/{row.id}").status_code == 404


def test_a_complete_request(desk, world, partner):
    browser = desk(world.coord_a)
    response = browser.post("/coordinator/requests/new", data=_complete(partner.id))
    assert response.status_code == 302
    row = db.session.scalar(select(AssignmentRequest))
    assert row.missing_fields == []
    assert (row.language, row.expected_minutes, row.people_count, row.state) == ("ar", 750, 2, "open")
    page = browser.get(response.location).get_data(as_text=True)
    assert "The request was saved." in page and "incomplete" not in page
    assert _actions()[-1] == "request.created"


def test_an_incomplete_request_is_kept_and_flagged(desk, world, partner):
    browser = desk(world.coord_a)
    response = browser.post("/coordinator/requests/new", data={
        "partner_id": str(partner.id), "field": "", "language": "", "district": "nord",
        "contact": "Frau Lange (Rückruf erbeten)", "description": "Telefonische Anfrage."})
    assert response.status_code == 302
    row = db.session.scalar(select(AssignmentRequest))
    assert row.description == "Telefonische Anfrage." and row.district == "nord"
    assert row.missing_fields == ["field", "language", "starts_on", "ends_on", "expected_minutes", "people_count"]
    page = browser.get(response.location).get_data(as_text=True)
    assert "Still missing: field, language, start, end, expected effort, number of people." in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "request.created"))
    assert event.details["missing"] == row.missing_fields
    # Completing it later clears the flag.
    response = browser.post(f"/coordinator/requests/{row.id}/edit", data=_complete(partner.id))
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.missing_fields == []


def test_a_request_with_a_bad_period_is_refused(desk, world, partner):
    browser = desk(world.coord_a)
    response = browser.post("/coordinator/requests/new", data=_complete(
        partner.id, starts_on="2026-05-10", ends_on="2026-05-01"))
    assert response.status_code == 400
    assert db.session.scalar(select(AssignmentRequest)) is None


def test_request_list_filters(desk, world, partner):
    org = world.org_a.id
    complete = AssignmentRequest(organization_id=org, partner_id=partner.id, field="parents", language="ar",
                                 district="mitte", starts_on=TODAY, ends_on=TODAY, expected_minutes=60,
                                 contact="x", people_count=1, description="complete-one")
    incomplete = AssignmentRequest(organization_id=org, description="incomplete-one", language="tr")
    matched = AssignmentRequest(organization_id=org, description="matched-one", state="matched")
    closed = AssignmentRequest(organization_id=org, description="closed-one", state="closed", field="sport",
                               language="tr", district="mitte", starts_on=TODAY, ends_on=TODAY, expected_minutes=1,
                               contact="y", people_count=1)
    other = AssignmentRequest(organization_id=world.org_b.id, description="other-org")
    db.session.add_all([complete, incomplete, matched, closed, other])
    db.session.flush()
    db.session.add(Assignment(organization_id=org, request_id=matched.id, title="t", starts_on=TODAY,
                              state="active", guide_id=world.guide_a.id))
    db.session.commit()
    browser = desk(world.coord_a)

    def ids(query: str) -> set[int]:
        html = browser.get(f"/coordinator/requests?{query}").get_data(as_text=True)
        return {int(i) for i in re.findall(r'href="/coordinator/requests/(\d+)"', html)}

    assert ids("") == {complete.id, incomplete.id, matched.id, closed.id}
    assert ids("show=open") == {complete.id, incomplete.id}
    assert ids("show=without_guide") == {complete.id, incomplete.id}
    assert ids("show=incomplete") == {incomplete.id}


@pytest.fixture
def team(world, make_user):
    """Guides of organization A with different profiles (Ayşe Guide-A speaks no Arabic)."""
    org = world.org_a
    people = {
        "chadi": make_user(org, "guide", "chadi@example.org", "Chadi Levant"),
        "dina": make_user(org, "guide", "dina@example.org", "Dina Cairo"),
    }
    for key, langs, districts in (("chadi", [("ar", "C2", "Levantinisch")], ["linden-limmer"]),
                                  ("dina", [("ar", "native", "Ägyptisch")], ["nord"])):
        profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == people[key].id))
        profile.languages = [GuideLanguage(language=c, level=lv, dialect=d, position=i)
                             for i, (c, lv, d) in enumerate(langs)]
        profile.districts, profile.monthly_hour_limit = districts, 20
    db.session.commit()
    return people


def _request(world, partner) -> AssignmentRequest:
    row = AssignmentRequest(organization_id=world.org_a.id, partner_id=partner.id, field="parents", language="ar",
                            dialect="Levantinisch", district="linden-limmer", starts_on=TODAY,
                            ends_on=TODAY + dt.timedelta(days=60), expected_minutes=600, contact="Herr Brandt",
                            people_count=2, description="Elterngespräche")
    db.session.add(row)
    db.session.commit()
    return row


def test_matching_on_the_request_page(desk, world, partner, team, add_activity):
    row = _request(world, partner)
    add_activity(team["chadi"], world.org_a, TODAY, minutes=12 * 60 if TODAY.day > 1 else 60)
    html = desk(world.coord_a).get(f"/coordinator/requests/{row.id}").get_data(as_text=True)
    names = re.findall(r"<strong>([^<]+)</strong>", html.split('id="match-heading"')[1])
    assert names[:3] == ["Chadi Levant", "Dina Cairo", "Ayşe Guide-A"]
    assert "Boris Guide-B" not in html
    assert "speaks Arabic (Levantinisch, C2)" in html and "district Linden-Limmer" in html
    assert "not the dialect Levantinisch" in html and "does not speak Arabic" in html


def _offer(browser, row, guides, **extra):
    data = {"title": "Elterngespräche", "client_id": "", "client_code": "K-2026-031", "client_language": "ar",
            "household_size": "4", "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=10)).isoformat(), "planned_hours": "10",
            "guides": [str(g.id) for g in guides]}
    data.update(extra)
    return browser.post(f"/coordinator/requests/{row.id}/offer", data=data)


def test_offer_accept_first_wins_and_the_coordinator_sees_it(desk, world, partner, team, make_device):
    row = _request(world, partner)
    chadi_phone, dina_phone = make_device(team["chadi"]), make_device(team["dina"])
    ayse_phone = make_device(world.guide_a)
    for phone in (chadi_phone, dina_phone, ayse_phone):
        phone.sync()
    browser = desk(world.coord_a)
    response = _offer(browser, row, [team["chadi"], team["dina"]])
    assert response.status_code == 302, response.data[:2000]
    assignment = db.session.scalar(select(Assignment))
    assert response.location == f"/coordinator/assignments/{assignment.id}"
    client = db.session.scalar(select(Client))
    assert (client.code, client.language, client.household_size) == ("K-2026-031", "ar", 4)
    assert (assignment.state, assignment.request_id, assignment.client_id, assignment.planned_minutes) == \
        ("offered", row.id, client.id, 600)
    assert sorted(o.guide_id for o in assignment.offers) == sorted([team["chadi"].id, team["dina"].id])

    # Both offered guides receive it; a guide who was not asked does not.
    for phone in (chadi_phone, dina_phone, ayse_phone):
        phone.sync()
    seen = chadi_phone.record("assignment", assignment.id)
    assert seen["offer_state"] == "offered" and seen["client_code"] == "K-2026-031"
    assert seen["household_size"] == 4 and "name" not in seen
    assert dina_phone.record("assignment", assignment.id)["offer_state"] == "offered"
    assert ayse_phone.record("assignment", assignment.id) is None

    # Dina accepts first; Chadi's later acceptance is refused and his phone shows it taken.
    dina_phone.upsert("assignment", assignment.id, response="accepted")
    dina_phone.sync()
    chadi_phone.upsert("assignment", assignment.id, response="accepted")
    chadi_phone.sync()
    assert [r["error"]["code"] for r in chadi_phone.rejections()] == ["taken"]
    assert chadi_phone.record("assignment", assignment.id)["offer_state"] == "taken"
    assert dina_phone.record("assignment", assignment.id)["offer_state"] == "accepted"

    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).guide_id == team["dina"].id
    assert db.session.get(AssignmentRequest, row.id).state == "matched"
    page = browser.get(f"/coordinator/assignments/{assignment.id}").get_data(as_text=True)
    assert re.search(r"Dina Cairo</a>", page)
    assert "taken by someone else" in page and ">accepted<" in page
    assert "assignment.offered" in _actions()


def test_offer_needs_a_guide_and_a_client(desk, world, partner, team):
    row = _request(world, partner)
    browser = desk(world.coord_a)
    assert _offer(browser, row, []).status_code == 400
    assert _offer(browser, row, [team["chadi"]], client_code="").status_code == 400
    assert _offer(browser, row, [world.guide_b]).status_code == 400  # another organization's guide
    assert db.session.scalar(select(Assignment)) is None and db.session.scalar(select(Client)) is None


def test_offer_to_an_existing_client_and_continuity(desk, world, partner, team):
    row = _request(world, partner)
    client = Client(organization_id=world.org_a.id, code="K-2025-007", language="ar", household_size=3)
    db.session.add(client)
    db.session.flush()
    db.session.add(Assignment(organization_id=world.org_a.id, title="Earlier", client_id=client.id,
                              guide_id=team["dina"].id, state="ended", starts_on=TODAY - dt.timedelta(days=200),
                              ends_on=TODAY - dt.timedelta(days=100)))
    db.session.commit()
    browser = desk(world.coord_a)
    html = browser.get(f"/coordinator/requests/{row.id}?client={client.id}").get_data(as_text=True)
    names = re.findall(r"<strong>([^<]+)</strong>", html.split('id="match-heading"')[1])
    assert names[0] == "Dina Cairo" and "accompanied this client before (1×)" in html
    assert _offer(browser, row, [team["dina"]], client_id=client.id, client_code="").status_code == 302
    assert db.session.scalar(select(Assignment).where(Assignment.title == "Elterngespräche")).client_id == client.id


def test_withdraw_sends_a_tombstone_and_reopens(desk, world, partner, team, make_device):
    row = _request(world, partner)
    chadi_phone, dina_phone = make_device(team["chadi"]), make_device(team["dina"])
    browser = desk(world.coord_a)
    assert _offer(browser, row, [team["chadi"], team["dina"]]).status_code == 302
    assignment = db.session.scalar(select(Assignment))
    chadi_phone.sync()
    dina_phone.sync()
    chadi_phone.upsert("assignment", assignment.id, response="accepted")
    chadi_phone.sync()
    dina_phone.sync()
    assert dina_phone.record("assignment", assignment.id)["offer_state"] == "taken"

    offer = db.session.scalar(select(AssignmentOffer).where(AssignmentOffer.guide_id == team["chadi"].id))
    response = browser.post(f"/coordinator/assignments/{assignment.id}/offers/{offer.id}/withdraw")
    assert response.status_code == 302
    chadi_phone.sync()
    dina_phone.sync()
    assert chadi_phone.record("assignment", assignment.id) is None  # the tombstone arrived
    assert dina_phone.record("assignment", assignment.id)["offer_state"] == "offered"  # open again
    db.session.expire_all()
    current = db.session.get(Assignment, assignment.id)
    assert (current.state, current.guide_id) == ("offered", None)
    assert db.session.get(AssignmentRequest, row.id).state == "open"
    assert _actions()[-1] == "assignment.offer_withdrawn"

    # Offer it to one more guide: her phone gets it.
    ayse_phone = make_device(world.guide_a)
    assert browser.post(f"/coordinator/assignments/{assignment.id}/offers",
                        data={"guides": [str(world.guide_a.id)]}).status_code == 302
    ayse_phone.sync()
    assert ayse_phone.record("assignment", assignment.id)["offer_state"] == "offered"


def test_agreement_edit_syncs_and_the_reminder_lists_it(desk, world, team, make_device):
    org = world.org_a.id
    chadi = team["chadi"]
    ending = Assignment(organization_id=org, title="Ending soon", starts_on=TODAY - dt.timedelta(days=60),
                        ends_on=TODAY + dt.timedelta(days=5), state="active", guide_id=chadi.id, planned_minutes=600)
    later = Assignment(organization_id=org, title="Ending later", starts_on=TODAY - dt.timedelta(days=60),
                       ends_on=TODAY + dt.timedelta(days=40), state="active", guide_id=chadi.id)
    other = Assignment(organization_id=world.org_b.id, title="Other org ending", starts_on=TODAY,
                       ends_on=TODAY + dt.timedelta(days=3), state="active", guide_id=world.guide_b.id)
    db.session.add_all([ending, later, other])
    db.session.commit()
    phone = make_device(chadi)
    phone.sync()
    browser = desk(world.coord_a)
    dashboard = browser.get("/coordinator/").get_data(as_text=True)
    assert 'href="/coordinator/assignments?show=ending"' in dashboard
    listed = browser.get("/coordinator/assignments?show=ending").get_data(as_text=True)
    assert "Ending soon" in listed and "Ending later" not in listed and "Other org" not in listed
    assert "ends in 5 days" in listed
    page = browser.get(f"/coordinator/assignments/{ending.id}").get_data(as_text=True)
    assert "This agreement ends in 5 days." in page

    new_end = TODAY + dt.timedelta(days=90)
    response = browser.post(f"/coordinator/assignments/{ending.id}", data={
        "title": "Ending soon", "starts_on": ending.starts_on.isoformat(), "ends_on": new_end.isoformat(),
        "planned_hours": "15", "description": ""})
    assert response.status_code == 302
    phone.sync()
    seen = phone.record("assignment", ending.id)
    assert (seen["ends_on"], seen["planned_minutes"]) == (new_end.isoformat(), 900)
    assert "Ending soon" not in browser.get("/coordinator/assignments?show=ending").get_data(as_text=True)
    assert _actions()[-1] == "assignment.edited"
    bad = browser.post(f"/coordinator/assignments/{ending.id}", data={
        "title": "x", "starts_on": TODAY.isoformat(), "ends_on": (TODAY - dt.timedelta(days=1)).isoformat()})
    assert bad.status_code == 400


def test_end_and_cancel(desk, world, partner, team, make_device):
    row = _request(world, partner)
    browser = desk(world.coord_a)
    assert _offer(browser, row, [team["chadi"]]).status_code == 302
    assignment = db.session.scalar(select(Assignment))
    phone = make_device(team["chadi"])
    phone.sync()
    assert phone.record("assignment", assignment.id) is not None
    assert browser.post(f"/coordinator/assignments/{assignment.id}/cancel").status_code == 302
    phone.sync()
    assert phone.record("assignment", assignment.id) is None
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).state == "cancelled"
    # An assignment that is not active cannot be ended.
    browser.post(f"/coordinator/assignments/{assignment.id}/end")
    assert db.session.get(Assignment, assignment.id).state == "cancelled"
