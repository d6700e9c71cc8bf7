"""`GET /healthz`: 200 `{"status": "ok", "database": "ok"}` when the database answers, 503 when not.

It is what load balancers poll, so it is kept to the least that proves the point: one connection from
the pool and the dialect's own ping (`SELECT 1`, the statement `pool_pre_ping` uses), one round trip;
no ORM session, no transaction (a session's BEGIN … ROLLBACK cost two more round trips and most of
the check's time). The fixed cost every request pays is in the hooks; see bench/README.md.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify

from server.extensions import db

log = logging.getLogger(__name__)


def database_answers() -> bool:
    try:
        connection = db.engine.raw_connection()
    except Exception as exc:  # noqa: BLE001 - the pool hands the driver's own error on (not wrapped)
        log.warning("health check: database unreachable (%s)", exc.__class__.__name__)
        return False
    try:
        # do_ping answers False, or raises (psycopg), for a connection that is gone.
        alive = bool(db.engine.dialect.do_ping(connection.dbapi_connection))
    except Exception as exc:  # noqa: BLE001 - whatever the driver raises means "not healthy"
        log.warning("health check: database did not answer (%s)", exc.__class__.__name__)
        connection.invalidate()
        return False
    finally:
        connection.close()
    return alive


def register_health(app: Flask) -> None:
    version = app.config.get("APP_VERSION", "0.1.0")

    @app.get("/healthz")
    def healthz() -> Any:
        """App up and database reachable."""
        if database_answers():
            return jsonify({"status": "ok", "database": "ok", "version": version})
        return jsonify({"status": "unavailable", "database": "unreachable", "version": version}), 503
