"""Routes for data protection: a guide's data export (Art. 15), erasure (Art. 17), retention settings.

The rules live in server/privacy/ (export.py, erasure.py, retention.py); every access to an export and
every erasure is recorded in the audit log.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from server.audit.log import record_event
from server.blobs.store import blob_store
from server.coordinator.common.access import get_guide_or_404
from server.coordinator.common.auth import (
    current_author,
    current_org,
    current_org_id,
    is_admin,
    staff_required,
)
from server.coordinator.common.files import download
from server.coordinator.common.forms import ActionForm, EraseForm, RetentionForm
from server.extensions import db
from server.i18n import flash
from server.privacy import erasure, export, retention
from sync import clock


def _render_privacy(guide: Any, profile: Any, erase_form: EraseForm | None = None, status: int = 200,
                    error: str | None = None) -> Any:
    return render_template("coordinator/guide_privacy.html", guide=guide, profile=profile, form=ActionForm(),
                           erase_form=erase_form or EraseForm(formdata=None), error=error,
                           owed=erasure.unpaid_expenses(db.session, current_org_id(), guide.id),
                           years=current_org().booking_retention_years), status


@staff_required
def guide_privacy(guide_id: int) -> Any:
    guide, profile = get_guide_or_404(guide_id)
    return _render_privacy(guide, profile)


@staff_required
def export_guide(guide_id: int) -> Any:
    guide, _profile = get_guide_or_404(guide_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("coordinator.guide_privacy", guide_id=guide.id))
    data, counts = export.build_zip(db.session, current_org_id(), guide, blob_store())
    record_event("privacy.exported", current_org_id(), actor_user_id=current_user.id, object_type="user",
                 object_id=guide.id, details={"legal_basis": "Art. 15 DSGVO", "counts": counts})
    db.session.commit()
    name = f"lotsenbuch-export-{guide.id}-{clock.today().isoformat()}.zip"
    return download(data, "application/zip", name)


@staff_required
def erase_guide(guide_id: int) -> Any:
    guide, profile = get_guide_or_404(guide_id)
    form = EraseForm()
    if guide.erased_at is not None:
        flash(_l("This guide’s data was erased already."), "info")
        return redirect(url_for("coordinator.guide_privacy", guide_id=guide.id))
    if not form.validate_on_submit():
        return _render_privacy(guide, profile, form, 400)
    if " ".join((form.confirm_name.data or "").split()) != " ".join(guide.name.split()):
        return _render_privacy(guide, profile, form, 400,
                               _("The name you typed does not match. Nothing was erased."))
    try:
        summary = erasure.erase_guide(db.session, current_author(), current_org(), guide, profile,
                                      keep_certificates=bool(form.keep_certificates.data))
    except erasure.ErasureRefused as exc:
        db.session.rollback()
        guide, profile = get_guide_or_404(guide_id)
        message = ngettext("%(count)s expense is submitted or approved but not paid yet. Pay or reject it first; "
                           "nothing was erased.",
                           "%(count)s expenses are submitted or approved but not paid yet. Pay or reject them first; "
                           "nothing was erased.", exc.count, count=exc.count) if exc.code == "money_owed" else \
            _("This guide’s data was erased already.")
        return _render_privacy(guide, profile, form, 409, message)
    record_event("guide.erased", current_org_id(), actor_user_id=current_user.id, object_type="user",
                 object_id=guide.id, details={"legal_basis": "Art. 17 DSGVO", **summary.as_dict()})
    db.session.commit()
    flash(_l("The guide’s personal data was erased. Booking records are kept, restricted, until their retention "
            "date."), "info")
    return redirect(url_for("coordinator.guide_privacy", guide_id=guide.id))


@staff_required
def privacy() -> Any:
    org = current_org()
    preview = retention.apply_to_organization(db.session, org, clock.today())
    db.session.rollback()  # a preview only: the counts of what the next run would anonymise
    org = current_org()
    form = RetentionForm(formdata=None, data={"retention_months": org.retention_months,
                                              "booking_retention_years": org.booking_retention_years})
    return render_template("coordinator/privacy.html", org=org, preview=preview, form=form,
                           cutoff=retention.cutoff_for(clock.today(), org.retention_months), admin=is_admin())


@staff_required
def retention_settings() -> Any:
    if not is_admin():
        abort(404)
    org = current_org()
    form = RetentionForm()
    if not form.validate_on_submit():
        for field in (form.retention_months, form.booking_retention_years):
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(url_for("coordinator.privacy"))
    before = {"retention_months": org.retention_months, "booking_retention_years": org.booking_retention_years}
    org.retention_months = form.retention_months.data
    org.booking_retention_years = form.booking_retention_years.data
    record_event("privacy.retention_changed", org.id, actor_user_id=current_user.id, object_type="organization",
                 object_id=org.id, details={"before": before, "after": {
                     "retention_months": org.retention_months,
                     "booking_retention_years": org.booking_retention_years}})
    db.session.commit()
    flash(_l("The retention periods were saved."), "info")
    return redirect(url_for("coordinator.privacy"))
