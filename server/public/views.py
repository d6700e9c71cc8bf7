"""The public blueprint: its layout (language switch), its body-size limit and its own error pages.

Routes: request_views.py (the request form and the status link), directory_views.py (the directory).
"""

from __future__ import annotations

import gzip
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from server.errors import STATUS_CODES, error_body
from server.i18n import available_locales, locale_name

GZIP_FROM_BYTES = 1024

bp = Blueprint("public", __name__, template_folder="templates", static_folder="static",
               static_url_path="/public-static")


@bp.url_value_preprocessor
def limit_body_size(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Runs before any before_request function reads the form: a public body is small (a form of text)."""
    limit = current_app.config["PUBLIC_REQUEST_MAX_BYTES"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(413)


@bp.after_request
def compress(response: Response) -> Response:
    """Gzip pages and JSON when the browser accepts it: the directory stays small on a prepaid plan."""
    if (response.direct_passthrough or response.status_code != 200 or "Content-Encoding" in response.headers
            or response.mimetype not in ("text/html", "application/json")
            or request.accept_encodings["gzip"] <= 0):
        return response
    data = response.get_data()
    if len(data) >= GZIP_FROM_BYTES:
        response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


@bp.context_processor
def layout() -> dict[str, Any]:
    return {"languages": [(code, locale_name(code)) for code in available_locales()]}


@bp.errorhandler(HTTPException)
def public_error(exc: HTTPException) -> Any:
    if request.path.endswith(".json"):
        return _json_error(exc)
    status = exc.code or 500
    _code, message = STATUS_CODES.get(status, ("error", exc.description or ""))
    return render_template("public/message.html", status=status, title=str(status), message=message), status


def _json_error(exc: HTTPException) -> Any:
    status = exc.code or 500
    code, message = STATUS_CODES.get(status, ("error", exc.description or ""))
    response = jsonify(error_body(code, str(message)))
    response.status_code = status
    return response
