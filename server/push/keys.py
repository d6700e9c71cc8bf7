"""VAPID keys (RFC 8292): the server's P-256 key pair; phones subscribe with its public half."""

from __future__ import annotations

import base64
import functools

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_private_key() -> str:
    """A fresh private key as base64url of its 32 raw bytes (what VAPID_PRIVATE_KEY holds)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _b64url(key.private_numbers().private_value.to_bytes(32, "big"))


@functools.cache
def vapid(private_key: str) -> Vapid:
    """The signer pywebpush takes; raises ValueError for a key that is not one."""
    return Vapid.from_string(private_key=private_key.strip())


def public_key(private_key: str) -> str:
    """The applicationServerKey the app subscribes with: base64url of the uncompressed point (65 bytes)."""
    point = vapid(private_key).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(point)
