"""How a batch is written, and what the next attempt does when the database refused one: both
decisions in this one module.

The writer (`writer_for`):
* a batch of nothing but new records of a bulk type goes to the bulk writer; if none claims a base
  version (fresh UUIDs: the phone made them) the first attempt does not even look them up
  (`assume_new`: a `SELECT … FOR UPDATE` of 500 ids that are never there cost about 5 ms a batch);
* anything else (an edit, a delete, a record that exists, the same record twice) goes to the ORM
  writer, mutation by mutation; `careful` puts each one in its own SAVEPOINT.

The next attempt (`next_attempt`), after the caller rolled back:
* `NotNew` (an invalid mutation of a batch assumed new names an existing record): look them up;
* the database refused a row (IntegrityError, DataError): a racing replay (another request of this
  device stored results of this batch meanwhile) or a deadlock is tried again as it was; otherwise a
  batch assumed new is looked up, then a looked-up one goes careful; a careful attempt that is refused
  is a bug, not a retry;
* a deadlock, a serialization failure or a busy SQLite file (OperationalError): again, unchanged.
After `ATTEMPTS` the device is told `busy` (503) and retries later; stored results make that exact.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from sync.push.batch import Batch
from sync.push.bulk_writer import BulkWriter, NotNew, qualifies
from sync.push.orm_writer import OrmWriter

ATTEMPTS = 5  # the first, a look-up, a careful one, and room for racing retries
TRANSIENT_SQLSTATES = ("40P01", "40001")  # deadlock detected, serialization failure (PostgreSQL)
TRANSIENT_SQLITE_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class Writer(Protocol):
    def write(self, batch: Batch) -> list[dict[str, Any]]:
        """Apply the batch (nothing flushed is committed) and return one result per mutation, in order."""


@dataclass(frozen=True)
class Attempt:
    assume_new: bool = False  # a batch of base-less creates is not looked up before writing
    careful: bool = False  # each mutation in its own SAVEPOINT
    bulk: bool = True  # a batch of creates may go to the bulk writer (off: the agreement tests)


FIRST = Attempt(assume_new=True)


def writer_for(batch: Batch, attempt: Attempt) -> Writer:
    """The writer of this batch in this attempt (looking the batch's records up unless assumed new)."""
    fast = attempt.bulk and not attempt.careful
    if fast and attempt.assume_new and qualifies(batch, base_less=True):
        return BulkWriter(assume_new=True)
    batch.look_up_records()
    if fast and qualifies(batch):
        return BulkWriter()
    return OrmWriter(careful=attempt.careful)


def next_attempt(attempt: Attempt, exc: Exception, batch: Batch | None) -> Attempt | None:
    """What to try after `exc` (the caller has rolled back); None: no retry can cure it."""
    if isinstance(exc, NotNew):
        return replace(attempt, assume_new=False)
    if isinstance(exc, (IntegrityError, DataError)):
        if transient(exc) or (batch is not None and batch.stored_meanwhile()):
            return attempt
        if attempt.careful:
            return None
        if attempt.assume_new:
            return replace(attempt, assume_new=False)
        return replace(attempt, careful=True)
    if isinstance(exc, OperationalError) and transient(exc):
        return attempt
    return None


def transient(exc: Exception) -> bool:
    """A deadlock, a serialization failure or a locked SQLite file: the same attempt may pass now."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in TRANSIENT_SQLITE_CODES
