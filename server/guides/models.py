"""A guide's competence profile (Kompetenzprofil): languages, specialisations, districts, qualifications."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
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
from sync.records import SyncedRecord
from sync.vocabulary import LANGUAGE_LEVELS, QUALIFICATION_KINDS, sql_in


class GuideProfile(SyncedRecord, db.Model):
    """Synced as record type `profile`; the guide edits contact, languages, districts, availability."""

    __tablename__ = "guide_profiles"
    __table_args__ = (
        UniqueConstraint("user_id"),
        ForeignKeyConstraint(
            ["user_id", "organization_id"], ["memberships.user_id", "memberships.organization_id"],
            ondelete="CASCADE", name="fk_guide_profiles_membership",
        ),
        CheckConstraint("monthly_hour_limit IS NULL OR monthly_hour_limit >= 0", name="hour_limit_non_negative"),
        SyncedRecord.version_check(),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    # Codes from sync.vocabulary.SPECIALISATIONS and DISTRICTS; validated by the wire schema.
    specialisations: Mapped[list[str]] = mapped_column(JSON, default=list)
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Reminder kinds (sync/vocabulary.py REMINDER_KINDS) the guide switched off in the app.
    muted_reminders: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Free text the guide writes ("Mo–Mi nachmittags"), shown to the coordinator when matching.
    availability: Mapped[str] = mapped_column(Text, default="")
    monthly_hour_limit: Mapped[int | None] = mapped_column(Integer, default=None)
    iban: Mapped[str | None] = mapped_column(String(34), default=None)
    bic: Mapped[str | None] = mapped_column(String(11), default=None)
    account_holder: Mapped[str | None] = mapped_column(String(140), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")  # coordinator's notes, never synced to the guide

    languages: Mapped[list[GuideLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="GuideLanguage.position", lazy="selectin"
    )
    qualifications: Mapped[list[Qualification]] = relationship(
        cascade="all, delete-orphan", order_by="Qualification.completed_on", lazy="selectin"
    )


class GuideLanguage(db.Model):
    __tablename__ = "guide_languages"
    __table_args__ = (
        UniqueConstraint("profile_id", "language", "dialect"),
        CheckConstraint(sql_in("level", LANGUAGE_LEVELS), name="level_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[str] = mapped_column(ForeignKey("guide_profiles.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(12), index=True)  # BCP 47 code: tr, ar, fa, prs, ku, ru, …
    level: Mapped[str] = mapped_column(String(8))
    dialect: Mapped[str] = mapped_column(String(60), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Qualification(db.Model):
    __tablename__ = "qualifications"
    __table_args__ = (CheckConstraint(sql_in("kind", QUALIFICATION_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[str] = mapped_column(ForeignKey("guide_profiles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200), default="")
    completed_on: Mapped[dt.date] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(200), default="")
