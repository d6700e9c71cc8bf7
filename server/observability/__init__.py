"""Running it for real: the health check, Prometheus metrics and the logs (JSON on request, redacted).

* `GET /healthz` — the app answers and so does the database (server/observability/health.py).
* `GET /metrics` — Prometheus text, only with `Authorization: Bearer $METRICS_TOKEN` (metrics.py).
* Logs — one line per request with its id, method, path, status and duration; `LOG_FORMAT=json` for one
  JSON object a line; never a token, enrolment code, IBAN, note or name (logs.py).
"""

from __future__ import annotations

from flask import Flask


def register_observability(app: Flask) -> None:
    """The request log, /metrics and /healthz (logging itself is configured first: `configure_logging`)."""
    from server.observability import health, logs, metrics

    logs.register_request_log(app)
    metrics.register_metrics(app)
    health.register_health(app)
