"""The sync engine's own tables: change feed, per-organization counter, applied mutations, history,
and conflicts.

Why a counter row and not a database sequence: a sequence hands out numbers at insert time, but
transactions commit in any order, so a reader could see change 11 before change 10 commits and move its
cursor past 10 for ever (the "late commit" bug). Instead every writing transaction, as its last step,
takes the organization's counter row with `UPDATE … SET value = value + n` and numbers its changes from
it. The row lock is held until commit, so a transaction that got higher numbers commits after every
transaction with lower ones: a reader that sees number N has seen everything below N.

Why one feed row per (record, audience) and not per change: a pull wants the current state of every
record that changed since the cursor, once. Updating the row's `seq` in place keeps the feed as large as
the number of records (not of edits), and a pull reads `WHERE organization_id = ? AND audience IN (…)
AND seq > ?` from an index, so its cost grows with what it returns.

Why the log tables (feed, applied mutations, history; and `audit_events`) hold plain ids with no
foreign keys: they are appended to only by the sync engine and the audit writer, with the ids of the
device that just authenticated, its guide and organization, so a dangling id cannot arise from a
request. A foreign key is checked row by row: seven checks per pushed record were a third of
PostgreSQL's work in a bulk push (`bench/README.md`). And a log must outlive what it names: nothing in
the application deletes an organization, user or device (a device is revoked, a guide erased in
place), and a cascade would have silently shortened the log. Deleting an organization by hand means
deleting its rows here too (`organization_id` is indexed for it).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sync.clock import utcnow
from sync.db import Base, UUIDString
from sync.records import SyncedRecord

BigId = BigInteger().with_variant(Integer, "sqlite")

# Audience value for records every device of the organization receives (reference data).
EVERYONE = "*"


def new_epoch() -> str:
    return secrets.token_hex(4)


class SyncCounter(Base):
    __tablename__ = "sync_counters"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    # Which history of the feed this is: a restore from a backup (`flask --app server restore`) draws a new
    # one, so a cursor handed out before it is recognised as from a history the server no longer has
    # (sync/PROTOCOL.md §10). In every cursor; read with the counter, so it costs no query of its own.
    epoch: Mapped[str | None] = mapped_column(String(16), default=new_epoch)


class SyncChange(Base):
    """The latest change of one record for one audience (a guide's id as text, or EVERYONE)."""

    __tablename__ = "sync_changes"
    __table_args__ = (
        # Record first: publishing looks up a record's rows for every audience by its leading columns
        # (one index for both: a second one, for the look-up alone, was maintained on every feed row's insert).
        UniqueConstraint("record_type", "record_id", "organization_id", "audience"),
        Index("ix_sync_changes_feed", "organization_id", "audience", "seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    # True when the record was deleted or left this audience's scope: a tombstone.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class AppliedMutation(Base):
    """Remembers each mutation a device sent, with its result, in the transaction that applied it."""

    __tablename__ = "sync_applied_mutations"

    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mutation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer, index=True)
    applied_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class RecordHistory(Base):
    """Which fields each version of a record set, and by whom: the base of the three-way merge."""

    __tablename__ = "sync_record_history"
    __table_args__ = (UniqueConstraint("record_type", "record_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer, index=True)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_role: Mapped[str] = mapped_column(String(20))  # guide | coordinator | system
    author_user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    device_id: Mapped[str | None] = mapped_column(String(36), default=None)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Conflict(SyncedRecord, Base):
    """A value that lost a same-field conflict, kept for the guide to see and a coordinator to decide.
    Synced as `conflict`, read-only for guides."""

    __tablename__ = "conflicts"
    __table_args__ = (SyncedRecord.version_check(),)

    guide_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(UUIDString(), index=True)
    field: Mapped[str] = mapped_column(String(40))
    kept_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    lost_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    # Who wrote the losing value: guide | coordinator, and from which device.
    lost_by: Mapped[str] = mapped_column(String(20), default="guide")
    lost_device_id: Mapped[str | None] = mapped_column(String(36), default=None)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution: Mapped[str] = mapped_column(Text, default="")  # kept | lost | new
    resolved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    # Set when the retention period cleared both values of this resolved conflict.
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(default=None)
