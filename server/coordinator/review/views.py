"""Routes for reviewing synced activities: the filtered list, correcting one entry, approving one or many.

Corrections go through `sync.coordinator.edit_record` and approvals through
`server.activities.review.approve_activity`, so the guide's phone receives them on its next sync; every
action is audited.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user

from server.activities import plausibility, review
from server.audit.log import record_event
from server.coordinator.common.access import get_activity_or_404
from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.forms import ActionForm, ActivityForm, choices
from server.coordinator.common.opened_forms import clash_messages, opened_values, restamp_after_clash, stamp
from server.extensions import db
from server.i18n import flash
from server.labels import ACTIVITY_KIND_LABELS, STATE_LABELS
from sync.coordinator import CoordinatorError, EditClash, edit_from_form
from sync.vocabulary import ACTIVITY_KINDS, DISTRICTS

ACTIVITY_FIELD_LABELS = {name: getattr(ActivityForm, name).args[0] for name in (
    "date", "minutes", "kind", "district", "travel_km", "note", "needs_professional_help")}


def _back(default_args: dict[str, str] | None = None) -> str:
    """The review list with the filters the action was started from (only our own arguments)."""
    args = review.parse_filters(request.form if request.method == "POST" else request.args).query_args()
    page = (request.form.get("page") or "").strip()
    if page.isdigit():
        args["page"] = page
    return url_for("coordinator.review", **(args or default_args or {}))


@staff_required
def review_list() -> Any:
    org_id = current_org_id()
    filters = review.parse_filters(request.args)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))
    result = review.search(db.session, org_id, filters, page)
    return render_template("coordinator/review.html", result=result, filters=filters, form=ActionForm(),
                           guides=review.guide_choices(db.session, org_id), kinds=ACTIVITY_KIND_LABELS,
                           states=STATE_LABELS, districts=DISTRICTS, args=filters.query_args())


def _activity_form(activity: Any, formdata: Any = None) -> ActivityForm:
    if formdata is None:
        form = ActivityForm(formdata=None, data={
            "date": activity.date, "minutes": activity.minutes, "kind": activity.kind,
            "district": activity.district or "", "travel_km": activity.travel_km, "note": activity.note,
            "needs_professional_help": activity.needs_professional_help})
        stamp(form, activity.organization_id, "activity", activity.id)
    else:
        form = ActivityForm(formdata=formdata)
    form.kind.choices = choices([(k, str(ACTIVITY_KIND_LABELS[k])) for k in ACTIVITY_KINDS])
    form.district.choices = choices([("", "–")] + list(DISTRICTS.items()))
    return form


def _render_activity(activity: Any, form: ActivityForm, status: int = 200, errors: list[str] | None = None) -> Any:
    from server.accounts.models import User
    from server.assignments.models import Assignment, Client

    guide = db.session.get(User, activity.guide_id)
    flags = plausibility.flags_for(db.session, [activity]).get(activity.id, [])
    assignment = db.session.get(Assignment, activity.assignment_id) if activity.assignment_id else None
    if assignment is not None and assignment.organization_id != activity.organization_id:
        assignment = None
    client = db.session.get(Client, assignment.client_id) if assignment is not None and assignment.client_id else None
    return render_template("coordinator/review_activity.html", activity=activity, guide=guide, form=form,
                           assignment=assignment, client=client,
                           action_form=ActionForm(), kinds=ACTIVITY_KIND_LABELS, states=STATE_LABELS,
                           errors=errors or [], flags=flags), status


@staff_required
def review_activity(activity_id: str) -> Any:
    activity = get_activity_or_404(activity_id)
    return _render_activity(activity, _activity_form(activity))


@staff_required
def correct_activity(activity_id: str) -> Any:
    activity = get_activity_or_404(activity_id)
    form = _activity_form(activity, request.form)
    if not form.validate_on_submit():
        return _render_activity(activity, form, 400)
    wanted = {"date": form.date.data.isoformat() if form.date.data else None, "minutes": form.minutes.data,
              "kind": form.kind.data, "district": form.district.data or None, "travel_km": form.travel_km.data,
              "note": (form.note.data or "").strip(), "needs_professional_help": bool(form.needs_professional_help.data)}
    version, opened = opened_values(form, "activity", activity.id)
    try:
        changes, resolution = edit_from_form(db.session, current_author(), current_org_id(), "activity", activity.id,
                                             wanted, version, opened)
    except EditClash as clash:
        db.session.rollback()
        activity = get_activity_or_404(activity_id)
        restamp_after_clash(form, "activity", activity.id, clash)
        return _render_activity(activity, form, 409, clash_messages(clash, ACTIVITY_FIELD_LABELS))
    except CoordinatorError as exc:
        db.session.rollback()
        activity = get_activity_or_404(activity_id)
        messages = [f"{field}: {', '.join(map(str, msgs))}" for field, msgs in (exc.fields or {}).items()]
        return _render_activity(activity, form, 400, messages or [_("The entry could not be saved.")])
    if not changes or resolution is None:
        flash(_l("Nothing was changed."), "info")
        return redirect(url_for("coordinator.review_activity", activity_id=activity.id))
    record_event("activity.corrected", current_org_id(), actor_user_id=current_user.id, object_type="activity",
                 object_id=activity.id, details={"fields": sorted(changes), "guide_id": activity.guide_id,
                                                 "status": resolution.status})
    db.session.commit()
    flash(_l("The entry was corrected. The guide’s app receives it on its next sync."), "info")
    return redirect(url_for("coordinator.review_activity", activity_id=activity.id))


@staff_required
def approve_one(activity_id: str) -> Any:
    activity = get_activity_or_404(activity_id)
    if ActionForm().validate_on_submit() and activity.state != "approved":
        review.approve_activity(db.session, current_author(), current_org_id(), activity.id)
        record_event("activity.approved", current_org_id(), actor_user_id=current_user.id, object_type="activity",
                     object_id=activity.id, details={"guide_id": activity.guide_id})
        db.session.commit()
        flash(_l("The activity was approved."), "info")
    if request.form.get("from") == "detail":
        return redirect(url_for("coordinator.review_activity", activity_id=activity.id))
    return redirect(_back())


@staff_required
def approve_bulk() -> Any:
    if ActionForm().validate_on_submit():
        scope = request.form.get("scope")
        listed = "page_activity" if scope == "page" else "activity"
        ids = [i for i in request.form.getlist(listed) if isinstance(i, str) and len(i) <= 36]
        if scope == "all":  # every waiting activity the filters match, on every page
            ids = review.waiting_ids(db.session, current_org_id(), review.parse_filters(request.form))
        if not ids:
            flash(_l("Select the activities to approve first."), "error")
            return redirect(_back())
        approved = review.approve_many(db.session, current_author(), current_org_id(), ids)
        if approved:
            record_event("activity.approved_bulk", current_org_id(), actor_user_id=current_user.id,
                         object_type="activity", details={"count": len(approved), "activity_ids": approved})
        db.session.commit()
        flash(lazy_ngettext("%(count)s activity was approved.", "%(count)s activities were approved.", len(approved),
                       count=len(approved)), "info")
    return redirect(_back())
