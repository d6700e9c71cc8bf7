"""Attendance over sync (record type `attendance`): one row per session and participant, sent to the
course's trainers, who set only `present` — on the phone, offline, merged like any field. The desk's
sheet writes the same rows. Once the participant has finished the course the hours are on a
certificate, so a trainer's late change is refused (`locked`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.courses.models import Course, CourseAttendance, CourseRegistration, CourseSession, CourseTrainer
from sync.merge import Author
from sync.registry import Binding
from sync.spec import wire_value


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
        from sqlalchemy.orm import object_session

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
