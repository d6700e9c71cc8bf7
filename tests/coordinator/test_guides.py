"""Guides: the list and its filters, the competence profile (synced to the guide's phone), qualifications,
enrolment codes and device revocation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from server.accounts.models import Device, EnrolmentCode
from server.audit.models import AuditEvent
from server.extensions import db
from server.guides.models import GuideLanguage, GuideProfile
from sync import clock
from sync.client import SyncFailed


def _profile(user):
    return db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == user.id))


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/coordinator/guides/\d+">([^<]+)</a>', html)


@pytest.fixture
def guides(world, make_user, add_activity):
    """Three more guides of organization A with different profiles."""
    org = world.org_a
    people = {
        "tr": make_user(org, "guide", "tuerkan@example.org", "Türkan Yılmaz"),
        "ar": make_user(org, "guide", "samir@example.org", "Samir Haddad"),
        "off": make_user(org, "guide", "olga@example.org", "Olga Off"),
    }
    for key, langs, specs, districts in (
        ("tr", [("tr", "native", "")], ["parents"], ["mitte", "linden-limmer"]),
        ("ar", [("ar", "native", "Levantinisch"), ("de", "B2", "")], ["sport", "parents"], ["nord"]),
        ("off", [("ru", "C1", "")], [], ["mitte"]),
    ):
        profile = _profile(people[key])
        profile.languages = [GuideLanguage(language=c, level=lv, dialect=d, position=i)
                             for i, (c, lv, d) in enumerate(langs)]
        profile.specialisations, profile.districts = specs, districts
    people["off"].active = False
    db.session.commit()
    add_activity(people["tr"], org, clock.today())
    add_activity(people["ar"], org, clock.today() - dt.timedelta(days=100))
    return people


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["Ayşe Guide-A", "Olga Off", "Samir Haddad", "Türkan Yılmaz"]),
    ("q=samir", ["Samir Haddad"]),
    ("q=EXAMPLE.ORG&language=tr", ["Türkan Yılmaz"]),
    ("language=ar", ["Samir Haddad"]),
    ("specialisation=parents", ["Samir Haddad", "Türkan Yılmaz"]),
    ("specialisation=sport&district=nord", ["Samir Haddad"]),
    ("district=mitte", ["Olga Off", "Türkan Yılmaz"]),
    ("active=no", ["Olga Off"]),
    ("active=yes&idle=1", ["Ayşe Guide-A", "Samir Haddad"]),
    ("district=not-a-district", ["Ayşe Guide-A", "Olga Off", "Samir Haddad", "Türkan Yılmaz"]),
])
def test_guide_list_filters(signed_in, world, guides, query, expected):
    html = signed_in(world.coord_a).get(f"/coordinator/guides?{query}").get_data(as_text=True)
    assert _names(html) == expected  # never Boris Guide-B of the other organization


def test_profile_edit_reaches_the_guides_phone(signed_in, world, make_device):
    phone = make_device(world.guide_a)
    phone.sync()
    profile = _profile(world.guide_a)
    browser = signed_in(world.coord_a)
    form = {
        "phone": "0511 123456", "availability": "Mo–Mi nachmittags", "monthly_hour_limit": "20",
        "specialisations": ["parents", "tolerance"], "districts": ["mitte", "nord"],
        "languages-0-language": "TR", "languages-0-level": "native", "languages-0-dialect": "",
        "languages-1-language": "ku", "languages-1-level": "B1", "languages-1-dialect": "Kurmancî",
        "languages-2-language": "", "languages-2-level": "", "languages-2-dialect": "",
    }
    response = browser.post(f"/coordinator/guides/{world.guide_a.id}/profile", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    phone.sync()
    data = phone.record("profile", profile.id)
    assert data["phone"] == "0511 123456" and data["monthly_hour_limit"] == 20
    assert data["specialisations"] == ["parents", "tolerance"] and data["districts"] == ["mitte", "nord"]
    assert data["languages"] == [{"language": "tr", "level": "native", "dialect": ""},
                                 {"language": "ku", "level": "B1", "dialect": "Kurmancî"}]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "guide.profile_edited"))
    assert event.actor_user_id == world.coord_a.id and "phone" in event.details["fields"]

    # Saving the unchanged form changes nothing (no new version for the phone).
    version = phone.version("profile", profile.id)
    browser.post(f"/coordinator/guides/{world.guide_a.id}/profile", data=form)
    phone.sync()
    assert phone.version("profile", profile.id) == version


def test_profile_edit_refuses_invalid_input(signed_in, world):
    browser = signed_in(world.coord_a)
    response = browser.post(f"/coordinator/guides/{world.guide_a.id}/profile", data={
        "monthly_hour_limit": "9999", "languages-0-language": "tr", "languages-0-level": ""})
    assert response.status_code == 400
    response = browser.post(f"/coordinator/guides/{world.guide_a.id}/profile", data={
        "languages-0-language": "tr", "languages-0-level": ""})
    assert response.status_code == 400 and "Sprache tr" in response.get_data(as_text=True)


def test_qualifications_are_added_removed_and_synced(signed_in, world, make_device):
    phone = make_device(world.guide_a)
    browser = signed_in(world.coord_a)
    response = browser.post(f"/coordinator/guides/{world.guide_a.id}/qualifications", data={
        "kind": "basic", "title": "Basisqualifizierung", "completed_on": "2026-05-20", "provider": "VHS"})
    assert response.status_code == 302
    profile = _profile(world.guide_a)
    db.session.refresh(profile)
    assert [(q.kind, q.completed_on) for q in profile.qualifications] == [("basic", dt.date(2026, 5, 20))]
    phone.sync()
    assert phone.record("profile", profile.id)["qualifications"][0]["completed_on"] == "2026-05-20"
    qualification_id = profile.qualifications[0].id
    assert browser.post(f"/coordinator/guides/{world.guide_a.id}/qualifications/{qualification_id}/delete"
                        ).status_code == 302
    phone.sync()
    assert phone.record("profile", profile.id)["qualifications"] == []


def test_enrolment_code_page(signed_in, world, app):
    response = signed_in(world.coord_a).post(f"/coordinator/guides/{world.guide_a.id}/enrolment-code")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    code = re.search(r'id="enrolment-code">([A-Z0-9-]+)<', html).group(1)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert f"/enroll#code={code}" in html and "<svg" in html
    assert db.session.scalar(select(EnrolmentCode).where(EnrolmentCode.user_id == world.guide_a.id)
                             ).created_by_id == world.coord_a.id
    # The code works on a phone.
    enrol = app.test_client().post("/api/v1/enroll", json={"code": code, "device_name": "Pixel"})
    assert enrol.status_code == 201


def test_revoked_device_gets_401_device_revoked(signed_in, world, make_device):
    phone, other = make_device(world.guide_a, "old phone"), make_device(world.guide_a, "new phone")
    device_id = phone.token and db.session.scalar(select(Device.id).where(Device.name == "old phone"))
    browser = signed_in(world.coord_a)
    assert "old phone" in browser.get(f"/coordinator/guides/{world.guide_a.id}").get_data(as_text=True)
    response = browser.post(f"/coordinator/guides/{world.guide_a.id}/devices/{device_id}/revoke")
    assert response.status_code == 302
    with pytest.raises(SyncFailed) as failed:
        phone.sync()
    assert failed.value.status == 401 and failed.value.body["error"]["code"] == "device_revoked"
    other.sync()  # the guide's other phone keeps working
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "device.revoked")).object_id == device_id


def test_guide_page_shows_the_timeline(signed_in, world, add_activity):
    add_activity(world.guide_a, world.org_a, dt.date(2026, 1, 5), note="Elternabend Grundschule",
                 needs_professional_help=True)
    html = signed_in(world.coord_a).get(f"/coordinator/guides/{world.guide_a.id}").get_data(as_text=True)
    assert "Elternabend Grundschule" in html and 'class="flagged"' in html
