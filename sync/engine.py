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

from sync.pull import BadCursor, current_change, encode_cursor, feed_top, pull, read_cursor
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
    (audit events, alerts). Raises `BadCursor` or `FeedRewound` (nothing written) or `Busy`."""
    attempt = plan.FIRST
    for number in range(1, plan.ATTEMPTS + 1):
        ctx = context()
        batch = None
        try:
            position = _position(session, ctx, cursor)
            batch = Batch(session, ctx, mutations)
            outcome = _sync(session, batch, position, limit, attempt)
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
    return _sync(session, Batch(session, ctx, mutations), _position(session, ctx, cursor), limit, attempt)


class FeedRewound(Exception):
    """The cursor comes from a history of the feed this server does not have: it was restored from a
    backup (another epoch), or the cursor lies beyond the feed's end. Nothing was applied; the device
    replays what it sent and pulls from the start (sync/PROTOCOL.md §10)."""


@dataclass(frozen=True)
class _Position:
    after_seq: int
    top: int | None  # the organization's counter as read before the push (None: no change yet)
    epoch: str | None


def _position(session: Session, ctx: DeviceContext, cursor: str | None) -> _Position:
    """Where the device's cursor stands in this server's feed; `FeedRewound` if not in this feed at all."""
    after_seq, cursor_epoch = read_cursor(cursor, ctx.organization_id)
    top, epoch = feed_top(session, ctx.organization_id)
    if (cursor_epoch is not None and epoch is not None and cursor_epoch != epoch) or after_seq > (top or 0):
        raise FeedRewound(cursor)
    return _Position(after_seq, top, epoch)


def _sync(session: Session, batch: Batch, position: _Position, limit: int, attempt: Attempt) -> SyncOutcome:
    results = plan.writer_for(batch, attempt).write(batch) if batch.items else []
    # This request's own changes are published when it commits (sync/feed/publish.py), so the counter lock is
    # held only for that last moment; the device receives them on its next pull.
    ctx = batch.ctx
    # The counter read before the push still holds when nothing was pushed (saves reading it again).
    top = None if batch.items else position.top
    changes, last_seq, has_more = pull(session, ctx, position.after_seq, limit, top=top)
    seen = {(c["type"], c["record_id"]) for c in changes}
    for record_type, record_id in sorted(batch.force - seen):
        change = current_change(session, ctx, record_type, record_id)
        if change is not None:
            changes.append(change)
    return SyncOutcome(results, changes, encode_cursor(ctx.organization_id, last_seq, position.epoch), has_more,
                       batch.applied)


__all__ = ["ERRORS", "BadCursor", "Busy", "DeviceContext", "FeedRewound", "NotNew", "Rejected", "SyncOutcome", "round_trip", "sync"]
