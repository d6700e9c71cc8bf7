"""`GET /api/v1/meta`: what the server offers (languages, limits), for the PWA before enrolment."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server.i18n import available_locales, locale_name, text_direction

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="Server facts for clients")


class LocaleSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    dir = fields.String(required=True)


class MetaSchema(Schema):
    api_version = fields.String(required=True)
    locales = fields.List(fields.Nested(LocaleSchema), required=True)
    max_mutations = fields.Integer(required=True)
    max_body_bytes = fields.Integer(required=True)
    max_blob_bytes = fields.Integer(required=True)


@blp.route("/meta")
class Meta(MethodView):
    @blp.response(200, MetaSchema)
    def get(self) -> dict[str, Any]:
        """Languages and limits of this server."""
        return {
            "api_version": "v1",
            "locales": [{"code": c, "name": locale_name(c), "dir": text_direction(c)} for c in available_locales()],
            "max_mutations": current_app.config["SYNC_MAX_MUTATIONS"],
            "max_body_bytes": current_app.config["SYNC_MAX_BODY_BYTES"],
            "max_blob_bytes": current_app.config["BLOB_MAX_BYTES"],
        }
