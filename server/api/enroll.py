"""`POST /api/v1/enroll`: a guide's phone trades a one-time enrolment code for a device token."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select

from server.accounts.models import Device, EnrolmentCode, User
from server.accounts.operations import hash_secret, normalise_code
from server.api.auth import new_token, token_hash
from server.api.schemas import ApiErrorSchema, EnrollRequestSchema, EnrollResponseSchema
from server.audit.log import record_event
from server.errors import ApiError
from server.extensions import db, limiter
from server.observability import metrics
from server.organizations.models import Organization
from sync.clock import utcnow

blp = Blueprint("enroll", __name__, url_prefix="/api/v1", description="Enrolling a guide's phone")
blp.ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS = 400


@blp.route("/enroll")
class Enroll(MethodView):
    decorators = [limiter.limit("10 per minute; 50 per hour")]  # against guessing codes

    @blp.arguments(EnrollRequestSchema)
    @blp.response(201, EnrollResponseSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="Malformed JSON or a body of the wrong shape")
    @blp.alt_response(403, schema=ApiErrorSchema, description="invalid_code, code_used or code_expired")
    @blp.alt_response(429, schema=ApiErrorSchema, description="Too many attempts")
    def post(self, body: dict[str, Any]) -> Any:
        """Enrol this device with a code from the coordination office."""
        code_hash = hash_secret(normalise_code(body["code"]))
        enrolment = db.session.scalar(
            select(EnrolmentCode).where(EnrolmentCode.code_hash == code_hash).with_for_update()
        )
        # A well-formed code that does not let this phone in is refused, not malformed: 403 (PROTOCOL §1).
        refusal = refuse_code(enrolment)
        if refusal is not None:
            metrics.count_sign_in_failure("enrolment_code")
            raise refusal
        assert enrolment is not None
        user = db.session.get(User, enrolment.user_id)
        org = db.session.get(Organization, enrolment.organization_id)
        assert user is not None and org is not None
        token = new_token()
        device = Device(user_id=user.id, organization_id=org.id,
                        name=(body["device_name"] or _("Phone")).strip()[:100], token_hash=token_hash(token),
                        app_version=body.get("app_version"))
        db.session.add(device)
        db.session.flush()
        enrolment.used_at = utcnow()
        enrolment.device_id = device.id
        record_event("device.enrolled", org.id, actor_user_id=user.id, device_id=device.id, object_type="device",
                     object_id=device.id, details={"name": device.name})
        db.session.commit()
        response = jsonify({
            "token": token, "device_id": device.id,
            "guide": {"id": user.id, "name": user.name, "email": user.email, "locale": user.locale},
            "organization": {"id": org.id, "slug": org.slug, "name": org.name},
        })
        response.status_code = 201
        return response


def refuse_code(enrolment: EnrolmentCode | None) -> ApiError | None:
    """Why this code cannot enrol a phone, if it cannot."""
    if enrolment is None:
        return ApiError(403, "invalid_code", _("This enrolment code is not valid. Please check it."))
    if enrolment.used_at is not None:
        return ApiError(403, "code_used", _("This enrolment code has been used already. Ask for a new one."))
    if enrolment.expires_at <= utcnow():
        return ApiError(403, "code_expired", _("This enrolment code has expired. Ask for a new one."))
    return None
