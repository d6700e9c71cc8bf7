"""Routes for assignment requests from partner institutions: list, record, edit, open/close.

Each handler: parse → load-or-404 (access.py) → domain call (server/assignments/operations.py) → audit →
commit → render or redirect. Matching and offers: offers.py; agreements: assignments.py.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from server.assignments import matching, operations
from server.assignments.models import AssignmentRequest
from server.coordinator.common.access import get_request_or_404
from server.coordinator.common.auth import current_org_id, staff_required
from server.coordinator.common.forms import ActionForm, RequestForm, choices
from server.coordinator.requests.common import (
    FIELD_LABELS,
    REQUEST_STATE_LABELS,
    REQUIRED_LABELS,
    audit,
    organization_partners,
    page_labels,
    to_hours,
    to_minutes,
)
from server.extensions import db
from server.i18n import flash
from server.labels import SPECIALISATION_LABELS
from server.public.requests import requests_by_source
from sync.vocabulary import SPECIALISATIONS


def _request_form(row: AssignmentRequest | None = None, formdata: Any = None) -> RequestForm:
    if formdata is not None:
        form = RequestForm(formdata=formdata)
    elif row is not None:
        form = RequestForm(formdata=None, obj=row)
        form.partner_id.data = str(row.partner_id or "")
        form.field.data = row.field or ""
        form.district.data = row.district or ""
        form.expected_hours.data = to_hours(row.expected_minutes)
    else:
        form = RequestForm(formdata=None)
        partner_id = request.args.get("partner", "")
        form.partner_id.data = partner_id if partner_id.isdigit() else ""
    form.partner_id.choices = choices([("", "–")] + [(str(p.id), p.name) for p in organization_partners()])
    form.field.choices = choices([("", "–"), (matching.GENERAL_FIELD, str(FIELD_LABELS[matching.GENERAL_FIELD]))]
                                 + [(code, str(SPECIALISATION_LABELS[code])) for code in SPECIALISATIONS])
    return form


def _request_values(form: RequestForm) -> dict[str, Any]:
    partner_id = form.partner_id.data or ""
    return {
        "partner_id": int(partner_id) if partner_id.isdigit() else None, "field": form.field.data,
        "language": form.language.data, "dialect": form.dialect.data, "district": form.district.data,
        "starts_on": form.starts_on.data, "ends_on": form.ends_on.data,
        "expected_minutes": to_minutes(form.expected_hours.data), "contact": form.contact.data,
        "people_count": form.people_count.data, "description": form.description.data,
    }


def _saved_message(row: AssignmentRequest) -> None:
    if row.missing_fields:
        missing = ", ".join(str(REQUIRED_LABELS[f]) for f in row.missing_fields)
        flash(_l("The request was saved, but it is incomplete. Still missing: %(fields)s.", fields=missing), "error")
    else:
        flash(_l("The request was saved."), "info")


def request_filters(args: Any) -> operations.RequestFilters:
    show = args.get("show", "")
    return operations.RequestFilters(show=show if show in ("open", "without_guide", "incomplete") else "")


@staff_required
def requests() -> Any:
    filters = request_filters(request.args)
    rows = operations.search_requests(db.session, current_org_id(), filters)
    by_source = requests_by_source(db.session, current_org_id())
    return render_template("coordinator/requests.html", rows=rows, filters=filters, by_source=by_source,
                           **page_labels())


@staff_required
def new_request() -> Any:
    form = _request_form(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        row, _changed = operations.save_request(db.session, current_org_id(), _request_values(form))
        audit("request.created", "request", row.id, missing=row.missing_fields)
        db.session.commit()
        _saved_message(row)
        return redirect(url_for("coordinator.request_detail", request_id=row.id))
    return render_template("coordinator/request_form.html", form=form, row=None, **page_labels()), \
        (400 if form.errors else 200)


@staff_required
def edit_request(request_id: int) -> Any:
    row = get_request_or_404(request_id)
    form = _request_form(row, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        _row, changed = operations.save_request(db.session, current_org_id(), _request_values(form), row)
        if changed:
            audit("request.edited", "request", row.id, fields=changed, missing=row.missing_fields)
            db.session.commit()
            _saved_message(row)
        else:
            flash(_l("Nothing was changed."), "info")
        return redirect(url_for("coordinator.request_detail", request_id=row.id))
    return render_template("coordinator/request_form.html", form=form, row=row, **page_labels()), \
        (400 if form.errors else 200)


@staff_required
def request_state(request_id: int) -> Any:
    row = get_request_or_404(request_id)
    state = request.form.get("state", "")
    if ActionForm().validate_on_submit() and state in ("open", "closed", "cancelled") and state != row.state:
        audit("request.state_changed", "request", row.id, old=row.state, new=state)
        row.state = state
        db.session.commit()
        flash(_l("The request is now: %(state)s.", state=str(REQUEST_STATE_LABELS[state])), "info")
    return redirect(url_for("coordinator.request_detail", request_id=row.id))

