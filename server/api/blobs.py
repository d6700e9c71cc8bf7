"""`PUT/GET /api/v1/blobs/<sha256>`: receipt files. A guide reaches only blobs their own expenses use."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, current_app, jsonify, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_smorest import Blueprint
from sqlalchemy import select

from server.accounts.models import Device
from server.api.auth import current_device
from server.api.schemas import ApiErrorSchema, BlobInfoSchema
from server.audit.log import record_event
from server.blobs.models import Blob
from server.blobs.receipts import ReceiptError, clean_receipt
from server.blobs.store import blob_store
from server.errors import ApiError
from server.expenses.models import Expense, ExpenseReceipt
from server.extensions import db
from sync import feed
from sync.spec import SHA256_RE

blp = Blueprint("blobs", __name__, url_prefix="/api/v1", description="Receipt files")

RECEIPT_ERRORS = {
    "unsupported_type": (415, lazy_gettext("Only JPEG, PNG and PDF receipts are accepted.")),
    "broken_file": (400, lazy_gettext("This file is damaged or not a picture; please take the photo again.")),
    "too_large": (413, lazy_gettext("The picture is too large.")),
}


def _referencing_expenses(device: Device, sha256: str) -> list[str]:
    return list(db.session.scalars(
        select(Expense.id).join(ExpenseReceipt, ExpenseReceipt.expense_id == Expense.id).where(
            ExpenseReceipt.sha256 == sha256, Expense.organization_id == device.organization_id,
            Expense.guide_id == device.user_id, Expense.deleted_at.is_(None))
    ))


def _checked_hash(sha256: str) -> str:
    if not SHA256_RE.match(sha256):
        raise ApiError(404, "not_found", _("Not found."))
    return sha256


@blp.route("/blobs/<string:sha256>")
class BlobResource(MethodView):
    @blp.response(201, BlobInfoSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="Hash mismatch or damaged file")
    @blp.alt_response(409, schema=ApiErrorSchema, description="No expense of this guide references the blob")
    @blp.alt_response(413, schema=ApiErrorSchema, description="Larger than 10 MB")
    @blp.alt_response(415, schema=ApiErrorSchema, description="Not JPEG, PNG or PDF")
    def put(self, sha256: str) -> Any:
        """Upload a receipt after the expense that references it was synced (idempotent)."""
        device = current_device()
        sha256 = _checked_hash(sha256)
        limit = current_app.config["BLOB_MAX_BYTES"]
        if request.content_length is not None and request.content_length > limit:
            raise ApiError(413, "too_large", _("The file is larger than %(mb)s MB.", mb=limit // 1_000_000))
        data = request.get_data(cache=False)
        if len(data) > limit:
            raise ApiError(413, "too_large", _("The file is larger than %(mb)s MB.", mb=limit // 1_000_000))
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ApiError(400, "hash_mismatch", _("The file did not arrive completely; it will be sent again."))
        expenses = _referencing_expenses(device, sha256)
        if not expenses:
            raise ApiError(409, "not_referenced", _("Sync the expense first, then its receipt."))
        existing = db.session.get(Blob, (device.organization_id, sha256))
        if existing is not None:
            return _info(existing, 200)
        try:
            content_type, cleaned = clean_receipt(data)
        except ReceiptError as exc:
            status, message = RECEIPT_ERRORS[exc.code]
            raise ApiError(status, exc.code, str(message)) from None
        blob = Blob(sha256=sha256, organization_id=device.organization_id, content_type=content_type,
                    size_bytes=len(cleaned))
        db.session.add(blob)
        db.session.flush()
        blob_store().write(device.organization_id, sha256, cleaned)
        for expense_id in expenses:  # "receipt pending" ends on the phones
            feed.mark(db.session, "expense", expense_id, device.organization_id)
        record_event("blob.uploaded", device.organization_id, actor_user_id=device.user_id, device_id=device.id,
                     object_type="blob", object_id=sha256, details={"size": len(cleaned), "type": content_type})
        db.session.commit()
        return _info(blob, 201)

    @blp.alt_response(404, schema=ApiErrorSchema, description="Unknown, not yet uploaded, or not yours")
    @blp.response(200, description="The receipt's bytes")
    def get(self, sha256: str) -> Any:
        """Download a receipt that one of this guide's expenses references."""
        device = current_device()
        sha256 = _checked_hash(sha256)
        # Only this organization's copy, and only when one of this guide's expenses lists it.
        blob = db.session.get(Blob, (device.organization_id, sha256))
        if blob is None or not _referencing_expenses(device, sha256):
            raise ApiError(404, "not_found", _("Not found."))
        data = blob_store().read(device.organization_id, sha256)
        if data is None:
            raise ApiError(404, "not_found", _("Not found."))
        response = Response(data, mimetype=blob.content_type)
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _info(blob: Blob, status: int) -> Any:
    response = jsonify({"sha256": blob.sha256, "content_type": blob.content_type, "size_bytes": blob.size_bytes})
    response.status_code = status
    return response
