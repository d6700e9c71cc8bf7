"""Routes for the monthly plenum: the events, and attendance taken on the page (server/activities/plenum.py)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.activities import plenum
from server.audit.log import record_event
from server.coordinator.common.access import get_plenum_event_or_404
from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.forms import ActionForm, GuidesForm, PlenumForm, choices
from server.extensions import db
from server.i18n import flash

ERRORS = {
    "attendance_approved": _l("Attendance at this plenum was approved already. Approved hours are locked: "
                              "the date and length cannot change and the plenum cannot be deleted."),
}



@staff_required
def plenum_events() -> Any:
    form = PlenumForm() if request.method == "POST" else PlenumForm(formdata=None)
    if request.method == "POST" and form.validate_on_submit():
        assert form.date.data is not None and form.minutes.data is not None
        event = plenum.create_event(db.session, current_org_id(), form.date.data, form.minutes.data,
                                    form.title.data or "", form.location.data or "")
        record_event("plenum.created", current_org_id(), actor_user_id=current_user.id, object_type="plenum",
                     object_id=event.id, details={"date": event.date.isoformat()})
        db.session.commit()
        flash(_l("The plenum was added. Now take the attendance."), "info")
        return redirect(url_for("coordinator.plenum_event", event_id=event.id))
    return render_template("coordinator/plenum_events.html", rows=plenum.events(db.session, current_org_id()),
                           form=form), (400 if form.errors else 200)


def _attendance_form(event: Any, formdata: Any = None) -> tuple[GuidesForm, list[Any]]:
    guides = plenum.organization_guides(db.session, current_org_id())
    form = GuidesForm(formdata=formdata)
    form.guides.choices = choices([(g.id, g.name) for g in guides])
    if formdata is None:
        form.guides.data = sorted(plenum.attendance(db.session, event))
    return form, guides


def _render_event(event: Any, form: GuidesForm | None = None, guides: list[Any] | None = None,
                  edit_form: PlenumForm | None = None, status: int = 200) -> Any:
    if form is None or guides is None:
        form, guides = _attendance_form(event)
    edit_form = edit_form or PlenumForm(formdata=None, obj=event)
    return render_template("coordinator/plenum_event.html", event=event, form=form, guides=guides,
                           attending=set(form.guides.data or []), edit_form=edit_form,
                           action_form=ActionForm()), status


@staff_required
def plenum_event(event_id: int) -> Any:
    return _render_event(get_plenum_event_or_404(event_id))


@staff_required
def edit_plenum(event_id: int) -> Any:
    """Change date, length, title or place; the attendance activities follow on the guides' phones."""
    event = get_plenum_event_or_404(event_id)
    form = PlenumForm()
    if not form.validate_on_submit():
        return _render_event(event, edit_form=form, status=400)
    assert form.date.data is not None and form.minutes.data is not None
    try:
        changed = plenum.update_event(db.session, current_author(), event, form.date.data, form.minutes.data,
                                      form.title.data or "", form.location.data or "")
    except plenum.PlenumError as exc:
        db.session.rollback()
        form.date.errors = [str(ERRORS.get(exc.code, exc.code))]
        return _render_event(event, edit_form=form, status=400)
    if changed:
        record_event("plenum.edited", current_org_id(), actor_user_id=current_user.id, object_type="plenum",
                     object_id=event.id, details={"fields": changed})
        db.session.commit()
        flash(_l("The plenum was saved. The attending guides' apps show the change after the next sync."), "info")
    else:
        flash(_l("Nothing was changed."), "info")
    return redirect(url_for("coordinator.plenum_event", event_id=event.id))


@staff_required
def delete_plenum(event_id: int) -> Any:
    """Delete a plenum entered by mistake, with its (unapproved) attendance activities."""
    event = get_plenum_event_or_404(event_id)
    if not ActionForm().validate_on_submit():
        return _render_event(event, status=400)
    details = {"date": event.date.isoformat(), "title": event.title}
    try:
        removed = plenum.delete_event(db.session, current_author(), event)
    except plenum.PlenumError as exc:
        db.session.rollback()
        flash(ERRORS.get(exc.code, exc.code), "error")
        return _render_event(event, status=409)
    record_event("plenum.deleted", current_org_id(), actor_user_id=current_user.id, object_type="plenum",
                 object_id=event_id, details={**details, "removed_attendance": removed})
    db.session.commit()
    flash(_l("The plenum was deleted. Its activities disappear from the guides' apps after the next sync."), "info")
    return redirect(url_for("coordinator.plenum_events"))


@staff_required
def plenum_attendance(event_id: int) -> Any:
    event = get_plenum_event_or_404(event_id)
    form, guides = _attendance_form(event, request.form)
    if not form.validate_on_submit():
        return _render_event(event, form, guides, status=400)
    added, removed = plenum.set_attendance(db.session, current_author(), event, set(form.guides.data or []))
    if added or removed:
        record_event("plenum.attendance_taken", current_org_id(), actor_user_id=current_user.id,
                     object_type="plenum", object_id=event.id, details={"added": added, "removed": removed})
        db.session.commit()
        flash(_l("The attendance was saved: %(added)s added, %(removed)s removed. Each attending guide's app "
                "shows the plenum as an activity after the next sync.", added=len(added), removed=len(removed)),
              "info")
    else:
        db.session.commit()
        flash(_l("Nothing was changed."), "info")
    return redirect(url_for("coordinator.plenum_event", event_id=event.id))
