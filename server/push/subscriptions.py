"""Storing a device's push subscription, and every way it goes away again.

A subscription is the device's: stored under its id (one per device, a new one replaces the old), gone
when the phone unsubscribes or signs out (DELETE), when the device is revoked, and when the push service
answers 404/410 (the browser dropped it). Endpoints must be https: the server POSTs to them, so a
guide must not be able to point it at the office's network (loopback http only in tests).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from server.accounts.models import Device
from server.push.models import PushSubscription


class SubscriptionError(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def _b64url_bytes(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return b""


def check_endpoint(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if parts.scheme == "https" and host and "." in host:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return endpoint  # a name, as every push service has
        if address.is_global:
            return endpoint
        raise SubscriptionError("endpoint")
    if parts.scheme == "http" and host == "127.0.0.1" and current_app.testing:
        return endpoint  # the tests' stand-in push service
    raise SubscriptionError("endpoint")


def check_keys(p256dh: str, auth: str) -> None:
    point = _b64url_bytes(p256dh)
    if len(point) != 65 or point[0] != 4:
        raise SubscriptionError("keys.p256dh")
    if len(_b64url_bytes(auth)) != 16:
        raise SubscriptionError("keys.auth")


def save_subscription(session: Session, device: Device, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    check_endpoint(endpoint)
    check_keys(p256dh, auth)
    row = session.get(PushSubscription, device.id)
    if row is None:
        row = PushSubscription(device_id=device.id, organization_id=device.organization_id, user_id=device.user_id)
        session.add(row)
    row.endpoint, row.p256dh, row.auth = endpoint, p256dh, auth
    session.flush()
    return row


def remove_subscription(session: Session, device_id: str) -> bool:
    result: Any = session.execute(delete(PushSubscription).where(PushSubscription.device_id == device_id))
    return bool(result.rowcount)


def remove_for_devices(session: Session, device_ids: list[str]) -> None:
    if device_ids:
        session.execute(delete(PushSubscription).where(PushSubscription.device_id.in_(device_ids)))


def subscriptions_of(session: Session, organization_id: int, guide_ids: list[int]) -> list[PushSubscription]:
    """The subscriptions of these guides' devices that are still enrolled."""
    if not guide_ids:
        return []
    return list(session.scalars(
        select(PushSubscription).join(Device, Device.id == PushSubscription.device_id)
        .where(PushSubscription.organization_id == organization_id, PushSubscription.user_id.in_(guide_ids),
               Device.revoked_at.is_(None))
        .order_by(PushSubscription.user_id, PushSubscription.device_id)))


def _drop_revoked(session: Session, flush_context: Any, instances: Any) -> None:
    """A revoked device loses its subscription in the same flush, whichever code revoked it
    (the desk, `revoke-devices`, erasure): the one place this rule lives."""
    for obj in list(session.dirty):
        if isinstance(obj, Device) and obj.revoked_at is not None:
            row = session.get(PushSubscription, obj.id)
            if row is not None:
                session.delete(row)


def install_revocation_hook() -> None:
    if not event.contains(Session, "before_flush", _drop_revoked):
        event.listen(Session, "before_flush", _drop_revoked)
