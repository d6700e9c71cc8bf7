"""The per-account brake on password guessing: a growing delay, never a long lock.

Sign-in attempts are throttled twice (server/coordinator/desk/views.py): per client address, and per account
*and* address — so somebody guessing from one address locks out only themselves. Against guessing one
account from many addresses, each account has this brake besides: after `FREE_FAILURES` wrong passwords
in a row, the next attempt must wait 2^k seconds (k = failures beyond those; at most `MAX_DELAY_SECONDS`).
A wrong password therefore costs an attacker more and more time, but it cannot lock the real person out
for long: once the short delay passes, her correct password works (and clears the count).
The counters live in the rate limiter's storage (Redis with REDIS_URL, so all hosts share them).
"""

from __future__ import annotations

import math

from flask import current_app

from server.extensions import limiter
from sync import clock

FREE_FAILURES = 5
MAX_DELAY_SECONDS = 300
FAILURES_KEPT_SECONDS = 24 * 3600


def _keys(email: str) -> tuple[str, str]:
    account = (email or "").strip().lower()[:254]
    return f"lotsenbuch/sign-in-failures/{account}", f"lotsenbuch/sign-in-wait/{account}"


def _active() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True)) and limiter.enabled


def delay_for(failures: int) -> int:
    """Seconds to wait after `failures` wrong passwords in a row."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


def seconds_to_wait(email: str) -> int:
    """How long this account's next attempt must still wait (0: go ahead)."""
    if not _active():
        return 0
    _failures, wait = _keys(email)
    storage = limiter.storage
    if not storage.get(wait):
        return 0
    return max(1, math.ceil(storage.get_expiry(wait) - clock.utcnow().timestamp()))


def record_failure(email: str) -> None:
    if not _active():
        return
    failures_key, wait = _keys(email)
    storage = limiter.storage
    failures = storage.incr(failures_key, FAILURES_KEPT_SECONDS)
    delay = delay_for(failures)
    if delay:
        storage.clear(wait)
        storage.incr(wait, delay)


def record_success(email: str) -> None:
    if not _active():
        return
    for key in _keys(email):
        limiter.storage.clear(key)
