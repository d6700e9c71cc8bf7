"""Device authentication: `Authorization: Bearer <token>`; the server keeps only the token's hash."""

from __future__ import annotations

import hashlib
import secrets

from flask import request
from flask_babel import gettext as _
from sqlalchemy import select

from server.accounts.models import Device, Membership
from server.errors import ApiError
from server.extensions import db
from sync.engine import DeviceContext


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unauthorized(code: str, message: str) -> ApiError:
    return ApiError(401, code, message, headers={"WWW-Authenticate": 'Bearer realm="lotsenbuch"'})


def current_device() -> Device:
    """The calling device, or a 401 the app acts on: `invalid_token` or `device_revoked`."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
        raise _unauthorized("invalid_token", _("This device is not enrolled. Please enrol it with a code."))
    device = db.session.scalar(select(Device).where(Device.token_hash == token_hash(token.strip())))
    if device is None:
        raise _unauthorized("invalid_token", _("This device is not enrolled. Please enrol it with a code."))
    if device.revoked_at is not None:
        raise _unauthorized("device_revoked", _("This device was signed out by your coordination office."))
    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == device.user_id, Membership.organization_id == device.organization_id,
        Membership.role == "guide"))
    if membership is None or not device.user.active:
        raise _unauthorized("device_revoked", _("This device was signed out by your coordination office."))
    return device


def device_context(device: Device) -> DeviceContext:
    return DeviceContext(device_id=device.id, organization_id=device.organization_id, guide_id=device.user_id)
