"""Every URL of qualification courses: courses, trainers, registrations, sessions and attendance.

One blueprint for the whole desk (server/coordinator/common/blueprint.py): each endpoint keeps its
name, `url_for("coordinator.<endpoint>")`, wherever its view lives.
"""

from __future__ import annotations

from server.coordinator.common.blueprint import bp
from server.coordinator.courses import sessions, views

# sessions.py
bp.post("/courses/<course_id>/sessions")(sessions.add_course_session)
bp.get("/courses/<course_id>/sessions/<int:session_id>")(sessions.course_session)
bp.post("/courses/<course_id>/sessions/<int:session_id>")(sessions.course_attendance)
bp.post("/courses/<course_id>/sessions/<int:session_id>/delete")(sessions.delete_course_session)

# views.py
bp.route("/courses", methods=["GET", "POST"])(views.courses)
bp.get("/courses/<course_id>")(views.course)
bp.post("/courses/<course_id>/edit")(views.edit_course)
bp.post("/courses/<course_id>/trainers")(views.course_trainers)
bp.post("/courses/<course_id>/registrations")(views.register_guide)
bp.post("/courses/<course_id>/registrations/person")(views.register_person)
bp.post("/courses/<course_id>/registrations/<registration_id>/<state>")(views.decide_registration)
bp.post("/courses/<course_id>/finish")(views.finish_course)
