"""The JSON API for the PWA (`/api/v1/…`), documented by flask-smorest's OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from flask_smorest import Api
from sqlalchemy import text

from server.extensions import csrf, db


def register_api(app: Flask, api: Api) -> None:
    from server.api.blobs import blp as blobs_blp
    from server.api.enroll import blp as enroll_blp
    from server.api.health import blp as health_blp
    from server.api.push_subscription import blp as push_blp
    from server.api.sync_endpoint import blp as sync_blp

    for blp in (health_blp, enroll_blp, sync_blp, blobs_blp, push_blp):
        api.register_blueprint(blp)
        csrf.exempt(blp)  # the API authenticates by bearer token, never by cookie

    @app.get("/healthz")
    def healthz() -> Any:
        """App up and database reachable."""
        try:
            db.session.execute(text("SELECT 1"))
            database = "ok"
        except Exception:  # noqa: BLE001 - any database failure means "not healthy"
            db.session.rollback()
            database = "unreachable"
        status = 200 if database == "ok" else 503
        return jsonify({"status": "ok" if status == 200 else "degraded", "database": database,
                        "version": app.config.get("APP_VERSION", "0.1.0")}), status
