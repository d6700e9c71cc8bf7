"""Errors: JSON with a stable code under /api/, HTML pages elsewhere; never a bare 500 for bad input."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Stable codes for HTTP statuses; the PWA translates the codes, the message is for humans and logs.
STATUS_CODES: dict[int, tuple[str, Any]] = {
    400: ("bad_request", lazy_gettext("The request could not be understood.")),
    401: ("unauthorized", lazy_gettext("Please sign in or enrol this device again.")),
    403: ("forbidden", lazy_gettext("You may not do this.")),
    404: ("not_found", lazy_gettext("Not found.")),
    405: ("method_not_allowed", lazy_gettext("This method is not allowed here.")),
    409: ("conflict", lazy_gettext("This conflicts with the current state.")),
    413: ("too_large", lazy_gettext("The request is too large.")),
    415: ("unsupported_media_type", lazy_gettext("This type of content is not accepted.")),
    422: ("invalid", lazy_gettext("Some fields are not valid.")),
    429: ("rate_limited", lazy_gettext("Too many attempts. Please wait a moment and try again.")),
    500: ("server_error", lazy_gettext("Something went wrong on the server. Your data is safe; please try again.")),
}


class ApiError(Exception):
    """Raise from API code to answer with a JSON error of a given status and stable code."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields, self.headers = status, code, message, fields, headers


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        error["fields"] = fields
    return {"error": error}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def has_nul_byte() -> bool:
    """A NUL character in the address, a query or a form field: never part of anything we store, and
    PostgreSQL refuses it in a text parameter (an error, not an empty result)."""
    if "\x00" in request.path:
        return True
    # Only a query that can hold one is parsed here (most requests' first parse of it, and of the
    # content type, would otherwise be this check's; see bench/README.md, health check).
    query = request.environ.get("QUERY_STRING", "")
    if ("%00" in query or "\x00" in query) \
            and any("\x00" in value for _key, values in request.args.lists() for value in values):
        return True
    if request.environ.get("CONTENT_TYPE") \
            and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any("\x00" in value for _key, values in request.form.lists() for value in values)
    return False


def register_error_handlers(app: Flask) -> None:
    @app.before_request
    def refuse_nul_bytes() -> Any:
        if not has_nul_byte():
            return None
        message = _("The request contains a character that is not allowed (NUL).")
        if wants_json():
            raise ApiError(400, "bad_request", message)
        return render_template("error.html", status=400, message=message), 400

    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError) -> Any:
        response = jsonify(error_body(exc.code, exc.message, exc.fields))
        response.status_code = exc.status
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        code, message = STATUS_CODES.get(status, ("error", exc.description or ""))
        message = getattr(exc, "user_message", None) or message  # a specific, translated sentence
        if wants_json():
            fields = None
            # flask-smorest / webargs put validation messages here
            data = getattr(exc, "data", None)
            if isinstance(data, dict) and "messages" in data:
                fields = data["messages"].get("json", data["messages"])
                if not isinstance(fields, dict):  # e.g. ["Invalid JSON body."]: `fields` maps field -> messages
                    fields = None
                if status == 422:
                    code, message = "invalid", _("Some fields are not valid.")
            response = jsonify(error_body(code, str(message), fields))
            response.status_code = status
            for key, value in exc.get_headers():
                if key.lower() not in {"content-type", "content-length"}:
                    response.headers[key] = value
            return response
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        code, message = STATUS_CODES[500]
        if wants_json():
            response = jsonify(error_body(code, str(message)))
            response.status_code = 500
            return response
        return render_template("error.html", status=500, message=message), 500
