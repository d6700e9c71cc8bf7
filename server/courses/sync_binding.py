"""Courses over sync (sync/PROTOCOL.md §5):

* `course` — read-only, to every guide of the organization; its sessions are child rows, so a new or
  changed session gives the course a new version; a registration's change does too (`places_left`).
* `course_registration` — to the registered guide alone. Creating one from the app asks to join
  (state `requested`); the desk accepts or turns it down.
* `attendance` — one row per session and participant, sent to the course's trainers, who set only
  `present`, on the phone, offline, merged like any field. The desk's sheet writes the same rows. Once
  the participant has finished the course the hours are on a certificate, so a trainer's late change
  is refused (`locked`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from server.accounts.models import User
from server.courses.models import Course, CourseAttendance, CourseRegistration, CourseSession, CourseTrainer
from sync.merge import Author
from sync.registry import Binding
from sync.spec import MSG, wire_value
from sync.tables import EVERYONE


class CourseBinding(Binding):
    type_name = "course"
    model = Course
    def owner_guide_id(self, obj: Any) -> int | None:
        return None

    def audiences(self, session: Session, obj: Any) -> set[str]:
        return {EVERYONE}

    def get_field(self, session: Session, obj: Any, name: str) -> Any:
        if name == "sessions":
            return [{"date": wire_value(s.date), "starts_at": s.starts_at, "minutes": s.minutes, "topic": s.topic}
                    for s in obj.sessions]
        if name == "places_left":
            taken = session.scalar(select(func.count()).select_from(CourseRegistration).where(
                CourseRegistration.course_id == obj.id, CourseRegistration.state == "registered")) or 0
            return max(obj.places - int(taken), 0)
        return getattr(obj, name)

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        return {name: self.get_field(session, obj, name) for name in self.spec.read_only_fields}


class CourseRegistrationBinding(Binding):
    type_name = "course_registration"
    model = CourseRegistration
    ignored_attrs = Binding.ignored_attrs | {"user_id", "name", "email", "certificate_id"}

    def owner_guide_id(self, obj: Any) -> int | None:
        return obj.user_id

    def audiences(self, session: Session, obj: Any) -> set[str]:
        return {str(obj.user_id)} if obj.user_id is not None else set()  # a future guide: nobody

    def create(self, session: Session, record_id: str, organization_id: int, guide_id: int) -> Any:
        guide = session.get(User, guide_id)
        return CourseRegistration(id=record_id, organization_id=organization_id, user_id=guide_id, version=1,
                                  name=guide.name if guide else "", email=guide.email if guide else "",
                                  state="requested")

    def validate_references(self, session: Session, obj: Any | None, values: dict[str, Any],
                            organization_id: int, guide_id: int) -> dict[str, list[str]]:
        if "course_id" not in values:
            return {}
        if obj is not None and values["course_id"] != obj.course_id:
            return {"course_id": [MSG["read_only"]]}  # a registration stays with its course
        course = session.get(Course, values["course_id"])
        if course is None or course.organization_id != organization_id or course.deleted_at is not None:
            return {"course_id": [MSG["reference"]]}
        if obj is None and session.scalar(select(CourseRegistration.id).where(
                CourseRegistration.course_id == course.id, CourseRegistration.user_id == guide_id)) is not None:
            return {"course_id": [MSG["already"]]}
        return {}

    def related_records(self, obj: Any, changed_attrs: set[str]) -> set[tuple[str, str]]:
        return {("course", obj.course_id)} if changed_attrs & {"*", "state"} else set()

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        return {"course_id": obj.course_id, "state": obj.state, "completed_on": wire_value(obj.completed_on)}


class AttendanceBinding(Binding):
    type_name = "attendance"
    model = CourseAttendance
    ignored_attrs = Binding.ignored_attrs | {"course_id", "session_id", "registration_id"}

    def owner_guide_id(self, obj: Any) -> int | None:
        return None

    def audiences(self, session: Session, obj: Any) -> set[str]:
        return {str(user_id) for user_id in session.scalars(
            select(CourseTrainer.user_id).where(CourseTrainer.course_id == obj.course_id))}

    def lock_reason(self, obj: Any, author: Author) -> str | None:
        if author.is_staff:
            return None
        session = object_session(obj)
        reg = session.get(CourseRegistration, obj.registration_id) if session is not None else None
        return "completed" if reg is not None and reg.completed_on is not None else None

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        row = session.get(CourseSession, obj.session_id)
        course = session.get(Course, obj.course_id)
        reg = session.get(CourseRegistration, obj.registration_id)
        assert row is not None and course is not None and reg is not None
        return {"present": obj.present, "course_id": course.id, "course_title": course.title,
                "session_id": row.id, "session_date": wire_value(row.date), "session_starts_at": row.starts_at,
                "session_minutes": row.minutes, "session_topic": row.topic, "participant_name": reg.name}
