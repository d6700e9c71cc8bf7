"""Qualification courses (Basisqualifizierung, Spezialisierungsmodule): the vocabulary of the guide's
qualifications (`sync.vocabulary.QUALIFICATION_KINDS`, `SPECIALISATIONS`) is reused, so a finished
course becomes a `Qualification` row of the profile and, for a specialisation, the specialisation
matching already reads (server/courses/operations.py: finish_course).

A registration is a guide of the organization (`user_id`) or a person who wants to become one (name
and email only, no account). Attendance is one row per session and registration, synced as record
type `attendance` to the course's trainers (server/courses/sync_binding.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from sync.db import UUIDString
from sync.records import SyncedRecord
from sync.vocabulary import COURSE_REGISTRATION_STATES, QUALIFICATION_KINDS, SPECIALISATIONS, sql_in


class Course(SyncedRecord, db.Model):
    """Synced as record type `course` to every guide of the organization (the app lists upcoming ones)."""

    __tablename__ = "courses"
    __table_args__ = (
        UniqueConstraint("id", "organization_id"),
        SyncedRecord.version_check(),
        CheckConstraint(sql_in("kind", QUALIFICATION_KINDS), name="kind_known"),
        CheckConstraint("specialisation IS NULL OR " + sql_in("specialisation", SPECIALISATIONS),
                        name="specialisation_known"),
        CheckConstraint("places BETWEEN 1 AND 500", name="places_in_range"),
        CheckConstraint("required_minutes >= 0", name="required_minutes_non_negative"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    specialisation: Mapped[str | None] = mapped_column(String(30), default=None)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    places: Mapped[int] = mapped_column(Integer, default=20)
    # Attended time a participant needs to finish the course (the certificate's condition).
    required_minutes: Mapped[int] = mapped_column(Integer, default=0)

    sessions: Mapped[list[CourseSession]] = relationship(
        order_by="(CourseSession.date, CourseSession.id)", lazy="selectin", cascade="all, delete-orphan")
    trainers: Mapped[list[CourseTrainer]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class CourseSession(db.Model):
    __tablename__ = "course_sessions"
    __table_args__ = (
        UniqueConstraint("id", "organization_id"),
        ForeignKeyConstraint(["course_id", "organization_id"], ["courses.id", "courses.organization_id"],
                             ondelete="CASCADE", name="fk_course_sessions_course"),
        CheckConstraint("minutes BETWEEN 1 AND 1440", name="minutes_in_a_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(UUIDString(), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    starts_at: Mapped[str] = mapped_column(String(5), default="")  # "18:00", as the invitation says
    minutes: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200), default="")


class CourseTrainer(db.Model):
    """A guide account (or a staff member) who leads the course; a trainer's phone takes attendance."""

    __tablename__ = "course_trainers"
    __table_args__ = (
        UniqueConstraint("course_id", "user_id"),
        ForeignKeyConstraint(["course_id", "organization_id"], ["courses.id", "courses.organization_id"],
                             ondelete="CASCADE", name="fk_course_trainers_course"),
        ForeignKeyConstraint(["user_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             ondelete="CASCADE", name="fk_course_trainers_member"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(UUIDString(), index=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)


class CourseRegistration(SyncedRecord, db.Model):
    """Synced as record type `course_registration` to the registered guide (a guide asks to join from the
    app by creating one); a future guide's registration (no account) goes to nobody."""

    __tablename__ = "course_registrations"
    __table_args__ = (
        SyncedRecord.version_check(),
        UniqueConstraint("id", "organization_id"),
        UniqueConstraint("course_id", "user_id"),
        ForeignKeyConstraint(["course_id", "organization_id"], ["courses.id", "courses.organization_id"],
                             ondelete="CASCADE", name="fk_course_registrations_course"),
        ForeignKeyConstraint(["user_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
                             ondelete="CASCADE", name="fk_course_registrations_guide"),
        CheckConstraint(sql_in("state", COURSE_REGISTRATION_STATES), name="state_known"),
    )

    course_id: Mapped[str] = mapped_column(UUIDString(), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, default=None)  # None: a future guide, no account
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    state: Mapped[str] = mapped_column(String(20), default="registered")
    completed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"),
                                                       default=None)


class CourseAttendance(SyncedRecord, db.Model):
    """Whether one participant was at one session; `present` None: not taken yet."""

    __tablename__ = "course_attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "registration_id"),
        ForeignKeyConstraint(["session_id", "organization_id"],
                             ["course_sessions.id", "course_sessions.organization_id"],
                             ondelete="CASCADE", name="fk_course_attendance_session"),
        ForeignKeyConstraint(["registration_id", "organization_id"],
                             ["course_registrations.id", "course_registrations.organization_id"],
                             ondelete="CASCADE", name="fk_course_attendance_registration"),
        SyncedRecord.version_check(),
    )

    course_id: Mapped[str] = mapped_column(UUIDString(), index=True)
    session_id: Mapped[int] = mapped_column(Integer, index=True)
    registration_id: Mapped[str] = mapped_column(UUIDString(), index=True)
    present: Mapped[bool | None] = mapped_column(Boolean, default=None)
