"""Routes for volunteer certificates: issue one for a guide and a period, list, download the PDF, revoke.

What a certificate states is frozen when issued (server/money/certificates.py); its PDF carries a QR
code to the public page /verify/<token> (server/money/verify_views.py). Issuing, downloading and
revoking are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from server.accounts.models import Membership, User
from server.audit.log import record_event
from server.coordinator.common.access import get_guide_or_404
from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.files import download
from server.coordinator.common.forms import ActionForm
from server.coordinator.money.rate_forms import CertificateForm
from server.extensions import db
from server.i18n import flash
from server.money.certificates import (
    certificate_pdf,
    issue_certificate,
    revoke_certificate,
    verification_url,
)
from server.money.errors import MoneyError
from server.money.models import Certificate
from server.money.reports import KIND_LABELS
from sync import clock


def get_certificate_or_404(certificate_id: int) -> Certificate:
    cert = db.session.get(Certificate, certificate_id)
    if cert is None or cert.organization_id != current_org_id():
        abort(404)
    return cert


def organization_guides() -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == current_org_id(), Membership.role == "guide", User.erased_at.is_(None))
        .order_by(User.name)))


def guide_certificates(guide_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(
        Certificate.organization_id == current_org_id(), Certificate.guide_id == guide_id)
        .order_by(Certificate.issued_at.desc())))


def _render(form: CertificateForm | None = None, guide_id: int | None = None, error: str | None = None,
            status: int = 200) -> Any:
    today = clock.today()
    certificates = list(db.session.scalars(select(Certificate).where(
        Certificate.organization_id == current_org_id()).order_by(Certificate.issued_at.desc()).limit(500)))
    if form is None:
        form = CertificateForm(formdata=None, period_from=dt.date(today.year, 1, 1), period_to=today)
    return render_template("coordinator/certificates.html", form=form, guides=organization_guides(),
                           guide_id=guide_id, certificates=certificates, action_form=ActionForm(), error=error,
                           verify_url=verification_url), status


@staff_required
def certificates() -> Any:
    guide_id = request.args.get("guide", type=int)
    return _render(guide_id=guide_id)


@staff_required
def certificate_issue() -> Any:
    guide_id = request.form.get("guide_id", type=int)
    if guide_id is None:
        return _render(CertificateForm(), error=_("Choose a guide."), status=400)
    guide, _profile = get_guide_or_404(guide_id)  # another organization's guide: 404 like a missing one
    form = CertificateForm()
    if not form.validate_on_submit():
        return _render(form, guide.id, status=400)
    assert form.period_from.data is not None and form.period_to.data is not None
    try:
        cert = issue_certificate(current_author(), current_org_id(), guide.id, form.period_from.data, form.period_to.data,
                                 form.signer_name.data or "")
    except MoneyError as exc:
        db.session.rollback()
        message = _("%(name)s has no approved activities in this period: there is nothing to certify.",
                    name=guide.name) if exc.code == "no_activities" else _("The certificate could not be issued.")
        return _render(form, guide_id, error=message, status=400)
    db.session.commit()
    flash(_l("The certificate for %(name)s was issued.", name=guide.name), "info")
    return redirect(url_for("coordinator.certificates", guide=guide.id) + f"#certificate-{cert.id}")


@staff_required
def certificate_file(certificate_id: int) -> Any:
    cert = get_certificate_or_404(certificate_id)
    data = certificate_pdf(cert)
    record_event("certificate.downloaded", current_org_id(), actor_user_id=current_user.id,
                 object_type="certificate", object_id=cert.id)
    db.session.commit()
    name = f"ehrenamtsnachweis-{cert.id}-{cert.period_to.isoformat()}.pdf"
    return download(data, "application/pdf", name)


@staff_required
def certificate_revoke(certificate_id: int) -> Any:
    cert = get_certificate_or_404(certificate_id)
    if ActionForm().validate_on_submit() and cert.revoked_at is None:
        revoke_certificate(current_author(), current_org_id(), cert.id)
        db.session.commit()
        flash(_l("The certificate was revoked. Its verification page now says so."), "info")
    return redirect(url_for("coordinator.certificates") + f"#certificate-{cert.id}")


def certificate_context(guide_id: int) -> dict[str, Any]:
    """The guide page's certificate list (server/coordinator/templates/coordinator/_guide_money.html)."""
    return {"certificates": guide_certificates(guide_id), "kind_labels": KIND_LABELS}
