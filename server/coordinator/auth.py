"""Signing coordinators in and out; who may see which organization."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext
from sqlalchemy import select

from server.accounts.models import Membership, User
from server.extensions import db, login_manager


def init_login(app: Flask) -> None:
    login_manager.login_view = "coordinator.login"
    login_manager.login_message = lazy_gettext("Please sign in.")

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))


def staff_membership(user: User) -> Membership | None:
    """The user's coordinator or admin membership, if any (guides never sign in here)."""
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.role.in_(("coordinator", "admin")))
    )
