"""People and their access: users, their role in an organization, a guide's enrolled phones."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from sync.clock import utcnow
from sync.db import UUIDString, new_uuid
from sync.vocabulary import ROLES, sql_in


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    # The last TOTP time step that signed in: a code works only once.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    locale: Mapped[str | None] = mapped_column(String(10), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Bumped by "sign out everywhere": a session signed in under an older generation is no longer valid.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the user last signed in at the coordinator's desk ("new since my last visit").
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Set when the person's data was erased (DSGVO Art. 17, server/privacy/erasure.py).
    erased_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Mail kinds the person turned off under "My account" (server/outbox/preferences.py).
    mail_opt_out: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(db.Model):
    """A user's one role in one organization."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organization_id"),
        CheckConstraint(sql_in("role", ROLES), name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")


class Device(db.Model):
    """A guide's enrolled phone; it authenticates with a random token of which we keep only a hash."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(UUIDString(), primary_key=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    app_version: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()


class EnrolmentCode(db.Model):
    """A one-time code that trades for a device token; stored hashed, valid for a few days."""

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"), default=None)


class UserSession(db.Model):
    """One signed-in browser of a coordinator or admin, listed on their account page.

    The cookie carries the row's id and the user's session generation; the row can be signed out alone,
    and bumping `User.session_generation` signs out every row at once.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # random, URL-safe
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    generation: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


TOKEN_PURPOSES = ("invitation", "password_reset")


class AccountToken(db.Model):
    """A one-time link to choose a password: an invitation (a new staff member) or a reset.

    Only the token's hash is stored; the link works once, until it expires, and only while it is the
    newest of its purpose for the user (issuing a new one retires the older ones)."""

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint(sql_in("purpose", TOKEN_PURPOSES), name="purpose_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
