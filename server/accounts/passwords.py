"""Password hashing with argon2 (the library's defaults follow RFC 9106's recommendations).

Tests set PASSWORD_HASH_PROFILE=fast: the same algorithm with minimal cost, so hundreds of sign-ins
in the access-matrix tests take milliseconds. A hash carries its own parameters, so verification
always uses the cost the hash was made with.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_PROFILES = {
    "default": lambda: PasswordHasher(),
    "fast": lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}


@cache
def _hasher_for(profile: str) -> tuple[PasswordHasher, str]:
    hasher = _PROFILES[profile]()
    # Verifying against this keeps an unknown email as slow as a wrong password (no account probing).
    return hasher, hasher.hash("not-a-real-password")


def _hasher() -> tuple[PasswordHasher, str]:
    profile = current_app.config.get("PASSWORD_HASH_PROFILE", "default") if has_app_context() else "default"
    return _hasher_for(profile if profile in _PROFILES else "default")


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
