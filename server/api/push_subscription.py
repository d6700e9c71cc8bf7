"""`GET/PUT/DELETE /api/v1/push-subscription`: this device's Web Push subscription (PROTOCOL.md, "Push")."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from server.api.auth import current_device
from server.api.schemas import ApiErrorSchema, PushKeySchema, PushSubscriptionSchema
from server.audit.log import record_event
from server.errors import ApiError
from server.extensions import db
from server.push import subscriptions
from server.push.keys import public_key
from server.push.models import PushSubscription

blp = Blueprint("push", __name__, url_prefix="/api/v1", description="Web Push subscription of this device")
blp.ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS = 400


def _state(row: PushSubscription | None) -> dict[str, Any]:
    return {"public_key": public_key(current_app.config["VAPID_PRIVATE_KEY"]), "subscribed": row is not None,
            "endpoint": row.endpoint if row is not None else None}


@blp.route("/push-subscription")
class PushSubscriptionResource(MethodView):
    @blp.response(200, PushKeySchema)
    @blp.alt_response(401, schema=ApiErrorSchema, description="Not enrolled or revoked")
    def get(self) -> Any:
        """The server's VAPID public key (the applicationServerKey) and whether this device is subscribed."""
        device = current_device()
        return _state(db.session.get(PushSubscription, device.id))

    @blp.arguments(PushSubscriptionSchema)
    @blp.response(200, PushKeySchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="Not a push subscription")
    @blp.alt_response(401, schema=ApiErrorSchema, description="Not enrolled or revoked")
    def put(self, body: dict[str, Any]) -> Any:
        """Store this device's subscription (`PushSubscription.toJSON()`), replacing an earlier one."""
        device = current_device()
        try:
            row = subscriptions.save_subscription(db.session, device, body["endpoint"], body["keys"]["p256dh"],
                                                  body["keys"]["auth"])
        except subscriptions.SubscriptionError as exc:
            raise ApiError(400, "invalid", _("This is not a valid push subscription."),
                           fields={exc.field: [_("This is not a valid push subscription.")]}) from None
        record_event("push.subscribed", device.organization_id, actor_user_id=device.user_id, device_id=device.id,
                     object_type="device", object_id=device.id)
        db.session.commit()
        return _state(row)

    @blp.response(204)
    @blp.alt_response(401, schema=ApiErrorSchema, description="Not enrolled or revoked")
    def delete(self) -> Any:
        """Forget this device's subscription (notifications turned off, or signing out). Idempotent."""
        device = current_device()
        if subscriptions.remove_subscription(db.session, device.id):
            record_event("push.unsubscribed", device.organization_id, actor_user_id=device.user_id,
                         device_id=device.id, object_type="device", object_id=device.id)
        db.session.commit()
        return ""
