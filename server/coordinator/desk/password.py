"""Passwords at the desk: "forgot my password", the one-time link (invitation or reset), changing it
under "My account", and which mails a coordinator gets.

The forgotten-password answer is the same for every address, known or not, and throttled per network
address and per email address. A link works once (server/accounts/tokens.py); setting a password
through it ends every session of that user.
"""

from __future__ import annotations

import time
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.accounts.invitations import answer_floor, request_reset
from server.accounts.operations import AccountError
from server.accounts.passwords import hash_password, verify_password
from server.accounts.tokens import TokenRefused, check_new_password, find_token, redeem_token
from server.audit.log import record_event
from server.coordinator.common.auth import (
    current_org_id,
    sign_out_everywhere_else,
    staff_membership,
    staff_required,
)
from server.coordinator.common.forms import choices
from server.coordinator.desk.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    MailPreferencesForm,
    SetPasswordForm,
)
from server.coordinator.desk.views import auth_limit
from server.extensions import db, limiter
from server.i18n import flash
from server.outbox.mail import mail_enabled
from server.outbox.preferences import OPTIONAL_KINDS, set_preferences, wants

# Every request counts (not only failures): each one may send a mail.
FORGOT_PER_ADDRESS = "5 per minute; 20 per hour"
FORGOT_PER_ACCOUNT = "3 per hour"
# The token is in the path: no Referer may carry it to another site, and no cache may keep the page.
LINK_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _reset_mail_key() -> str:
    """Reset mails per email address, from any network address: what floods one inbox is the count of
    mails, wherever the requests come from (it locks nobody out: a mailed link still works)."""
    return "reset-mail:" + (request.form.get("email") or "").strip().lower()[:254]


@limiter.limit(FORGOT_PER_ADDRESS, methods=["POST"])
@limiter.limit(FORGOT_PER_ACCOUNT, key_func=_reset_mail_key, methods=["POST"])
def forgot_password() -> Any:
    form = ForgotPasswordForm()
    sent, started = False, time.perf_counter()
    if form.validate_on_submit():
        user = request_reset(db.session, form.email.data or "")
        if user is not None:
            membership = staff_membership(user)
            record_event("account.password_reset_requested", membership.organization_id if membership else None,
                         object_type="user", object_id=user.id)
        db.session.commit()
        answer_floor(started)  # the same answer time for known and unknown addresses
        sent = True
    return render_template("coordinator/password_forgot.html", form=form, sent=sent, mail_on=mail_enabled()), \
        (400 if request.method == "POST" and not sent else 200)


@auth_limit
def set_password(token: str) -> Any:
    """The page behind an invitation or reset link: choose a password, once."""
    try:
        row = find_token(db.session, token)
    except TokenRefused as exc:
        return render_template("coordinator/password_link_refused.html", message=str(exc)), 410, LINK_HEADERS
    form = SetPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            user, row, ended = redeem_token(db.session, token, form.password.data or "", form.confirmation.data or "")
        except TokenRefused as exc:
            db.session.rollback()
            return render_template("coordinator/password_link_refused.html", message=str(exc)), 410, LINK_HEADERS
        except AccountError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            membership = staff_membership(user)
            record_event(f"account.{row.purpose}_used", membership.organization_id if membership else None,
                         actor_user_id=user.id, object_type="user", object_id=user.id,
                         details={"sessions_ended": ended})
            db.session.commit()
            flash(_l("Your password is set. Please sign in with it."), "info")
            return redirect(url_for("coordinator.login"))
    elif request.method == "POST":
        error = _("Please fill in both fields.")
    return render_template("coordinator/password_set.html", form=form, error=error, purpose=row.purpose), \
        (400 if error else 200), LINK_HEADERS


@staff_required
@auth_limit
def change_password() -> Any:
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data or ""):
            error = _("The current password is not correct.")
        else:
            try:
                check_new_password(form.password.data or "", form.confirmation.data or "")
            except AccountError as exc:
                error = str(exc)
            else:
                current_user.password_hash = hash_password(form.password.data or "")
                record_event("account.password_changed", current_org_id(), actor_user_id=current_user.id,
                             object_type="user", object_id=current_user.id)
                ended = sign_out_everywhere_else(current_user)  # commits
                flash(_l("Your password was changed. Every other browser was signed out (%(count)s).",
                        count=ended), "info")
                return redirect(url_for("coordinator.account"))
    elif request.method == "POST":
        error = _("Please fill in every field.")
    return render_template("coordinator/password_change.html", form=form, error=error), (400 if error else 200)


def mail_preferences_form(formdata: Any = None) -> MailPreferencesForm:
    form = MailPreferencesForm(formdata=formdata)
    form.kinds.choices = choices([(kind, str(label)) for kind, label in OPTIONAL_KINDS.items()])
    if formdata is None:
        form.kinds.data = [kind for kind in OPTIONAL_KINDS if wants(current_user, kind)]
    return form


@staff_required
def account_mail_preferences() -> Any:
    form = mail_preferences_form(request.form)
    if not form.validate_on_submit():
        flash(_l("The choice could not be saved. Please try again."), "error")
        return redirect(url_for("coordinator.account")), 303
    off = set_preferences(current_user, set(form.kinds.data or []))
    record_event("account.mail_preferences_changed", current_org_id(), actor_user_id=current_user.id,
                 object_type="user", object_id=current_user.id, details={"off": off})
    db.session.commit()
    flash(_l("Your mail settings were saved."), "info")
    return redirect(url_for("coordinator.account") + "#mail")
