"""A qualification course end to end, at 360×640 on the trainer's phone: the coordinator registers a
guide on the desk, the trainer takes the attendance on her phone offline and syncs, the coordinator
concludes the course and the qualification appears on the guide's page."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.test_field_day import enrol, enrolled_guide
from tests.browser.test_sync_phones import sync

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def course_with_trainer(live_server: Any, org_id: int, trainer_id: int, slug: str) -> tuple[str, str, str]:
    """A basic course with one session today (two hours needed), the trainer, a coordinator and a guide
    to register; returns (course id, coordinator's email, guide's name)."""
    from server.accounts.operations import create_user
    from server.courses import operations as ops
    from server.extensions import db
    from server.organizations.models import Organization
    from sync.clock import today
    from sync.merge import Author

    with live_server.app.app_context():
        org = db.session.get(Organization, org_id)
        coordinator = create_user(org, f"coord-{slug}@example.org", "coordinator", "Clara Kurs", PASSWORD)
        create_user(org, f"ayse-{slug}@example.org", "guide", "Ayşe Yılmaz", None)
        course = ops.create_course(db.session, org_id, {"title": "Basisqualifizierung Herbst", "kind": "basic",
                                                        "places": 12, "required_minutes": 120})
        ops.add_session(db.session, Author(role="coordinator", user_id=coordinator.id), course, today(), "18:00",
                        120, "Rolle und Grenzen")
        ops.set_trainers(db.session, course, {trainer_id})
        db.session.commit()
        ids = (course.id, coordinator.email)
        db.session.remove()
    return ids[0], ids[1], "Ayşe Yılmaz"


def present_on_server(live_server: Any, course_id: str) -> list[Any]:
    from sqlalchemy import select

    from server.courses.models import CourseAttendance
    from server.extensions import db

    with live_server.app.app_context():
        values = list(db.session.scalars(select(CourseAttendance.present).where(
            CourseAttendance.course_id == course_id)))
        db.session.remove()
    return values


def test_register_attend_offline_and_the_qualification_appears(phone, desk, live_server) -> None:
    slug = f"kurs-{uuid.uuid4().hex[:8]}"
    code, trainer_id, org_id = enrolled_guide(live_server, slug, "Tina Trainerin")
    course_id, coordinator, guide_name = course_with_trainer(live_server, org_id, trainer_id, slug)

    # The coordinator registers the guide on the desk.
    office = desk(live_server, coordinator, PASSWORD)
    office.goto(f"/coordinator/courses/{course_id}")
    office.locator("#register-guide select").select_option(label=guide_name)
    office.get_by_role("button", name="Lotsin oder Lotsen anmelden").click()
    office.get_by_text(f"{guide_name} ist für den Kurs angemeldet.").wait_for()

    # The trainer's phone gets the sheet, goes offline in the course room, ticks her, syncs later.
    trainer_phone = phone("de-DE")
    page = enrol(trainer_phone, code, "Tina Trainerin")
    sync(page)
    page.get_by_role("button", name="Kurse").click()
    page.get_by_role("heading", name="Anwesenheit aufnehmen").wait_for()
    trainer_phone.set_offline(True)
    page.get_by_label(guide_name).check()
    page.get_by_text("1 anwesend").wait_for()
    assert present_on_server(live_server, course_id) == [None]
    trainer_phone.set_offline(False)
    sync(page)
    assert present_on_server(live_server, course_id) == [True]

    # Concluded on the desk: the qualification is on the guide's page.
    office.goto(f"/coordinator/courses/{course_id}")
    office.get_by_role("button", name="Kurs abschließen").click()
    office.get_by_text("1 Teilnehmerin oder Teilnehmer hat den Kurs abgeschlossen.").wait_for()
    office.get_by_role("row", name=guide_name).get_by_role("link", name="Bescheinigung (PDF)").wait_for()
    office.goto("/coordinator/guides")
    office.get_by_role("link", name=guide_name).click()
    office.get_by_text("Basisqualifizierung Herbst").first.wait_for()
