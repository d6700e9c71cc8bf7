"""Routes for qualification courses: the list, a course's page (its data, trainers, registrations,
finishing it). Sessions and attendance sheets: course_session_views.py. Rules: server/courses/."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user

from server.accounts.models import User
from server.audit.log import record_event
from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.forms import ActionForm, choices
from server.coordinator.courses.access import get_course_or_404, get_registration_or_404
from server.coordinator.courses.forms import (
    CourseForm,
    PeopleForm,
    RegisterGuideForm,
    RegisterPersonForm,
    SessionForm,
)
from server.courses import operations as ops
from server.courses.models import Course
from server.extensions import db
from server.i18n import flash
from server.labels import QUALIFICATION_LABELS, SPECIALISATION_LABELS

ERRORS = {
    "full": _l("The course is full: all places are taken. Add places to the course first."),
    "already": _l("This person is registered for the course already."),
    "completed": _l("This participant has finished the course; the registration can no longer be withdrawn."),
    "no_sessions": _l("The course has no sessions yet."),
}
DECISIONS = ("registered", "declined", "cancelled")


def _audit(action: str, course: Course, **details: Any) -> None:
    record_event(action, current_org_id(), actor_user_id=current_user.id, object_type="course",
                 object_id=course.id, details=details)


@staff_required
def courses() -> Any:
    form = CourseForm() if request.method == "POST" else CourseForm(formdata=None)
    if request.method == "POST" and form.validate_on_submit():
        course = ops.create_course(db.session, current_org_id(), form.values())
        _audit("course.created", course, title=course.title, kind=course.kind)
        db.session.commit()
        flash(_l("The course was added. Now add its sessions."), "info")
        return redirect(url_for("coordinator.course", course_id=course.id))
    return render_template("courses/courses.html", rows=ops.courses(db.session, current_org_id()), form=form,
                           kinds=QUALIFICATION_LABELS, specialisations=SPECIALISATION_LABELS,
                           first_day=ops.first_day), (400 if form.errors else 200)


def _trainers_form(course: Course, formdata: Any = None) -> tuple[PeopleForm, list[User]]:
    people = ops.organization_members(db.session, current_org_id(), ("guide", "coordinator", "admin"))
    form = PeopleForm(formdata=formdata)
    form.people.choices = choices([(p.id, p.name) for p in people])
    if formdata is None:
        form.people.data = sorted(ops.trainer_ids(course))
    return form, people


def _register_form(course: Course, formdata: Any = None) -> RegisterGuideForm:
    form = RegisterGuideForm(formdata=formdata)
    form.guide.choices = choices([(g.id, g.name) for g in
                                  ops.organization_members(db.session, current_org_id(), ("guide",))])
    return form


def render_course(course: Course, status: int = 200, **forms: Any) -> Any:
    trainers_form, people = forms.pop("trainers_form", None), None
    if trainers_form is None:
        trainers_form, people = _trainers_form(course)
    else:
        people = ops.organization_members(db.session, current_org_id(), ("guide", "coordinator", "admin"))
    return render_template(
        "courses/course.html", course=course, registrations=ops.registrations(db.session, course),
        attended=ops.attended_minutes(db.session, course), registered=ops.registered_count(db.session, course),
        total_minutes=ops.total_minutes(course), kinds=QUALIFICATION_LABELS, specialisations=SPECIALISATION_LABELS,
        edit_form=forms.get("edit_form") or CourseForm(formdata=None, obj=course,
                                                        required_hours=course.required_minutes / 60),
        session_form=forms.get("session_form") or SessionForm(formdata=None),
        trainers_form=trainers_form, people=people, trainers=ops.trainer_ids(course),
        register_form=forms.get("register_form") or _register_form(course),
        person_form=forms.get("person_form") or RegisterPersonForm(formdata=None),
        action_form=ActionForm()), status


@staff_required
def course(course_id: str) -> Any:
    return render_course(get_course_or_404(course_id))


@staff_required
def edit_course(course_id: str) -> Any:
    course = get_course_or_404(course_id)
    form = CourseForm()
    if not form.validate_on_submit():
        return render_course(course, 400, edit_form=form)
    if form.places.data is not None and form.places.data < ops.registered_count(db.session, course):
        form.places.errors = [_("More people are registered than this number of places.")]
        return render_course(course, 400, edit_form=form)
    changed = ops.update_course(course, form.values())
    if changed:
        _audit("course.edited", course, fields=changed)
        db.session.commit()
        flash(_l("The course was saved."), "info")
    else:
        flash(_l("Nothing was changed."), "info")
    return redirect(url_for("coordinator.course", course_id=course.id))


@staff_required
def course_trainers(course_id: str) -> Any:
    course = get_course_or_404(course_id)
    form, _people = _trainers_form(course, request.form)
    if not form.validate_on_submit():
        return render_course(course, 400, trainers_form=form)
    if ops.set_trainers(db.session, course, set(form.people.data or [])):
        _audit("course.trainers_changed", course, user_ids=sorted(ops.trainer_ids(course)))
        db.session.commit()
        flash(_l("The trainers were saved. Their apps show the attendance sheets after the next sync."), "info")
    else:
        flash(_l("Nothing was changed."), "info")
    return redirect(url_for("coordinator.course", course_id=course.id))


def _registered(course: Course, reg: Any) -> Any:
    _audit("course.registered", course, name=reg.name, guide_id=reg.user_id)
    db.session.commit()
    flash(_l("%(name)s is registered for the course.", name=reg.name), "info")
    return redirect(url_for("coordinator.course", course_id=course.id))


@staff_required
def register_guide(course_id: str) -> Any:
    course = get_course_or_404(course_id)
    form = _register_form(course, request.form)
    if not form.validate_on_submit():
        return render_course(course, 400, register_form=form)
    guide = db.session.get(User, form.guide.data)
    assert guide is not None  # one of the choices: a guide of this organization
    try:
        reg = ops.register_guide(db.session, course, guide)
    except ops.CourseError as exc:
        db.session.rollback()
        form.guide.errors = [str(ERRORS[exc.code])]
        return render_course(get_course_or_404(course_id), 409, register_form=form)
    return _registered(course, reg)


@staff_required
def register_person(course_id: str) -> Any:
    course = get_course_or_404(course_id)
    form = RegisterPersonForm()
    if not form.validate_on_submit():
        return render_course(course, 400, person_form=form)
    try:
        reg = ops.register_person(db.session, course, form.name.data or "", form.email.data or "")
    except ops.CourseError as exc:
        db.session.rollback()
        form.email.errors = [str(ERRORS[exc.code])]
        return render_course(get_course_or_404(course_id), 409, person_form=form)
    return _registered(course, reg)


@staff_required
def decide_registration(course_id: str, registration_id: str, state: str) -> Any:
    course = get_course_or_404(course_id)
    reg = get_registration_or_404(course, registration_id)
    if state not in DECISIONS or not ActionForm().validate_on_submit():
        return render_course(course, 400)
    try:
        ops.decide(db.session, current_author(), course, reg, state)
    except ops.CourseError as exc:
        db.session.rollback()
        flash(ERRORS[exc.code], "error")
        return render_course(get_course_or_404(course_id), 409)
    _audit("course.registration_decided", course, name=reg.name, state=state)
    db.session.commit()
    flash(_l("The registration was saved."), "info")
    return redirect(url_for("coordinator.course", course_id=course.id))


@staff_required
def finish_course(course_id: str) -> Any:
    """Everyone with enough hours attended finishes: qualification on the profile, certificate PDF."""
    course = get_course_or_404(course_id)
    if not ActionForm().validate_on_submit():
        return render_course(course, 400)
    try:
        outcome = ops.finish_course(db.session, current_author(), course)
    except ops.CourseError as exc:
        db.session.rollback()
        flash(ERRORS[exc.code], "error")
        return render_course(get_course_or_404(course_id), 409)
    _audit("course.finished", course, count=len(outcome.finished), missing=len(outcome.short))
    db.session.commit()
    flash(lazy_ngettext("%(num)d participant finished the course.", "%(num)d participants finished the course.",
                   len(outcome.finished)), "info")
    if outcome.short:
        flash(lazy_ngettext("%(num)d participant has not attended enough hours yet.",
                       "%(num)d participants have not attended enough hours yet.", len(outcome.short)), "info")
    return redirect(url_for("coordinator.course", course_id=course.id))
