"""Routes for agreements (assignments): list, terms, more offers, withdraw, end, cancel."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from server.assignments import matching, operations
from server.assignments.models import Assignment, AssignmentRequest, Client
from server.coordinator.common.access import get_assignment_or_404, get_offer_or_404
from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.forms import ActionForm, AgreementForm, GuidesForm, choices
from server.coordinator.common.opened_forms import clash_messages, opened_values, restamp_after_clash, stamp
from server.coordinator.common.paging import list_args, page_count, page_number, page_size
from server.coordinator.requests.common import (
    ERRORS,
    audit,
    guide_names,
    page_labels,
    rank_guides,
    to_hours,
    to_minutes,
)
from server.extensions import db
from server.guides.hours import logged_minutes
from server.i18n import flash
from sync import clock
from sync.coordinator import CoordinatorError, EditClash


def agreement_filters(args: Any) -> operations.AgreementFilters:
    show = args.get("show", "")
    return operations.AgreementFilters(show=show if show in ("ending", "active", "offered", "ended", "cancelled") else "")


@staff_required
def assignments() -> Any:
    filters = agreement_filters(request.args)
    page = page_number(request.args.get("page"))
    rows, found = operations.agreements_page(db.session, current_org_id(), filters, page, page_size())
    if not rows and page > 1:  # past the last page: the last one
        page = page_count(found)
        rows, found = operations.agreements_page(db.session, current_org_id(), filters, page, page_size())
    guides = guide_names([a.guide_id for a in rows if a.guide_id])
    return render_template("coordinator/assignments.html", rows=rows, filters=filters, guides=guides, found=found,
                           page=page, pages=page_count(found), args=list_args(request.args),
                           offers=operations.live_offer_count(db.session, [a.id for a in rows]),
                           logged=logged_minutes(db.session, [a.id for a in rows]),
                           days_left=operations.days_left, today=clock.today(), **page_labels())



def _agreement_form(assignment: Assignment) -> AgreementForm:
    form = AgreementForm(formdata=None, title=assignment.title, starts_on=assignment.starts_on,
                         ends_on=assignment.ends_on, planned_hours=to_hours(assignment.planned_minutes),
                         description=assignment.description)
    stamp(form, assignment.organization_id, "assignment", assignment.id)
    return form


AGREEMENT_FIELD_LABELS = {"title": AgreementForm.title.args[0], "starts_on": AgreementForm.starts_on.args[0],
                          "ends_on": AgreementForm.ends_on.args[0], "planned_minutes": AgreementForm.planned_hours.args[0],
                          "description": AgreementForm.description.args[0]}


def _render_assignment(assignment: Assignment, form: AgreementForm | None = None, status: int = 200,
                       errors: list[str] | None = None) -> Any:
    request_row = db.session.get(AssignmentRequest, assignment.request_id) if assignment.request_id else None
    client = db.session.get(Client, assignment.client_id) if assignment.client_id else None
    offers = sorted(assignment.offers, key=lambda o: o.offered_at)
    names = guide_names([o.guide_id for o in offers] + ([assignment.guide_id] if assignment.guide_id else []))
    proposals: list[matching.Proposal] = []
    more_form = GuidesForm(formdata=None)
    if assignment.state == "offered":
        needs = matching.Needs(language=assignment.language, dialect=request_row.dialect if request_row else "",
                               field=assignment.field, district=assignment.district, client_id=assignment.client_id)
        proposals = [p for p in rank_guides(needs, assignment.starts_on, assignment.ends_on, [assignment.id])
                     if not p.candidate.already_offered]
        more_form.guides.choices = choices([(p.candidate.guide_id, p.candidate.name) for p in proposals])
    return render_template(
        "coordinator/assignment.html", assignment=assignment, request_row=request_row, client=client,
        offers=offers, names=names, form=form or _agreement_form(assignment), action_form=ActionForm(),
        more_form=more_form, proposals=proposals, days=operations.days_left(assignment),
        ending_within=operations.ENDING_WITHIN_DAYS, errors=errors or [],
        logged=logged_minutes(db.session, [assignment.id]).get(assignment.id, 0), **page_labels(),
    ), status


@staff_required
def assignment(assignment_id: str) -> Any:
    return _render_assignment(get_assignment_or_404(assignment_id))


@staff_required
def edit_assignment(assignment_id: str) -> Any:
    row = get_assignment_or_404(assignment_id)
    form = AgreementForm()
    if not form.validate_on_submit():
        return _render_assignment(row, form, 400)
    assert form.starts_on.data is not None
    terms = operations.AgreementTerms(title=form.title.data or "", starts_on=form.starts_on.data,
                                      ends_on=form.ends_on.data, planned_minutes=to_minutes(form.planned_hours.data),
                                      description=form.description.data or "")
    version, opened = opened_values(form, "assignment", row.id)
    try:
        changed = operations.update_agreement(db.session, current_author(), row, terms, version, opened)
    except EditClash as clash:
        db.session.rollback()
        row = get_assignment_or_404(assignment_id)
        restamp_after_clash(form, "assignment", row.id, clash)
        return _render_assignment(row, form, 409, errors=clash_messages(clash, AGREEMENT_FIELD_LABELS))
    except (operations.AssignmentError, CoordinatorError) as exc:
        db.session.rollback()
        return _render_assignment(row, form, 400, errors=[str(ERRORS.get(exc.code, exc.code))])
    if changed:
        audit("assignment.edited", "assignment", row.id, fields=changed)
        db.session.commit()
        flash(_l("The agreement was saved. The guide's app receives it on its next sync."), "info")
    else:
        flash(_l("Nothing was changed."), "info")
    return redirect(url_for("coordinator.assignment", assignment_id=row.id))


@staff_required
def add_offers(assignment_id: str) -> Any:
    row = get_assignment_or_404(assignment_id)
    form = GuidesForm()
    form.guides.choices = choices([(c.guide_id, c.name) for c in matching.load_candidates(db.session,
                                                                                          current_org_id())])
    if not form.validate_on_submit():
        return _render_assignment(row, status=400, errors=[str(ERRORS["no_guide"])])
    try:
        added = operations.add_offers(db.session, current_author(), row, list(form.guides.data or []))
    except operations.AssignmentError as exc:
        db.session.rollback()
        return _render_assignment(row, status=400, errors=[str(ERRORS.get(exc.code, exc.code))])
    if added:
        audit("assignment.offered", "assignment", row.id, guides=added)
        db.session.commit()
        flash(lazy_ngettext("The assignment was offered to %(count)s guide. They see it in their app after the next sync.",
                 "The assignment was offered to %(count)s guides. They see it in their app after the next sync.",
                 len(added), count=len(added)), "info")
    return redirect(url_for("coordinator.assignment", assignment_id=row.id))


@staff_required
def withdraw_offer(assignment_id: str, offer_id: int) -> Any:
    row = get_assignment_or_404(assignment_id)
    offer_row = get_offer_or_404(row, offer_id)
    if ActionForm().validate_on_submit() and offer_row.state != "withdrawn":
        previous = offer_row.state
        operations.withdraw_offer(db.session, current_author(), row, offer_row)
        audit("assignment.offer_withdrawn", "assignment", row.id, guide_id=offer_row.guide_id, previous=previous)
        db.session.commit()
        flash(_l("The offer was withdrawn. The guide's app removes it on its next sync."), "info")
    return redirect(url_for("coordinator.assignment", assignment_id=row.id))


def _close_assignment(assignment_id: str, operation: Any, action: str, message: Any) -> Any:
    """End or cancel an agreement: the same checks, audit and answer, only the operation differs."""
    row = get_assignment_or_404(assignment_id)
    if ActionForm().validate_on_submit():
        try:
            operation(db.session, current_author(), row)
        except operations.AssignmentError as exc:
            db.session.rollback()
            flash(ERRORS.get(exc.code, exc.code), "error")
            return redirect(url_for("coordinator.assignment", assignment_id=row.id))
        audit(action, "assignment", row.id)
        db.session.commit()
        flash(message, "info")
    return redirect(url_for("coordinator.assignment", assignment_id=row.id))


@staff_required
def end_assignment(assignment_id: str) -> Any:
    return _close_assignment(assignment_id, operations.end_assignment, "assignment.ended",
                             _l("The agreement was marked as ended."))


@staff_required
def cancel_assignment(assignment_id: str) -> Any:
    return _close_assignment(assignment_id, operations.cancel_assignment, "assignment.cancelled",
                             _l("The assignment was cancelled."))
