"""Routes for one request's matching list (guides ranked by server/assignments/matching.py) and the offer."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_ngettext

from server.assignments import matching, operations
from server.assignments.models import AssignmentRequest, Client
from server.coordinator.common.access import get_request_or_404
from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.forms import ActionForm, OfferForm, choices
from server.coordinator.requests.common import (
    ERRORS,
    FIELD_LABELS,
    audit,
    page_labels,
    rank_guides,
    to_hours,
    to_minutes,
)
from server.extensions import db
from server.i18n import flash


def _clients() -> list[Client]:
    return operations.clients(db.session, current_org_id())


def _offer_form(row: AssignmentRequest, client_id: str, formdata: Any = None) -> OfferForm:
    if formdata is not None:
        form = OfferForm(formdata=formdata)
    else:
        form = OfferForm(formdata=None, title=_title_for(row), starts_on=row.starts_on, ends_on=row.ends_on,
                         planned_hours=to_hours(row.expected_minutes), client_id=client_id,
                         client_language=row.language or "", household_size=row.people_count)
    form.client_id.choices = choices([("", _("– a new client –"))] + [
        (c.id, f"{c.code} · {c.language or '–'} · {c.household_size or '–'}") for c in _clients()])
    return form


def _title_for(row: AssignmentRequest) -> str:
    parts = [str(FIELD_LABELS.get(row.field or "", "")) if row.field else "",
             row.partner.name if row.partner else ""]
    return " – ".join(p for p in parts if p)[:200]


def _render_request(row: AssignmentRequest, offer_form: OfferForm | None = None, status: int = 200,
                    errors: list[str] | None = None) -> Any:
    client_id = request.args.get("client", "") if offer_form is None else (offer_form.client_id.data or "")
    known = {c.id for c in _clients()}
    client_id = client_id if client_id in known else ""
    assignments = operations.request_assignments(db.session, row)
    needs = matching.Needs(language=row.language, dialect=row.dialect or "", field=row.field,
                           district=row.district, client_id=client_id or None)
    proposals = rank_guides(needs, row.starts_on, row.ends_on,
                         [a.id for a in assignments if a.state in ("offered", "active")])
    form = offer_form or _offer_form(row, client_id)
    form.guides.choices = choices([(p.candidate.guide_id, p.candidate.name) for p in proposals])
    chosen = set(form.guides.data or []) if offer_form is not None else set()
    return render_template("coordinator/request.html", row=row, assignments=assignments, proposals=proposals,
                           offer_form=form, chosen=chosen, client_id=client_id, clients=_clients(),
                           action_form=ActionForm(), errors=errors or [], **page_labels()), status


@staff_required
def request_detail(request_id: int) -> Any:
    return _render_request(get_request_or_404(request_id))


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
                                          ends_on=form.ends_on.data, planned_minutes=to_minutes(form.planned_hours.data))
        assignment = operations.offer_assignment(db.session, current_author(), current_org_id(), terms,
                                                 list(form.guides.data or []), client=client, request=row)
    except operations.AssignmentError as exc:
        db.session.rollback()
        return _render_request(row, form, 400, errors=[str(ERRORS.get(exc.code, exc.code))])
    audit("assignment.offered", "assignment", assignment.id, request_id=row.id, client=client.code,
           guides=[o.guide_id for o in assignment.offers])
    db.session.commit()
    flash(lazy_ngettext("The assignment was offered to %(count)s guide. They see it in their app after the next sync.",
                 "The assignment was offered to %(count)s guides. They see it in their app after the next sync.",
                 len(assignment.offers), count=len(assignment.offers)), "info")
    return redirect(url_for("coordinator.assignment", assignment_id=assignment.id))

