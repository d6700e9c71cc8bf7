"""Files the coordinator's pages hand out: downloads (attachments, not kept by the browser) and receipts
(shown inline, never content-sniffed). The callers audit the access first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response, abort

from server.blobs.models import Blob
from server.blobs.store import blob_store
from server.extensions import db
from server.security_headers import embeddable_here

RECEIPT_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def download(data: bytes | Iterable[Any], mimetype: str, filename: str, cache: str = "no-store") -> Response:
    """A file to save (bytes, or a stream of lines). A `mimetype` with its own "; charset=…" is sent as it
    is: Flask's `mimetype` argument would add a second charset to text types."""
    kind = {"content_type": mimetype} if ";" in mimetype else {"mimetype": mimetype}
    return Response(data, **kind, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": cache})


def receipt_blob(organization_id: int, sha256: str) -> tuple[Blob, bytes]:
    """A receipt's stored file of this organization and its bytes; 404 when either is missing (not uploaded
    yet, or only another organization has these bytes)."""
    blob = db.session.get(Blob, (organization_id, sha256))
    data = blob_store().read(organization_id, sha256) if blob is not None else None
    if blob is None or data is None:
        abort(404)
    return blob, data


def inline_receipt(receipt_id: int, blob: Blob, data: bytes, cache: str) -> Response:
    extension = RECEIPT_EXTENSIONS.get(blob.content_type, "bin")
    # A PDF is shown in an <object> on the claim page: our own pages may embed it (server/security_headers.py).
    return embeddable_here(Response(data, mimetype=blob.content_type, headers={
        "Content-Disposition": f'inline; filename="receipt-{receipt_id}.{extension}"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": cache}))
