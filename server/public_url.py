"""The address links are built from: enrolment links and codes, the certificates' verification QR codes.

The rule: a link never comes from an untrusted Host header (anyone can send any Host).

* `PUBLIC_URL` set (production): every link starts with it, whatever the request says.
* `PUBLIC_URL` unset: a link may use the request's own address only when its host name is one of
  `ALLOWED_HOSTS` (default: the loopback names `127.0.0.1`, `localhost`, `::1` — what `make run`
  serves on; `HOST=0.0.0.0 make run` for a phone needs `PUBLIC_URL`, as the README says). Any other
  Host gets a clear 400 page, and nothing is issued.
* Outside a request (the command line): `PUBLIC_URL`, or `http://127.0.0.1:5000`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext
from werkzeug.exceptions import BadRequest

COMMAND_LINE_DEFAULT = "http://127.0.0.1:5000"


class UntrustedHost(BadRequest):
    """A link was to be built from a Host header that is neither PUBLIC_URL nor in ALLOWED_HOSTS."""

    user_message: Any = lazy_gettext("This server does not make links for the address you reached it at. "
                                     "The administrator sets PUBLIC_URL (or ALLOWED_HOSTS) for it.")


def allowed_hosts() -> set[str]:
    return {h.strip().lower().strip("[]") for h in str(current_app.config.get("ALLOWED_HOSTS") or "").split(",")
            if h.strip()}


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:5000
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def public_base_url() -> str:
    """The base of every link (no trailing slash); raises UntrustedHost (a 400) for a forged Host."""
    configured = str(current_app.config.get("PUBLIC_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if not has_request_context():
        return COMMAND_LINE_DEFAULT
    if _host_name(request.host) not in allowed_hosts():
        raise UntrustedHost()
    return request.host_url.rstrip("/")
