"""Routes for partner institutions, their requests, matching, offers and agreements (assignments).

Each handler: parse → load-or-404 (access.py) → domain call (server/assignments/operations.py,
matching.py) → audit → commit → render or redirect.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.accounts.models import User
from server.assignments import matching, operations
from server.assignments.models import Assignment, AssignmentRequest, Client, PartnerInstitution
from server.audit.log import record_event
from server.coordinator.access import (
    get_assignment_or_404,
    get_offer_or_404,
    get_partner_or_404,
    get_request_or_404,
)
from server.coordinator.auth import current_org_id, is_admin, staff_required
from server.coordinator.forms import (
    ActionForm,
    AgreementForm,
    GuidesForm,
    OfferForm,
    PartnerForm,
    RequestForm,
    choices,
)
from server.coordinator.labels import SPECIALISATION_LABELS, language_label
from server.coordinator.views import bp
from server.extensions import db
from sync.coordinator import CoordinatorError
from sync.merge import Author
from sync.vocabulary import DISTRICTS, SPECIALISATIONS

FIELD_LABELS: dict[str, Any] = {matching.GENERAL_FIELD: _l("General (no specialisation)"), **SPECIALISATION_LABELS}
REQUIRED_LABELS = {
    "field": _l("field"), "language": _l("language"), "district": _l("district"), "starts_on": _l("start"),
    "ends_on": _l("end"), "expected_minutes": _l("expected effort"), "contact": _l("contact"),
    "people_count": _l("number of people"),
}
REQUEST_STATE_LABELS = {"open": _l("open"), "matched": _l("guide found"), "closed": _l("closed"),
                        "cancelled": _l("cancelled")}
ASSIGNMENT_STATE_LABELS = {"draft": _l("draft"), "offered": _l("offered"), "active": _l("active"),
                           "ended": _l("ended"), "cancelled": _l("cancelled")}
OFFER_STATE_LABELS = {"offered": _l("waiting for an answer"), "accepted": _l("accepted"),
                      "declined": _l("declined"), "taken": _l("taken by someone else"),
                      "withdrawn": _l("withdrawn")}
ERRORS = {
    "no_guide": _l("Choose at least one guide."),
    "unknown_guide": _l("One of the chosen guides does not belong to this organization."),
    "client_code_missing": _l("Choose a client or enter a new client code."),
    "period_order": _l("The end lies before the start."),
    "not_open": _l("Only an assignment nobody has accepted yet can be changed this way."),
    "not_active": _l("Only an active assignment can be ended."),
}


def _author() -> Author:
    return Author(role="admin" if is_admin() else "coordinator", user_id=current_user.id)


def _labels() -> dict[str, Any]:
    return {"districts": DISTRICTS, "fields": FIELD_LABELS, "required_labels": REQUIRED_LABELS,
            "request_states": REQUEST_STATE_LABELS, "assignment_states": ASSIGNMENT_STATE_LABELS,
            "offer_states": OFFER_STATE_LABELS, "language_name": language_label, "describe": matching.describe}


def _minutes(hours: Decimal | None) -> int | None:
    return None if hours is None else int(round(hours * 60))


def _hours(minutes: int | None) -> Decimal | None:
    return None if minutes is None else (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def _audit(action: str, object_type: str, object_id: Any, **details: Any) -> None:
    record_event(action, current_org_id(), actor_user_id=current_user.id, object_type=object_type,
                 object_id=object_id, details=details)


# ------------------------------------------------------------------ partner institutions

def _partners() -> list[PartnerInstitution]:
    from sqlalchemy import func, select

    return list(db.session.scalars(select(PartnerInstitution).where(
        PartnerInstitution.organization_id == current_org_id()).order_by(func.lower(PartnerInstitution.name))))


def _partner_values(form: PartnerForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in operations.PARTNER_FIELDS}


@bp.route("/partners", methods=["GET", "POST"])
@staff_required
def partners() -> Any:
    form = PartnerForm() if request.method == "POST" else PartnerForm(formdata=None)
    if request.method == "POST":
        if form.validate_on_submit():
            partner, _changed = operations.save_partner(db.session, current_org_id(), _partner_values(form))
            _audit("partner.created", "partner", partner.id, name=partner.name)
            db.session.commit()
            flash(_("The partner institution “%(name)s” was added.", name=partner.name), "info")
            return redirect(url_for("coordinator.partners"))
    return render_template("coordinator/partners.html", partners=_partners(), form=form, **_labels()), \
        (400 if form.errors else 200)


@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@staff_required
def partner(partner_id: int) -> Any:
    row = get_partner_or_404(partner_id)
    if request.method == "POST":
        form = PartnerForm()
        if form.validate_on_submit():
            _row, changed = operations.save_partner(db.session, current_org_id(), _partner_values(form), row)
            if changed:
                _audit("partner.edited", "partner", row.id, fields=changed)
                db.session.commit()
                flash(_("The partner institution was saved."), "info")
            return redirect(url_for("coordinator.partner", partner_id=row.id))
    else:
        form = PartnerForm(formdata=None, obj=row)
        form.district.data = row.district or ""
    requests_ = operations.search_requests(db.session, current_org_id(), operations.RequestFilters(partner_id=row.id))
    return render_template("coordinator/partner.html", partner=row, form=form, requests=requests_, **_labels()), \
        (400 if form.errors else 200)


# ------------------------------------------------------------------ requests

def _request_form(row: AssignmentRequest | None = None, formdata: Any = None) -> RequestForm:
    if formdata is not None:
        form = RequestForm(formdata=formdata)
    elif row is not None:
        form = RequestForm(formdata=None, obj=row)
        form.partner_id.data = str(row.partner_id or "")
        form.field.data = row.field or ""
        form.district.data = row.district or ""
        form.expected_hours.data = _hours(row.expected_minutes)
    else:
        form = RequestForm(formdata=None)
        partner_id = request.args.get("partner", "")
        form.partner_id.data = partner_id if partner_id.isdigit() else ""
    form.partner_id.choices = choices([("", "–")] + [(str(p.id), p.name) for p in _partners()])
    form.field.choices = choices([("", "–"), (matching.GENERAL_FIELD, str(FIELD_LABELS[matching.GENERAL_FIELD]))]
                                 + [(code, str(SPECIALISATION_LABELS[code])) for code in SPECIALISATIONS])
    return form


def _request_values(form: RequestForm) -> dict[str, Any]:
    partner_id = form.partner_id.data or ""
    return {
        "partner_id": int(partner_id) if partner_id.isdigit() else None, "field": form.field.data,
        "language": form.language.data, "dialect": form.dialect.data, "district": form.district.data,
        "starts_on": form.starts_on.data, "ends_on": form.ends_on.data,
        "expected_minutes": _minutes(form.expected_hours.data), "contact": form.contact.data,
        "people_count": form.people_count.data, "description": form.description.data,
    }


def _saved_message(row: AssignmentRequest) -> None:
    if row.missing_fields:
        missing = ", ".join(str(REQUIRED_LABELS[f]) for f in row.missing_fields)
        flash(_("The request was saved, but it is incomplete. Still missing: %(fields)s.", fields=missing), "error")
    else:
        flash(_("The request was saved."), "info")


@bp.get("/requests")
@staff_required
def requests() -> Any:
    show = request.args.get("show", "")
    filters = operations.RequestFilters(show=show if show in ("open", "without_guide", "incomplete") else "")
    rows = operations.search_requests(db.session, current_org_id(), filters)
    return render_template("coordinator/requests.html", rows=rows, filters=filters, **_labels())


@bp.route("/requests/new", methods=["GET", "POST"])
@staff_required
def new_request() -> Any:
    form = _request_form(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        row, _changed = operations.save_request(db.session, current_org_id(), _request_values(form))
        _audit("request.created", "request", row.id, missing=row.missing_fields)
        db.session.commit()
        _saved_message(row)
        return redirect(url_for("coordinator.request_detail", request_id=row.id))
    return render_template("coordinator/request_form.html", form=form, row=None, **_labels()), \
        (400 if form.errors else 200)


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_request(request_id: int) -> Any:
    row = get_request_or_404(request_id)
    form = _request_form(row, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        _row, changed = operations.save_request(db.session, current_org_id(), _request_values(form), row)
        if changed:
            _audit("request.edited", "request", row.id, fields=changed, missing=row.missing_fields)
            db.session.commit()
            _saved_message(row)
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for("coordinator.request_detail", request_id=row.id))
    return render_template("coordinator/request_form.html", form=form, row=row, **_labels()), \
        (400 if form.errors else 200)


@bp.post("/requests/<int:request_id>/state")
@staff_required
def request_state(request_id: int) -> Any:
    row = get_request_or_404(request_id)
    state = request.form.get("state", "")
    if ActionForm().validate_on_submit() and state in ("open", "closed", "cancelled") and state != row.state:
        _audit("request.state_changed", "request", row.id, old=row.state, new=state)
        row.state = state
        db.session.commit()
        flash(_("The request is now: %(state)s.", state=str(REQUEST_STATE_LABELS[state])), "info")
    return redirect(url_for("coordinator.request_detail", request_id=row.id))


def _clients() -> list[Client]:
    return operations.clients(db.session, current_org_id())


def _offer_form(row: AssignmentRequest, client_id: str, formdata: Any = None) -> OfferForm:
    if formdata is not None:
        form = OfferForm(formdata=formdata)
    else:
        form = OfferForm(formdata=None, title=_title_for(row), starts_on=row.starts_on, ends_on=row.ends_on,
                         planned_hours=_hours(row.expected_minutes), client_id=client_id,
                         client_language=row.language or "", household_size=row.people_count)
    form.client_id.choices = choices([("", _("– a new client –"))] + [
        (c.id, f"{c.code} · {c.language or '–'} · {c.household_size or '–'}") for c in _clients()])
    return form


def _title_for(row: AssignmentRequest) -> str:
    parts = [str(FIELD_LABELS.get(row.field or "", "")) if row.field else "",
             row.partner.name if row.partner else ""]
    return " – ".join(p for p in parts if p)[:200]


def _ranking(needs: matching.Needs, starts_on: dt.date | None, ends_on: dt.date | None,
             offered_in: list[str]) -> list[matching.Proposal]:
    candidates = matching.load_candidates(db.session, current_org_id(), starts_on=starts_on, ends_on=ends_on,
                                          client_id=needs.client_id, offered_in=offered_in)
    return matching.rank(candidates, needs)


def _render_request(row: AssignmentRequest, offer_form: OfferForm | None = None, status: int = 200,
                    errors: list[str] | None = None) -> Any:
    client_id = request.args.get("client", "") if offer_form is None else (offer_form.client_id.data or "")
    known = {c.id for c in _clients()}
    client_id = client_id if client_id in known else ""
    assignments = operations.request_assignments(db.session, row)
    needs = matching.Needs(language=row.language, dialect=row.dialect or "", field=row.field,
                           district=row.district, client_id=client_id or None)
    proposals = _ranking(needs, row.starts_on, row.ends_on,
                         [a.id for a in assignments if a.state in ("offered", "active")])
    form = offer_form or _offer_form(row, client_id)
    form.guides.choices = choices([(p.candidate.guide_id, p.candidate.name) for p in proposals])
    chosen = set(form.guides.data or []) if offer_form is not None else set()
    return render_template("coordinator/request.html", row=row, assignments=assignments, proposals=proposals,
                           offer_form=form, chosen=chosen, client_id=client_id, clients=_clients(),
                           action_form=ActionForm(), errors=errors or [], **_labels()), status


@bp.get("/requests/<int:request_id>")
@staff_required
def request_detail(request_id: int) -> Any:
    return _render_request(get_request_or_404(request_id))


@bp.post("/requests/<int:request_id>/offer")
@staff_required
def offer(request_id: int) -> Any:
    """Create the assignment with a pseudonymous client and offer it to the chosen guides."""
    row = get_request_or_404(request_id)
    form = _offer_form(row, "", request.form)
    from server.assignments.matching import load_candidates

    form.guides.choices = choices([(c.guide_id, c.name) for c in load_candidates(db.session, current_org_id())])
    if not form.validate_on_submit():
        return _render_request(row, form, 400)
    try:
        client_id = form.client_id.data or ""
        if client_id:
            client = next((c for c in _clients() if c.id == client_id), None)
            if client is None:
                raise operations.AssignmentError("client_code_missing")
        else:
            client = operations.find_or_create_client(db.session, current_org_id(), form.client_code.data or "",
                                                      form.client_language.data, form.household_size.data)
        assert form.starts_on.data is not None
        terms = operations.AgreementTerms(title=form.title.data or "", starts_on=form.starts_on.data,
                                          ends_on=form.ends_on.data, planned_minutes=_minutes(form.planned_hours.data))
        assignment = operations.offer_assignment(db.session, _author(), current_org_id(), terms,
                                                 list(form.guides.data or []), client=client, request=row)
    except operations.AssignmentError as exc:
        db.session.rollback()
        return _render_request(row, form, 400, errors=[str(ERRORS.get(exc.code, exc.code))])
    _audit("assignment.offered", "assignment", assignment.id, request_id=row.id, client=client.code,
           guides=[o.guide_id for o in assignment.offers])
    db.session.commit()
    flash(_("The assignment was offered to %(count)s guide(s). They see it in their app after the next sync.",
            count=len(assignment.offers)), "info")
    return redirect(url_for("coordinator.assignment", assignment_id=assignment.id))


# ------------------------------------------------------------------ agreements

@bp.get("/assignments")
@staff_required
def assignments() -> Any:
    show = request.args.get("show", "")
    filters = operations.AgreementFilters(
        show=show if show in ("ending", "active", "offered", "ended", "cancelled") else "")
    rows = operations.agreements(db.session, current_org_id(), filters)
    guides = _guide_names([a.guide_id for a in rows if a.guide_id])
    return render_template("coordinator/assignments.html", rows=rows, filters=filters, guides=guides,
                           offers=operations.live_offer_count(db.session, [a.id for a in rows]),
                           days_left=operations.days_left, today=dt.date.today(), **_labels())


def _guide_names(ids: list[int]) -> dict[int, str]:
    from sqlalchemy import select

    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(set(ids)))).all())


def _agreement_form(assignment: Assignment) -> AgreementForm:
    return AgreementForm(formdata=None, title=assignment.title, starts_on=assignment.starts_on,
                         ends_on=assignment.ends_on, planned_hours=_hours(assignment.planned_minutes),
                         description=assignment.description)


def _render_assignment(assignment: Assignment, form: AgreementForm | None = None, status: int = 200,
                       errors: list[str] | None = None) -> Any:
    request_row = db.session.get(AssignmentRequest, assignment.request_id) if assignment.request_id else None
    client = db.session.get(Client, assignment.client_id) if assignment.client_id else None
    offers = sorted(assignment.offers, key=lambda o: o.offered_at)
    names = _guide_names([o.guide_id for o in offers] + ([assignment.guide_id] if assignment.guide_id else []))
    proposals: list[matching.Proposal] = []
    more_form = GuidesForm(formdata=None)
    if assignment.state == "offered":
        needs = matching.Needs(language=assignment.language, dialect=request_row.dialect if request_row else "",
                               field=assignment.field, district=assignment.district, client_id=assignment.client_id)
        proposals = [p for p in _ranking(needs, assignment.starts_on, assignment.ends_on, [assignment.id])
                     if not p.candidate.already_offered]
        more_form.guides.choices = choices([(p.candidate.guide_id, p.candidate.name) for p in proposals])
    return render_template(
        "coordinator/assignment.html", assignment=assignment, request_row=request_row, client=client,
        offers=offers, names=names, form=form or _agreement_form(assignment), action_form=ActionForm(),
        more_form=more_form, proposals=proposals, days=operations.days_left(assignment),
        ending_within=operations.ENDING_WITHIN_DAYS, errors=errors or [], **_labels(),
    ), status


@bp.get("/assignments/<assignment_id>")
@staff_required
def assignment(assignment_id: str) -> Any:
    return _render_assignment(get_assignment_or_404(assignment_id))


@bp.post("/assignments/<assignment_id>")
@staff_required
def edit_assignment(assignment_id: str) -> Any:
    row = get_assignment_or_404(assignment_id)
    form = AgreementForm()
    if not form.validate_on_submit():
        return _render_assignment(row, form, 400)
    assert form.starts_on.data is not None
    terms = operations.AgreementTerms(title=form.title.data or "", starts_on=form.starts_on.data,
                                      ends_on=form.ends_on.data, planned_minutes=_minutes(form.planned_hours.data),
                                      description=form.description.data or "")
    try:
        changed = operations.update_agreement(db.session, _author(), row, terms)
    except (operations.AssignmentError, CoordinatorError) as exc:
        db.session.rollback()
        return _render_assignment(row, form, 400, errors=[str(ERRORS.get(exc.code, exc.code))])
    if changed:
        _audit("assignment.edited", "assignment", row.id, fields=changed)
        db.session.commit()
        flash(_("The agreement was saved. The guide's app receives it on its next sync."), "info")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("coordinator.assignment", assignment_id=row.id))


@bp.post("/assignments/<assignment_id>/offers")
@staff_required
def add_offers(assignment_id: str) -> Any:
    row = get_assignment_or_404(assignment_id)
    form = GuidesForm()
    form.guides.choices = choices([(c.guide_id, c.name) for c in matching.load_candidates(db.session,
                                                                                          current_org_id())])
    if not form.validate_on_submit():
        return _render_assignment(row, status=400, errors=[str(ERRORS["no_guide"])])
    try:
        added = operations.add_offers(db.session, _author(), row, list(form.guides.data or []))
    except operations.AssignmentError as exc:
        db.session.rollback()
        return _render_assignment(row, status=400, errors=[str(ERRORS.get(exc.code, exc.code))])
    if added:
        _audit("assignment.offered", "assignment", row.id, guides=added)
        db.session.commit()
        flash(_("The assignment was offered to %(count)s guide(s). They see it in their app after the next sync.",
                count=len(added)), "info")
    return redirect(url_for("coordinator.assignment", assignment_id=row.id))


@bp.post("/assignments/<assignment_id>/offers/<int:offer_id>/withdraw")
@staff_required
def withdraw_offer(assignment_id: str, offer_id: int) -> Any:
    row = get_assignment_or_404(assignment_id)
    offer_row = get_offer_or_404(row, offer_id)
    if ActionForm().validate_on_submit() and offer_row.state != "withdrawn":
        previous = offer_row.state
        operations.withdraw_offer(db.session, _author(), row, offer_row)
        _audit("assignment.offer_withdrawn", "assignment", row.id, guide_id=offer_row.guide_id, previous=previous)
        db.session.commit()
        flash(_("The offer was withdrawn. The guide's app removes it on its next sync."), "info")
    return redirect(url_for("coordinator.assignment", assignment_id=row.id))


def _close_assignment(assignment_id: str, operation: Any, action: str, message: str) -> Any:
    """End or cancel an agreement: the same checks, audit and answer, only the operation differs."""
    row = get_assignment_or_404(assignment_id)
    if ActionForm().validate_on_submit():
        try:
            operation(db.session, _author(), row)
        except operations.AssignmentError as exc:
            db.session.rollback()
            flash(str(ERRORS.get(exc.code, exc.code)), "error")
            return redirect(url_for("coordinator.assignment", assignment_id=row.id))
        _audit(action, "assignment", row.id)
        db.session.commit()
        flash(message, "info")
    return redirect(url_for("coordinator.assignment", assignment_id=row.id))


@bp.post("/assignments/<assignment_id>/end")
@staff_required
def end_assignment(assignment_id: str) -> Any:
    return _close_assignment(assignment_id, operations.end_assignment, "assignment.ended",
                             _("The agreement was marked as ended."))


@bp.post("/assignments/<assignment_id>/cancel")
@staff_required
def cancel_assignment(assignment_id: str) -> Any:
    return _close_assignment(assignment_id, operations.cancel_assignment, "assignment.cancelled",
                             _("The assignment was cancelled."))
