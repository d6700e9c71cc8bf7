"""Routes of the coordinator's desk. Each handler: parse → load → authorize → domain call → render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from server.accounts.models import Membership, User
from server.accounts.passwords import verify_password
from server.activities.models import Activity
from server.coordinator.auth import staff_membership
from server.expenses.models import Expense
from server.extensions import db, limiter
from server.organizations.models import Organization
from sync.tables import Conflict

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        email = (request.form.get("email") or "").strip().lower()
        password = request.form.get("password") or ""
        user = db.session.scalar(select(User).where(User.email == email))
        ok = verify_password(user.password_hash if user else None, password)
        if ok and user is not None and user.active and staff_membership(user) is not None:
            login_user(user)
            return redirect(url_for("coordinator.home"))
        # The same answer for an unknown email and a wrong password.
        error = _("Email or password is not correct.")
    return render_template("coordinator/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout() -> Any:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("coordinator.login"))


@bp.get("/")
@login_required
def home() -> Any:
    membership = staff_membership(current_user)
    if membership is None:
        abort(403)
    org = db.session.get(Organization, membership.organization_id)
    org_id = membership.organization_id
    counts = {
        "guides": db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.organization_id == org_id, Membership.role == "guide")),
        "activities": db.session.scalar(select(func.count()).select_from(Activity).where(
            Activity.organization_id == org_id, Activity.deleted_at.is_(None))),
        "expenses_submitted": db.session.scalar(select(func.count()).select_from(Expense).where(
            Expense.organization_id == org_id, Expense.state == "submitted", Expense.deleted_at.is_(None))),
        "open_conflicts": db.session.scalar(select(func.count()).select_from(Conflict).where(
            Conflict.organization_id == org_id, Conflict.resolved.is_(False))),
    }
    return render_template("coordinator/home.html", org=org, counts=counts)
