"""Routes for partner institutions (the schools, offices and clinics that send requests)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from server.assignments import operations
from server.coordinator.common.access import get_partner_or_404
from server.coordinator.common.auth import current_org_id, staff_required
from server.coordinator.common.forms import PartnerForm
from server.coordinator.requests.common import audit, organization_partners, page_labels
from server.extensions import db
from server.i18n import flash


def _partner_values(form: PartnerForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in operations.PARTNER_FIELDS}


@staff_required
def partners() -> Any:
    form = PartnerForm() if request.method == "POST" else PartnerForm(formdata=None)
    if request.method == "POST":
        if form.validate_on_submit():
            partner, _changed = operations.save_partner(db.session, current_org_id(), _partner_values(form))
            audit("partner.created", "partner", partner.id, name=partner.name)
            db.session.commit()
            flash(_l("The partner institution “%(name)s” was added.", name=partner.name), "info")
            return redirect(url_for("coordinator.partners"))
    return render_template("coordinator/partners.html", partners=organization_partners(), form=form, **page_labels()), \
        (400 if form.errors else 200)


@staff_required
def partner(partner_id: int) -> Any:
    row = get_partner_or_404(partner_id)
    if request.method == "POST":
        form = PartnerForm()
        if form.validate_on_submit():
            _row, changed = operations.save_partner(db.session, current_org_id(), _partner_values(form), row)
            if changed:
                audit("partner.edited", "partner", row.id, fields=changed)
                db.session.commit()
                flash(_l("The partner institution was saved."), "info")
            return redirect(url_for("coordinator.partner", partner_id=row.id))
    else:
        form = PartnerForm(formdata=None, obj=row)
        form.district.data = row.district or ""
    requests_ = operations.search_requests(db.session, current_org_id(), operations.RequestFilters(partner_id=row.id))
    return render_template("coordinator/partner.html", partner=row, form=form, requests=requests_, **page_labels()), \
        (400 if form.errors else 200)

