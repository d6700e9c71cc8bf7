"""Qualification courses on the desk: a course with sessions and places, guides and future guides
registered, attendance on the sheet and on a trainer's phone (offline, replayed), and concluding the
course: the qualification on the guide's profile, a participation certificate verifiable at /verify."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from server.courses.models import Course, CourseAttendance, CourseRegistration, CourseSession
from server.extensions import db
from server.guides.models import GuideProfile
from server.money.models import Certificate


def _course(browser, **fields) -> Course:
    data = {"title": "Sportlotsin Modul 1", "kind": "specialisation", "specialisation": "sport",
            "location": "Sportbund, Raum 3", "places": "2", "required_hours": "5", **fields}
    response = browser.post("/coordinator/courses", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    course = db.session.scalars(select(Course).order_by(Course.id.desc())).first()
    assert response.location == f"/coordinator/courses/{course.id}"
    return course


def _session(browser, course, day: str, minutes: int = 180) -> CourseSession:
    assert browser.post(f"/coordinator/courses/{course.id}/sessions",
                        data={"date": day, "starts_at": "18:00", "minutes": str(minutes), "topic": "Teil"}
                        ).status_code == 302
    return db.session.scalars(select(CourseSession).order_by(CourseSession.id.desc())).first()


def test_a_course_from_creation_to_certificate(signed_in, world, make_user, clock):
    clock("2026-05-20T10:00:00+02:00")
    browser = signed_in(world.coord_a)
    course = _course(browser)
    first, second = _session(browser, course, "2026-05-04"), _session(browser, course, "2026-05-11")
    page = browser.get(f"/coordinator/courses/{course.id}").get_data(as_text=True)
    assert "Sportlotsin Modul 1" in page and "0 von 2 Plätzen belegt" in page and "5 von 6 h zum Abschluss" in page

    olga = make_user(world.org_a, "guide", "olga@example.org", "Olga Kurs")
    assert browser.post(f"/coordinator/courses/{course.id}/registrations",
                        data={"guide": str(world.guide_a.id)}).status_code == 302
    assert browser.post(f"/coordinator/courses/{course.id}/registrations/person",
                        data={"name": "Mira Neu", "email": "Mira@Example.org"}).status_code == 302
    # Two places, both taken: the third is refused and nothing is written.
    full = browser.post(f"/coordinator/courses/{course.id}/registrations", data={"guide": str(olga.id)})
    assert full.status_code == 409 and "Der Kurs ist voll" in full.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(CourseRegistration)) == 2
    # Another organization's guide is not a choice.
    assert browser.post(f"/coordinator/courses/{course.id}/registrations",
                        data={"guide": str(world.guide_b.id)}).status_code == 400
    bad = browser.post(f"/coordinator/courses/{course.id}/registrations/person", data={"name": "X", "email": "x"})
    assert bad.status_code == 400 and "gültige E-Mail-Adresse" in bad.get_data(as_text=True)

    ayse = db.session.scalar(select(CourseRegistration).where(CourseRegistration.user_id == world.guide_a.id))
    mira = db.session.scalar(select(CourseRegistration).where(CourseRegistration.email == "mira@example.org"))
    assert db.session.scalar(select(db.func.count()).select_from(CourseAttendance)) == 4  # 2 sessions × 2

    # The first session on the desk's sheet: both there; the second: only Ayşe.
    assert browser.post(f"/coordinator/courses/{course.id}/sessions/{first.id}",
                        data={"people": [str(ayse.id), str(mira.id)]}).status_code == 302
    assert browser.post(f"/coordinator/courses/{course.id}/sessions/{second.id}",
                        data={"people": [str(ayse.id)]}).status_code == 302
    sheet = browser.get(f"/coordinator/courses/{course.id}/sessions/{second.id}").get_data(as_text=True)
    assert re.search(rf'id="present-{ayse.id}"[^>]*checked', sheet)
    assert not re.search(rf'id="present-{mira.id}"[^>]*checked', sheet)

    done = browser.post(f"/coordinator/courses/{course.id}/finish", follow_redirects=True).get_data(as_text=True)
    assert "1 Teilnehmerin oder Teilnehmer hat den Kurs abgeschlossen." in done
    assert "1 Teilnehmerin oder Teilnehmer hat noch nicht genug Stunden besucht." in done
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == world.guide_a.id))
    db.session.refresh(profile)
    assert [(q.kind, q.title, q.completed_on) for q in profile.qualifications] == [
        ("specialisation", "Sportlotsin Modul 1", dt.date(2026, 5, 11))]
    assert "sport" in profile.specialisations  # matching reads it
    guide_page = browser.get(f"/coordinator/guides/{world.guide_a.id}").get_data(as_text=True)
    assert "Sportlotsin Modul 1" in guide_page

    cert = db.session.scalar(select(Certificate))
    assert (cert.guide_id, cert.course_title, cert.minutes) == (world.guide_a.id, "Sportlotsin Modul 1", 360)
    pdf = browser.get(f"/coordinator/certificates/{cert.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    verified = browser.application.test_client().get(f"/verify/{cert.token}").get_data(as_text=True)
    assert "Ayşe Guide-A" in verified and "Sportlotsin Modul 1" in verified and "Besuchte Stunden" in verified

    # Concluding again gives nobody a second qualification or certificate.
    browser.post(f"/coordinator/courses/{course.id}/finish")
    db.session.refresh(profile)
    assert len(profile.qualifications) == 1
    assert db.session.scalar(select(db.func.count()).select_from(Certificate)) == 1
    # A finished registration cannot be withdrawn.
    assert browser.post(f"/coordinator/courses/{course.id}/registrations/{ayse.id}/cancelled").status_code == 409


def test_incomplete_course_form_is_refused_and_changes_nothing(signed_in, world):
    browser = signed_in(world.coord_a)
    response = browser.post("/coordinator/courses", data={"title": "", "kind": "specialisation", "places": "0"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Wählen Sie die Spezialisierung" in body
    assert db.session.scalar(select(db.func.count()).select_from(Course)) == 0
    course = _course(browser)
    assert browser.post(f"/coordinator/courses/{course.id}/sessions",
                        data={"date": "2026-02-30", "minutes": "90"}).status_code == 400
    assert browser.post(f"/coordinator/courses/{course.id}/sessions",
                        data={"date": "2026-03-01", "minutes": "90", "starts_at": "25:00"}).status_code == 400
    assert browser.post(f"/coordinator/courses/{course.id}/registrations/{course.id}/bogus").status_code == 404
    assert db.session.scalar(select(db.func.count()).select_from(CourseSession)) == 0


def test_another_organizations_course_is_404(signed_in, world):
    course = _course(signed_in(world.coord_a))
    row = _session(signed_in(world.coord_a), course, "2026-06-01")
    other = signed_in(world.coord_b)
    assert other.get(f"/coordinator/courses/{course.id}").status_code == 404
    assert other.get(f"/coordinator/courses/{course.id}/sessions/{row.id}").status_code == 404
    assert other.post(f"/coordinator/courses/{course.id}/edit", data={"title": "x", "kind": "basic",
                                                                      "places": "5"}).status_code == 404
    assert other.post(f"/coordinator/courses/{course.id}/finish").status_code == 404
    assert "Sportlotsin" not in other.get("/coordinator/courses").get_data(as_text=True)


def test_trainer_takes_attendance_offline_on_the_phone(signed_in, world, make_user, make_device, clock):
    clock("2026-05-20T10:00:00+02:00")
    browser = signed_in(world.coord_a)
    course = _course(browser, kind="basic", specialisation="", required_hours="3", places="5")
    row = _session(browser, course, "2026-05-18")
    trainer = make_user(world.org_a, "guide", "tina@example.org", "Tina Trainerin")
    phone, ayse_phone = make_device(trainer), make_device(world.guide_a)
    browser.post(f"/coordinator/courses/{course.id}/registrations", data={"guide": str(world.guide_a.id)})
    browser.post(f"/coordinator/courses/{course.id}/registrations/person",
                 data={"name": "Mira Neu", "email": "mira@example.org"})
    phone.sync()
    assert phone.records("attendance") == {}  # not a trainer yet
    assert browser.post(f"/coordinator/courses/{course.id}/trainers",
                        data={"people": [str(trainer.id)]}).status_code == 302
    phone.sync()
    ayse_phone.sync()
    assert ayse_phone.records("attendance") == {}  # a participant does not see the sheet
    sheet = {data["participant_name"]: record_id for (_t, record_id), data in phone.records("attendance").items()}
    assert set(sheet) == {"Ayşe Guide-A", "Mira Neu"}
    line = phone.record("attendance", sheet["Ayşe Guide-A"])
    assert (line["course_title"], line["session_date"], line["session_minutes"], line["present"]) == (
        "Sportlotsin Modul 1", "2026-05-18", 180, None)

    # Offline in the course room: both ticked, queued; then the signal comes back.
    phone.upsert("attendance", sheet["Ayşe Guide-A"], present=True)
    phone.upsert("attendance", sheet["Mira Neu"], present=False)
    queued = phone.pending()
    phone.sync()
    assert phone.pending() == [] and phone.rejections() == []
    # The same batch again (the answer was lost): applied once, same results.
    status, body = phone.transport("POST", "/api/v1/sync", {"cursor": None, "mutations": queued}, phone.token)
    assert status == 200 and all(r["status"] == "applied" for r in body["results"])
    db.session.expire_all()
    values = {a.registration_id: a.present for a in db.session.scalars(select(CourseAttendance))}
    assert sorted(values.values(), key=str) == [False, True]
    page = browser.get(f"/coordinator/courses/{course.id}/sessions/{row.id}").get_data(as_text=True)
    ayse = db.session.scalar(select(CourseRegistration).where(CourseRegistration.user_id == world.guide_a.id))
    assert re.search(rf'id="present-{ayse.id}"[^>]*checked', page)

    # Concluded: Ayşe's qualification reaches her own phone with the profile.
    browser.post(f"/coordinator/courses/{course.id}/finish")
    ayse_phone.sync()
    profile = next(iter(ayse_phone.records("profile").values()))
    assert [(q["kind"], q["completed_on"]) for q in profile["qualifications"]] == [("basic", "2026-05-18")]
    # Her hours are on a certificate now: the trainer can no longer change them.
    phone.sync()
    phone.upsert("attendance", sheet["Ayşe Guide-A"], present=False)
    phone.sync()
    assert [r["error"]["code"] for r in phone.rejections()] == ["locked"]
    # A trainer removed: the sheet leaves her phone.
    browser.post(f"/coordinator/courses/{course.id}/trainers", data={})
    phone.sync()
    assert phone.records("attendance") == {}


def test_a_guide_sees_upcoming_courses_and_asks_to_join(signed_in, world, make_device, clock):
    clock("2026-05-20T10:00:00+02:00")
    browser = signed_in(world.coord_a)
    course = _course(browser, places="1")
    _session(browser, course, "2026-06-01", minutes=120)
    phone, other_org_phone = make_device(world.guide_a), make_device(world.guide_b)
    phone.sync()
    other_org_phone.sync()
    assert other_org_phone.records("course") == {}
    seen = phone.record("course", course.id)
    assert (seen["title"], seen["kind"], seen["specialisation"], seen["places_left"]) == (
        "Sportlotsin Modul 1", "specialisation", "sport", 1)
    assert seen["sessions"] == [{"date": "2026-06-01", "starts_at": "18:00", "minutes": 120, "topic": "Teil"}]

    # Asked offline on the phone; the desk sees the request once the phone syncs.
    request_id = phone.upsert("course_registration", course_id=course.id)
    phone.upsert("course_registration", course_id=course.id)  # asked twice: refused, nothing doubled
    phone.sync()
    assert [r["error"]["fields"] for r in phone.rejections()] == [{"course_id": ["Sie haben das bereits angefragt."]}]
    page = browser.get(f"/coordinator/courses/{course.id}").get_data(as_text=True)
    assert "Ayşe Guide-A" in page and "möchte teilnehmen" in page
    assert phone.record("course_registration", request_id)["state"] == "requested"
    # Another organization's course is not hers to ask for.
    other_org_phone.upsert("course_registration", course_id=course.id)
    other_org_phone.sync()
    assert other_org_phone.rejections()[0]["error"]["code"] == "invalid"

    assert browser.post(f"/coordinator/courses/{course.id}/registrations/{request_id}/registered").status_code == 302
    phone.sync()
    assert phone.record("course_registration", request_id)["state"] == "registered"
    assert phone.record("course", course.id)["places_left"] == 0
