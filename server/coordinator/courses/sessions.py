"""Routes for a course's sessions: add, delete, and the attendance sheet of one session (also taken on
a trainer's phone offline, record type `attendance`)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.audit.log import record_event
from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.forms import ActionForm, choices
from server.coordinator.courses.access import get_course_or_404, get_course_session_or_404
from server.coordinator.courses.forms import SessionForm, SheetForm
from server.coordinator.courses.views import render_course
from server.courses import operations as ops
from server.extensions import db
from server.i18n import flash


@staff_required
def add_course_session(course_id: str) -> Any:
    course = get_course_or_404(course_id)
    form = SessionForm()
    if not form.validate_on_submit():
        return render_course(course, 400, session_form=form)
    assert form.date.data is not None and form.minutes.data is not None
    row = ops.add_session(db.session, current_author(), course, form.date.data, form.starts_at.data or "",
                          form.minutes.data, form.topic.data or "")
    record_event("course.session_added", current_org_id(), actor_user_id=current_user.id, object_type="course",
                 object_id=course.id, details={"date": row.date.isoformat(), "minutes": row.minutes})
    db.session.commit()
    flash(_l("The session was added."), "info")
    return redirect(url_for("coordinator.course", course_id=course.id))


def _sheet_form(row: Any, formdata: Any = None) -> tuple[SheetForm, list[Any]]:
    lines = ops.sheet(db.session, row)
    form = SheetForm(formdata=formdata)
    form.people.choices = choices([(reg.id, reg.name) for reg, _att in lines])
    if formdata is None:
        form.people.data = [reg.id for reg, att in lines if att.present]
    return form, lines


def _render_sheet(course: Any, row: Any, form: SheetForm | None = None, lines: list[Any] | None = None,
                  status: int = 200) -> Any:
    if form is None or lines is None:
        form, lines = _sheet_form(row)
    return render_template("courses/session.html", course=course, row=row, form=form, lines=lines,
                           present=set(form.people.data or []), action_form=ActionForm()), status


@staff_required
def course_session(course_id: str, session_id: int) -> Any:
    course = get_course_or_404(course_id)
    return _render_sheet(course, get_course_session_or_404(course, session_id))


@staff_required
def course_attendance(course_id: str, session_id: int) -> Any:
    course = get_course_or_404(course_id)
    row = get_course_session_or_404(course, session_id)
    form, lines = _sheet_form(row, request.form)
    if not form.validate_on_submit():
        return _render_sheet(course, row, form, lines, 400)
    changed = ops.set_attendance(db.session, current_author(), row, set(form.people.data or []))
    if changed:
        record_event("course.attendance_taken", current_org_id(), actor_user_id=current_user.id,
                     object_type="course", object_id=course.id,
                     details={"date": row.date.isoformat(), "count": len(form.people.data or [])})
    db.session.commit()
    flash(_l("The attendance was saved.") if changed else _l("Nothing was changed."), "info")
    return redirect(url_for("coordinator.course_session", course_id=course.id, session_id=row.id))


@staff_required
def delete_course_session(course_id: str, session_id: int) -> Any:
    course = get_course_or_404(course_id)
    row = get_course_session_or_404(course, session_id)
    if not ActionForm().validate_on_submit():
        return _render_sheet(course, row, status=400)
    details = {"date": row.date.isoformat(), "minutes": row.minutes}
    ops.delete_session(db.session, current_author(), course, row)
    record_event("course.session_deleted", current_org_id(), actor_user_id=current_user.id, object_type="course",
                 object_id=course.id, details=details)
    db.session.commit()
    flash(_l("The session was deleted."), "info")
    return redirect(url_for("coordinator.course", course_id=course.id))
