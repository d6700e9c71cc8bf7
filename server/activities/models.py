"""Logged meetings and time (Treffen, aufgewendete Zeit), and the monthly plenum with its attendance."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from sync.records import SyncedRecord
from sync.vocabulary import ACTIVITY_KINDS, ACTIVITY_STATES, sql_in


class Activity(SyncedRecord, db.Model):
    """Synced as `activity`; written by the guide, approved (and so locked) by a coordinator."""

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("id", "organization_id"),
        ForeignKeyConstraint(["guide_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             name="fk_activities_guide"),
        ForeignKeyConstraint(["assignment_id", "organization_id"], ["assignments.id", "assignments.organization_id"],
                             name="fk_activities_assignment"),
        ForeignKeyConstraint(["plenum_event_id", "organization_id"],
                             ["plenum_events.id", "plenum_events.organization_id"], name="fk_activities_plenum"),
        CheckConstraint("minutes BETWEEN 1 AND 1440", name="minutes_in_a_day"),
        CheckConstraint("travel_km IS NULL OR travel_km BETWEEN 0 AND 2000", name="travel_km_range"),
        CheckConstraint(sql_in("kind", ACTIVITY_KINDS), name="kind_known"),
        CheckConstraint(sql_in("state", ACTIVITY_STATES), name="state_known"),
        SyncedRecord.version_check(),
        Index("ix_activities_guide_date", "guide_id", "date"),
    )

    guide_id: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[str | None] = mapped_column(String(5), default=None)  # "HH:MM" local, when the guide gave it
    kind: Mapped[str] = mapped_column(String(20))
    assignment_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    district: Mapped[str | None] = mapped_column(String(40), default=None)
    travel_km: Mapped[int | None] = mapped_column(Integer, default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    needs_professional_help: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(12), default="logged")
    approved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    plenum_event_id: Mapped[int | None] = mapped_column(Integer, default=None)


class PlenumEvent(db.Model):
    __tablename__ = "plenum_events"
    __table_args__ = (UniqueConstraint("id", "organization_id"),
                      CheckConstraint("minutes BETWEEN 1 AND 1440", name="minutes_in_a_day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer, default=120)
    title: Mapped[str] = mapped_column(String(200), default="Plenum")
    location: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class PlenumAttendance(db.Model):
    __tablename__ = "plenum_attendance"
    __table_args__ = (
        UniqueConstraint("event_id", "guide_id"),
        ForeignKeyConstraint(["event_id", "organization_id"], ["plenum_events.id", "plenum_events.organization_id"],
                             ondelete="CASCADE", name="fk_plenum_attendance_event"),
        ForeignKeyConstraint(["guide_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             ondelete="CASCADE", name="fk_plenum_attendance_guide"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(Integer)
    guide_id: Mapped[int] = mapped_column(Integer)
    activity_id: Mapped[str | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"), default=None)
