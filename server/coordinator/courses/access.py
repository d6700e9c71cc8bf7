"""Load-or-404 for courses (the rule of server/coordinator/common/access.py: another organization's object is a
404 exactly like a missing one)."""

from __future__ import annotations

from flask import abort

from server.coordinator.common.access import MAX_ID
from server.coordinator.common.auth import current_org_id
from server.courses.models import Course, CourseRegistration, CourseSession
from server.extensions import db
from sync.spec import UUID_RE


def get_course_or_404(course_id: str) -> Course:
    course = db.session.get(Course, course_id) if UUID_RE.match(course_id) else None
    if course is None or course.organization_id != current_org_id():
        abort(404)
    return course


def get_course_session_or_404(course: Course, session_id: int) -> CourseSession:
    row = db.session.get(CourseSession, session_id) if 0 < session_id <= MAX_ID else None
    if row is None or row.course_id != course.id or row.organization_id != current_org_id():
        abort(404)
    return row


def get_registration_or_404(course: Course, registration_id: str) -> CourseRegistration:
    row = db.session.get(CourseRegistration, registration_id) if UUID_RE.match(registration_id) else None
    if row is None or row.course_id != course.id or row.organization_id != current_org_id():
        abort(404)
    return row
