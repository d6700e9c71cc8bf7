"""Prometheus metrics (prometheus-client), served at `GET /metrics` to whoever holds `METRICS_TOKEN`.

gunicorn runs several worker processes; each counts in its own memory unless `PROMETHEUS_MULTIPROC_DIR`
names a folder where they share their counts (prometheus-client's multiprocess mode, set up by
server/gunicorn.conf.py: an empty folder per start, a dead worker's gauges dropped). A scrape, which
any one worker answers, then reads every worker's numbers.

What is counted (the names are the contract with dashboards; keep them):
* `lotsenbuch_sync_request_duration_seconds{outcome}` — each `POST /api/v1/sync`, by outcome: `ok`,
  `rejected` (a 4xx: bad body, cursor, size), `unauthorized` (401), `busy` (503), `error` (5xx).
* `lotsenbuch_sync_mutations_total{status}` — pushed mutations by result: applied, merged, conflict,
  rejected (sync/PROTOCOL.md).
* `lotsenbuch_sync_pull_changes` — changes per sync response (how big pull pages are).
* `lotsenbuch_sign_in_failures_total{kind}` — failed sign-ins: `password`, `totp` (the desk),
  `enrolment_code` (a phone's code) and `device_token` (an unknown or revoked phone).
* `lotsenbuch_outbox_messages{channel}` — mail and push messages waiting to be sent, read from the
  outbox table at scrape time; absent while there is no such table.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, abort, current_app, request
from flask_babel import gettext as _
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import column, func, inspect, select, table

from server.errors import ApiError
from server.extensions import db

SYNC_OUTCOMES = ("ok", "rejected", "unauthorized", "busy", "error")
MUTATION_STATUSES = ("applied", "merged", "conflict", "rejected")
SIGN_IN_FAILURES = ("password", "totp", "enrolment_code", "device_token")
# The outbox of server/outbox/ (branch `mail`): one row per message, `channel` mail|push, `state`.
OUTBOX_TABLE = "outbox_messages"
OUTBOX_WAITING_STATES = ("pending", "sending")

SYNC_DURATION = Histogram(
    "lotsenbuch_sync_request_duration_seconds", "Time to answer POST /api/v1/sync, by outcome.", ["outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
SYNC_MUTATIONS = Counter("lotsenbuch_sync_mutations", "Pushed mutations by result status.", ["status"])
PULL_CHANGES = Histogram("lotsenbuch_sync_pull_changes", "Changes sent back in one sync response.",
                         buckets=(0, 1, 5, 10, 50, 100, 250, 500, 1000))
SIGN_IN_FAILURES_TOTAL = Counter("lotsenbuch_sign_in_failures", "Failed sign-ins by kind.", ["kind"])

for _outcome in SYNC_OUTCOMES:  # every series exists from the start: a rate over "nothing yet" is 0
    SYNC_DURATION.labels(_outcome)
for _status in MUTATION_STATUSES:
    SYNC_MUTATIONS.labels(_status)
for _kind in SIGN_IN_FAILURES:
    SIGN_IN_FAILURES_TOTAL.labels(_kind)


def sync_outcome(status_code: int) -> str:
    if status_code < 400:
        return "ok"
    if status_code == 401:
        return "unauthorized"
    if status_code == 503:
        return "busy"
    return "rejected" if status_code < 500 else "error"


def observe_sync(status_code: int, seconds: float) -> None:
    SYNC_DURATION.labels(sync_outcome(status_code)).observe(seconds)


def count_sync_results(results: list[dict[str, Any]], changes: int) -> None:
    for result in results:
        SYNC_MUTATIONS.labels(result["status"]).inc()
    PULL_CHANGES.observe(changes)


def count_sign_in_failure(kind: str) -> None:
    SIGN_IN_FAILURES_TOTAL.labels(kind).inc()


def outbox_lengths() -> dict[str, int] | None:
    """Messages waiting per channel, or None while the outbox table does not exist (before branch
    `mail` is merged and migrated)."""
    if not inspect(db.engine).has_table(OUTBOX_TABLE):
        return None
    # The table by name, not the model: this module must work before and after that merge.
    outbox = table(OUTBOX_TABLE, column("channel"), column("state"))
    rows = db.session.execute(select(outbox.c.channel, func.count()).where(outbox.c.state.in_(OUTBOX_WAITING_STATES))
                              .group_by(outbox.c.channel))
    lengths = {"mail": 0, "push": 0}
    lengths.update({str(channel): int(count) for channel, count in rows})
    return lengths


class OutboxCollector(Collector):
    """Read at scrape time, in the scraping worker: a count in the database, not a per-process gauge."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        lengths = outbox_lengths()
        if lengths is None:
            return
        family = GaugeMetricFamily("lotsenbuch_outbox_messages", "Mail and push messages waiting to be sent.",
                                   labels=["channel"])
        for channel, count in sorted(lengths.items()):
            family.add_metric([channel], count)
        yield family


def scrape_registry() -> CollectorRegistry:
    """Every worker's counts in multiprocess mode, this process's otherwise; plus the outbox."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessMetrics())
    registry.register(OutboxCollector())
    return registry


class _ProcessMetrics(Collector):
    """The default registry's families (ours, and the process's CPU and memory) in a fresh registry."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def authorized() -> bool:
    expected = current_app.config["METRICS_TOKEN"]
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode())


def register_metrics(app: Flask) -> None:
    @app.get("/metrics")
    def metrics() -> Any:
        """Prometheus text format; 404 while METRICS_TOKEN is unset, 401 without the right token."""
        if not app.config["METRICS_TOKEN"]:
            abort(404)
        if not authorized():
            raise ApiError(401, "unauthorized", _("This needs the metrics token."),
                           headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return Response(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
