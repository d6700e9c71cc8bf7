"""`POST /api/v1/sync`: the thin HTTP adapter over `sync.engine` (auth, limits, translation); the
attempts and their retries are the engine's (`sync/push/plan.py`)."""

from __future__ import annotations

import datetime as dt
import gzip
from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import gettext as translate  # for message ids stored in results, not literals
from flask_smorest import Blueprint

from server.accounts.models import Device
from server.api.auth import current_device, device_context
from server.api.schemas import ApiErrorSchema, SyncRequestSchema, SyncResponseSchema
from server.audit.log import record_sync_events
from server.errors import ApiError
from server.extensions import db
from server.observability import metrics
from server.outbox.alerts import queue_professional_help_alerts
from sync import engine
from sync.clock import utcnow
from sync.db import json_text

blp = Blueprint("sync", __name__, url_prefix="/api/v1", description="Push and pull in one round trip")
blp.ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS = 400
LAST_SYNC_PRECISION = dt.timedelta(minutes=1)


@blp.before_request
def limit_body() -> None:
    if request.method != "POST" or request.endpoint != "sync.Sync":
        return
    limit = current_app.config["SYNC_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", _("The request is too large."))
    # Authenticate before parsing: an unknown device learns nothing about the body's rules.
    current_device()
    # A round trip is a JSON body, even an empty push (`{}`): without one (another content type, or no
    # body at all) nothing was asked, and answering with a full pull would hide a broken client.
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _("This type of content is not accepted."))
    if not request.get_data(cache=True):
        raise ApiError(400, "bad_request", _("The request could not be understood."))


@blp.route("/sync")
class Sync(MethodView):
    @blp.arguments(SyncRequestSchema)
    @blp.response(200, SyncResponseSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="Malformed JSON, wrong shape or bad cursor")
    @blp.alt_response(401, schema=ApiErrorSchema, description="invalid_token or device_revoked")
    @blp.alt_response(409, schema=ApiErrorSchema,
                      description="feed_rewound: the server was restored from a backup (sync/PROTOCOL.md §10)")
    @blp.alt_response(413, schema=ApiErrorSchema, description="Body or batch too large")
    @blp.alt_response(415, schema=ApiErrorSchema, description="The body is not JSON (Content-Type: application/json)")
    def post(self, body: dict[str, Any]) -> Any:
        """Send this device's changes and receive what changed since its cursor."""
        mutations = body["mutations"]
        if len(mutations) > current_app.config["SYNC_MAX_MUTATIONS"]:
            raise ApiError(413, "too_many_mutations",
                           _("Too many changes in one request; send at most %(n)s.",
                             n=current_app.config["SYNC_MAX_MUTATIONS"]))

        def before_commit(outcome: engine.SyncOutcome) -> None:
            device = current_device()
            record_sync_events(device.organization_id, device.user_id, device.id, outcome.applied)
            # In this transaction: the mail exists exactly when the flag does (server/outbox/alerts.py).
            queue_professional_help_alerts(db.session, device.organization_id, device.user_id, outcome.applied)
            note_sync(device, body.get("app_version"))

        try:
            outcome = engine.round_trip(db.session, lambda: device_context(current_device()), mutations,
                                        body["cursor"], body["limit"], before_commit)
        except engine.BadCursor:
            raise ApiError(400, "invalid_cursor", _("The sync position is not valid; start again without it.")) from None
        except engine.FeedRewound:
            raise ApiError(409, "feed_rewound", _("The server was restored from a backup: send your changes "
                                                  "again and pull from the start.")) from None
        except engine.Busy as exc:
            raise ApiError(503, "busy", _("The server is busy. Please try again.")) from exc
        metrics.count_sync_results(outcome.results, len(outcome.changes))
        text = json_text({"results": [translate_result(r) for r in outcome.results], "changes": outcome.changes,
                          "cursor": outcome.cursor, "has_more": outcome.has_more})
        return json_response(text)


# Below about one network packet, compressing saves nothing worth the header.
GZIP_FROM_BYTES = 1400


def json_response(body: str) -> Response:
    """The response, gzip-compressed when the client accepts it: a page of 1,000 activities shrinks
    from about 310 KB to 37 KB, which an old phone on a weak signal (or a small data plan) feels more
    than the server feels the 0.8 ms it costs at level 1 (level 6 saves another tenth for twice the
    time). Done here, not left to a proxy, so it holds however the server is deployed."""
    data = body.encode()
    response = current_app.response_class(data, mimetype="application/json")
    response.vary.add("Accept-Encoding")
    if len(data) >= GZIP_FROM_BYTES and request.accept_encodings["gzip"] > 0:  # quality, so "gzip;q=0" is a no
        response.set_data(gzip.compress(data, compresslevel=1, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response


def note_sync(device: Device, app_version: str | None) -> None:
    """Keep the device's last sync time and app version, writing at most once a minute: a pull that
    changes nothing then stays a read-only transaction."""
    now = utcnow()
    if device.last_sync_at is None or now - device.last_sync_at > LAST_SYNC_PRECISION:
        device.last_sync_at = now
    if app_version and device.app_version != app_version:
        device.app_version = app_version


def translate_result(result: dict[str, Any]) -> dict[str, Any]:
    """Stored results keep English message ids; each response speaks the device's language."""
    error = result.get("error")
    if not error:
        return result
    translated = dict(error, message=translate(error["message"]))
    if "fields" in error:
        translated["fields"] = {k: [translate(m) for m in v] for k, v in error["fields"].items()}
    return dict(result, error=translated)
