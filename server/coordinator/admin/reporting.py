"""The admin's settings for money files and funder reports of one organization: funding reference,
booking accounts per expense category and allowance basis, and the logo (server/organizations/reporting.py).
The same 403-for-coordinators rule as the rest of the set-up (admin_views.admins_only); every change audited.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from server.coordinator.admin.forms import LogoForm, ReportingForm
from server.coordinator.admin.views import _audit, _render_organization, admins_only, get_organization_or_404
from server.coordinator.common.auth import current_org, staff_required
from server.coordinator.common.forms import ActionForm
from server.extensions import db
from server.i18n import flash
from server.organizations import reporting
from server.organizations.models import Organization


def logo_messages() -> dict[str, str]:
    return {
        "unsupported_type": _("The logo must be a PNG or JPEG picture."),
        "broken_file": _("The picture could not be read. Please save it again as PNG or JPEG."),
        "too_large": _("The picture is too large. Please upload a smaller logo."),
    }


@admins_only
def admin_reporting(org_id: int) -> Any:
    org = get_organization_or_404(org_id)
    form = ReportingForm()
    if not form.validate_on_submit():
        return _render_organization(org, 400, reporting=form)
    changed = reporting.update_reporting(org, form.funding_reference.data or "", form.booking_accounts())
    if changed:
        _audit(org, "organization.reporting_changed", "organization", org.id, changes=changed)
        db.session.commit()
        flash(_l("The settings were saved."), "info")
    else:
        flash(_l("Nothing was changed."), "info")
    return redirect(url_for("coordinator.admin_organization", org_id=org.id))


@admins_only
def admin_logo(org_id: int) -> Any:
    org = get_organization_or_404(org_id)
    form = LogoForm()
    if not form.validate_on_submit():
        return _render_organization(org, 400, logo=form)
    try:
        details = reporting.set_logo(org, form.logo.data.read(current_app.config["LOGO_MAX_BYTES"] + 1))
    except reporting.LogoError as exc:
        db.session.rollback()
        form.logo.errors = [logo_messages()[exc.code]]
        return _render_organization(org, 413 if exc.code == "too_large" else 400, logo=form)
    _audit(org, "organization.logo_set", "organization", org.id, **details)
    db.session.commit()
    flash(_l("The logo was saved; it appears on the funder reports."), "info")
    return redirect(url_for("coordinator.admin_organization", org_id=org.id))


@admins_only
def admin_remove_logo(org_id: int) -> Any:
    org = get_organization_or_404(org_id)
    if not ActionForm().validate_on_submit():
        return _render_organization(org, 400)
    if reporting.remove_logo(org):
        _audit(org, "organization.logo_removed", "organization", org.id)
        db.session.commit()
        flash(_l("The logo was removed."), "info")
    return redirect(url_for("coordinator.admin_organization", org_id=org.id))


def _logo_response(org: Organization) -> Response:
    if org.logo is None or org.logo_content_type is None:
        return Response(status=404)
    return Response(org.logo, mimetype=org.logo_content_type, headers={
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-cache"})


@admins_only
def admin_logo_image(org_id: int) -> Any:
    return _logo_response(get_organization_or_404(org_id))


@staff_required
def organization_logo() -> Any:
    """The signed-in coordinator's own organization's logo (the report page shows it)."""
    return _logo_response(current_org())
