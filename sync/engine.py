"""One sync round trip: apply a device's mutations (push), then read what changed since its cursor (pull).

Guarantees and where they come from:
* exactly once — each mutation's result is stored under (device, mutation id) in the same transaction
  that applies it; a replay returns the stored result and changes nothing (`sync/push/batch.py`);
* scoped — a record outside the device's guide (or organization) is `forbidden` on push and absent from
  the pull, because the feed is addressed per audience;
* no silent loss — `sync.merge` decides same-field clashes and every losing value becomes a `conflict`
  record that the guide's devices receive;
* workflow wins — a binding's `lock_reason` refuses a guide's edit of a submitted, approved or paid
  record; the device is sent the server's version in the same response;
* gap-free — see `sync/feed/publish.py` and `sync/tables.py`.

`round_trip` is what the endpoint calls: it runs attempts (`sync`) as `sync/push/plan.py` decides,
commits the one that passes, and answers `Busy` when none does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from sync.pull import BadCursor, current_change, decode_cursor, encode_cursor, pull
from sync.push import plan
from sync.push.answers import ERRORS, DeviceContext, Rejected
from sync.push.batch import Batch
from sync.push.bulk_writer import NotNew
from sync.push.plan import Attempt

log = logging.getLogger(__name__)


@dataclass
class SyncOutcome:
    results: list[dict[str, Any]]
    changes: list[dict[str, Any]]  # wire form: type, record_id, version, deleted, data
    cursor: str
    has_more: bool
    applied: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)


class Busy(Exception):
    """No attempt got through (deadlocks, racing requests): nothing was written; the device retries later."""


def round_trip(session: Session, context: Callable[[], DeviceContext], mutations: list[dict[str, Any]],
               cursor: str | None, limit: int, before_commit: Callable[[SyncOutcome], None]) -> SyncOutcome:
    """Push then pull, committed. `context` gives the device's context afresh for each attempt (a
    rollback expires what was loaded); `before_commit` writes what belongs to the same transaction
    (audit events, alerts). Raises `BadCursor` (nothing written) or `Busy`."""
    attempt = plan.FIRST
    for number in range(1, plan.ATTEMPTS + 1):
        ctx = context()
        batch = None
        try:
            after_seq = decode_cursor(cursor, ctx.organization_id)
            batch = Batch(session, ctx, mutations)
            outcome = _sync(session, batch, after_seq, limit, attempt)
            before_commit(outcome)
            session.commit()
            return outcome
        except (NotNew, DBAPIError) as exc:
            session.rollback()
            retry = plan.next_attempt(attempt, exc, batch)
            if retry is None:
                raise
            log.info("sync attempt %s for device %s refused: %s", number, ctx.device_id, exc.__class__.__name__)
            if number == plan.ATTEMPTS:
                raise Busy() from exc
            attempt = retry
        except Exception:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def sync(session: Session, ctx: DeviceContext, mutations: list[dict[str, Any]], cursor: str | None,
         limit: int, attempt: Attempt = Attempt()) -> SyncOutcome:  # noqa: B008 - frozen
    """One attempt of push then pull, in the caller's transaction (the caller commits)."""
    after_seq = decode_cursor(cursor, ctx.organization_id)
    return _sync(session, Batch(session, ctx, mutations), after_seq, limit, attempt)


def _sync(session: Session, batch: Batch, after_seq: int, limit: int, attempt: Attempt) -> SyncOutcome:
    results = plan.writer_for(batch, attempt).write(batch) if batch.items else []
    # This request's own changes are published when it commits (sync/feed/publish.py), so the counter lock is
    # held only for that last moment; the device receives them on its next pull.
    ctx = batch.ctx
    changes, last_seq, has_more = pull(session, ctx, after_seq, limit)
    seen = {(c["type"], c["record_id"]) for c in changes}
    for record_type, record_id in sorted(batch.force - seen):
        change = current_change(session, ctx, record_type, record_id)
        if change is not None:
            changes.append(change)
    return SyncOutcome(results, changes, encode_cursor(ctx.organization_id, last_seq), has_more, batch.applied)


__all__ = ["ERRORS", "BadCursor", "Busy", "DeviceContext", "NotNew", "Rejected", "SyncOutcome", "round_trip", "sync"]
