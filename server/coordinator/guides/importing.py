"""Routes for importing an existing guide list (CSV or XLSX): upload → preview with row errors → confirm.

The preview's rows travel to the confirmation signed (itsdangerous, with the app's secret key) in a
hidden field, so no server keeps state between the two steps and nobody can slip in other rows. The
confirmation checks every row again and creates all guides in one transaction, or none (see
server/guides/importer.py).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from server.audit.log import record_event
from server.coordinator.common.auth import current_org, current_org_id, staff_required
from server.coordinator.common.forms import ImportConfirmForm, ImportForm
from server.extensions import db
from server.guides import importer
from server.i18n import flash
from sync.vocabulary import DISTRICTS

TOKEN_MAX_AGE = 3600  # seconds between preview and confirmation


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="guide-import")


def _page(**context: Any) -> str:
    """The import page; each row's districts are shown with their names (DISTRICTS)."""
    return render_template("coordinator/import.html", districts=DISTRICTS, **context)


@staff_required
def import_guides() -> Any:
    return _page(form=ImportForm(formdata=None), rows=None)


@staff_required
def import_preview() -> Any:
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form=form, rows=None), 400
    upload = form.file.data
    try:
        table = importer.read_table(upload.filename or "", upload.read(importer.MAX_BYTES + 1))
    except importer.ImportFileError as exc:
        return _page(form=form, rows=None, file_error=str(exc)), 400
    rows = importer.check_rows(db.session, table)
    bad = sum(1 for r in rows if r.errors)
    token = _serializer().dumps({"org": current_org_id(), "rows": [r.to_json() for r in rows]}) if not bad and rows \
        else ""
    record_event("guide.import_previewed", current_org_id(), actor_user_id=current_user.id,
                 details={"rows": len(rows), "rows_with_errors": bad})
    db.session.commit()
    return _page(form=ImportForm(formdata=None), rows=rows, bad=bad,
                           confirm_form=ImportConfirmForm(formdata=None, token=token)), (200 if rows else 400)


@staff_required
def import_confirm() -> Any:
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_l("Upload the file again."), "error")
        return redirect(url_for("coordinator.import_guides"))
    try:
        payload = _serializer().loads(form.token.data or "", max_age=TOKEN_MAX_AGE)
    except BadSignature:
        flash(_l("The preview has expired or was changed. Upload the file again."), "error")
        return redirect(url_for("coordinator.import_guides"))
    if payload.get("org") != current_org_id():
        flash(_l("The preview has expired or was changed. Upload the file again."), "error")
        return redirect(url_for("coordinator.import_guides"))
    rows = importer.recheck(db.session, importer.rows_from_json(payload["rows"]))
    if any(r.errors for r in rows):
        bad = sum(1 for r in rows if r.errors)
        return _page(form=ImportForm(formdata=None), rows=rows, bad=bad,
                               confirm_form=None), 409
    users = importer.import_guides(db.session, current_org(), rows)
    record_event("guide.imported", current_org_id(), actor_user_id=current_user.id,
                 details={"count": len(users), "user_ids": [u.id for u in users]})
    db.session.commit()
    flash(lazy_ngettext("%(count)s guide was imported.", "%(count)s guides were imported.", len(users), count=len(users)), "info")
    return redirect(url_for("coordinator.guides"))
