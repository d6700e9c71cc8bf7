"""The JSON API for the PWA (`/api/v1/…`), documented by flask-smorest's OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from server.extensions import csrf


def register_api(app: Flask, api: Api) -> None:
    from server.api.blobs import blp as blobs_blp
    from server.api.enroll import blp as enroll_blp
    from server.api.health import blp as health_blp
    from server.api.me import blp as me_blp
    from server.api.push_subscription import blp as push_blp
    from server.api.sync_endpoint import blp as sync_blp

    for blp in (health_blp, enroll_blp, sync_blp, blobs_blp, push_blp, me_blp):
        api.register_blueprint(blp)
        csrf.exempt(blp)  # the API authenticates by bearer token, never by cookie
