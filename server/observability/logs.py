"""Logs: plain text (the default) or one JSON object a line (`LOG_FORMAT=json`), and never a secret.

Every record made while a request runs carries the request's id (the caller's `X-Request-ID` when it is
a sane one, else a new one; sent back in the response), method and path; each request ends with one
line `METHOD path status` with its duration in milliseconds (logger `lotsenbuch.request`).

What must never reach a log: device tokens, enrolment codes, IBANs, notes, names. The code logs none
of them (no bodies, no headers, paths without their query); two things make sure of it:
* SQLAlchemy logs statements without their parameters (`hide_parameters`) and never result rows
  (its DEBUG), which would be the guides' notes and names;
* `RedactSecrets`, on the handler, so on every record of every library: bearer tokens, enrolment
  codes and IBANs by their shape, and JSON or `key=value` fields named like a secret or a person
  (`note`, `name`, `iban`, `token`, `code`, …) by their name.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, g, has_request_context, request
from flask.wrappers import Response
from pythonjsonlogger.json import JsonFormatter

from server.observability import metrics

REQUEST_LOG = logging.getLogger("lotsenbuch.request")
REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
REDACTED = "[redacted]"
SECRET_KEYS = r"note|notes|name|names|full_name|display_name|account_holder|iban|bic|token|device_token|code|" \
              r"enrolment_code|password|secret|totp_secret|authorization|email|phone|address"
SECRET_PATTERNS = (
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"),
    # Enrolment codes, as printed and as typed (server/accounts/operations.py: 12 characters, shown in groups of 4).
    # Not inside a longer run of groups: a UUID's middle groups are not a code.
    re.compile(r"(?<![\w-])[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}(?![\w-])"),
    # IBANs, with or without the groups' spaces.
    re.compile(r"\b[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b"),
    # "note": "…" in JSON (also escaped inside a logged JSON text), note='…' / note=… in reprs and forms.
    re.compile(r'(?i)(\\?["\'](?:' + SECRET_KEYS + r')\\?["\']\s*:\s*)(\\?"(?:[^"\\]|\\.)*?\\?"|\'[^\']*\'|[^,}\s]+)'),
    re.compile(r"(?i)(\b(?:" + SECRET_KEYS + r")=)('[^']*'|\"[^\"]*\"|[^&\s,)]+)"),
)


def _redact(text: str) -> str:
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.re.groups else "") + REDACTED, text)
    return text


class RedactSecrets(logging.Filter):
    """Replaces what looks like a secret or a person's data in the message (and a traceback) before any
    handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _redact(record.exc_text)
        return True


class RequestContext(logging.Filter):
    """The request's id, method and path on every record made while it runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
            record.method = getattr(record, "method", request.method)
            record.path = getattr(record, "path", request.path)
        else:
            record.request_id = getattr(record, "request_id", "-")
        return True


def make_handler(stream: Any, log_format: str) -> logging.Handler:
    """The handler the app logs through (also what the tests capture): redacting, then formatting."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContext())
    handler.addFilter(RedactSecrets())
    if log_format == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                                      "name": "logger"},
                                           json_ensure_ascii=False))
        handler.formatter.converter = time.gmtime  # type: ignore[union-attr]
        handler.formatter.default_msec_format = "%s.%03dZ"  # type: ignore[union-attr]
        handler.formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"  # type: ignore[union-attr]
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.lotsenbuch = True  # type: ignore[attr-defined]
    return handler


def configure_logging(app: Flask) -> None:
    """Our handler on the root logger (once per process: a second app replaces it), unless logging was
    configured by someone else first (a test runner, `--log-config`), whose handlers then stay."""
    level = logging.getLevelName(str(app.config["LOG_LEVEL"]).upper())
    level = level if isinstance(level, int) else logging.INFO
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "lotsenbuch", False)]
    if ours or not root.handlers:
        for handler in ours:
            root.removeHandler(handler)
        root.addHandler(make_handler(sys.stderr, app.config["LOG_FORMAT"]))
    root.setLevel(level)
    # SQLAlchemy keeps its own loggers at WARNING. At DEBUG we show its statements (without parameters),
    # never the rows they return (its own DEBUG): those are notes and names.
    engine_log = logging.getLogger("sqlalchemy.engine")
    if level <= logging.DEBUG or engine_log.getEffectiveLevel() < logging.INFO:
        engine_log.setLevel(logging.INFO)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    options.setdefault("hide_parameters", True)


def register_request_log(app: Flask) -> None:
    @app.before_request
    def start_request() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if SANE_REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def finish_request(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:  # a hook before ours answered (Flask still runs every after_request)
            return response
        seconds = time.perf_counter() - started
        response.headers[REQUEST_ID_HEADER] = g.request_id
        if request.endpoint == "sync.Sync" and request.method == "POST":
            metrics.observe_sync(response.status_code, seconds)
        if REQUEST_LOG.isEnabledFor(logging.INFO):
            REQUEST_LOG.info("%s %s %s", request.method, request.path, response.status_code,
                             extra={"status": response.status_code, "duration_ms": round(seconds * 1000, 2)})
        return response
