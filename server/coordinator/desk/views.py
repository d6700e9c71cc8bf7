"""Views of the desk itself: sign-in, account, layout, dashboard (their URLs in desk/routes.py).

Each handler: parse → load-or-404 (common/access.py) → authorize → domain call → render.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import pyotp
import segno
from flask import Response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy import func, select

from server.accounts.models import Membership, User
from server.accounts.passwords import verify_password
from server.accounts.user_agents import describe_user_agent
from server.audit.log import record_event
from server.coordinator.common import sign_in_delay
from server.coordinator.common.access import get_own_session_or_404
from server.coordinator.common.auth import (
    TOTP_PENDING_SECONDS,
    active_sessions,
    admin_required,
    current_org,
    current_org_id,
    end_session,
    is_admin,
    may_sign_in,
    sign_out_everywhere_else,
    staff_required,
    start_session,
    verify_totp,
)
from server.coordinator.common.blueprint import bp
from server.coordinator.common.forms import (
    ActionForm,
    LanguageForm,
    LoginForm,
    OrganizationForm,
    TotpForm,
    choices,
)
from server.extensions import db, limiter
from server.guides.hours import NEAR_SHARE, hour_limit_warnings
from server.i18n import available_locales, flash, locale_name
from server.money import rate_history
from server.observability import metrics
from server.organizations import workload
from server.organizations.models import Organization
from sync import clock
from sync.clock import utcnow

# Failed attempts on any sign-in route count together, per client address (behind a load balancer the
# address it forwards: TRUSTED_PROXIES); a success costs nothing.
AUTH_LIMIT = "5 per minute; 30 per hour"
# And per account *and* address: guessing from one address never locks the account for anybody else.
# Against guessing one account from many addresses: the growing delay of sign_in_delay.py.
ACCOUNT_LIMIT = "10 per hour"


def _failed(response: Response) -> bool:
    return response.status_code >= 400


def _email_key() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()[:254] + "|" + get_remote_address()


auth_limit = limiter.shared_limit(AUTH_LIMIT, scope="coordinator-auth", methods=["POST"], deduct_when=_failed)
account_limit = limiter.shared_limit(ACCOUNT_LIMIT, scope="coordinator-account", key_func=_email_key,
                                     methods=["POST"], deduct_when=_failed)


# ------------------------------------------------------------------ request bodies

# The desk's forms post these two and nothing else; WTForms' validators expect their strings and lists.
FORM_BODIES = ("application/x-www-form-urlencoded", "multipart/form-data")


@bp.before_request
def only_form_bodies() -> Any:
    """A POST with any other body (JSON, XML, plain text …) is a 415 before any view code runs: a form
    fed a JSON object gets numbers, lists and nulls where it expects strings."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.mimetype in FORM_BODIES:
        return None
    if not request.mimetype and not request.content_length and not request.headers.get("Transfer-Encoding"):
        return None  # an empty body (a button without fields) is an empty form
    message = _("This page accepts only forms sent by the browser (a form submission), not other content "
                "such as JSON.")
    return render_template("error.html", status=415, message=message), 415


# ------------------------------------------------------------------ layout

@bp.context_processor
def layout() -> dict[str, Any]:
    nav: dict[str, Any] = {"staff": False}
    language_form = LanguageForm(formdata=None, next=request.full_path.rstrip("?"))
    language_form.lang.choices = choices([(code, locale_name(code)) for code in available_locales()])
    nav["language_form"] = language_form
    if current_user.is_authenticated and current_user.active:
        try:
            org = current_org()
        except Exception:  # noqa: BLE001 - a guide somehow signed in: no staff navigation
            return {"nav": nav}
        nav.update(staff=True, org=org, admin=is_admin(), action_form=ActionForm())
        if nav["admin"]:
            form = OrganizationForm(formdata=None, organization=org.id)
            form.organization.choices = choices([(o.id, o.name) for o in db.session.scalars(
                select(Organization).order_by(Organization.name))])
            nav["org_form"] = form
    return {"nav": nav}


def _safe_next(target: str | None) -> str:
    """Only a path on our own coordinator pages (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/coordinator/") \
                and not target.startswith("//"):
            return target
    return url_for("coordinator.home")


def set_language() -> Any:
    form = LanguageForm()
    form.lang.choices = choices([(code, code) for code in available_locales()])
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return redirect(_safe_next(form.next.data))


@admin_required
def switch_organization() -> Any:
    form = OrganizationForm()
    form.organization.choices = choices([(o.id, o.name) for o in db.session.scalars(select(Organization))])
    if form.validate_on_submit():
        session["org_id"] = form.organization.data
        record_event("coordinator.organization_switched", form.organization.data, actor_user_id=current_user.id)
        db.session.commit()
    return redirect(url_for("coordinator.home"))


# ------------------------------------------------------------------ sign-in

@auth_limit
@account_limit
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("coordinator.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        wait = sign_in_delay.seconds_to_wait(email)
        if wait:
            message = _("Too many wrong passwords for this account. Please wait %(seconds)s seconds and try "
                        "again.", seconds=wait)
            return render_template("coordinator/login.html", form=form, error=message), 429, \
                {"Retry-After": str(wait)}
        user = db.session.scalar(select(User).where(User.email == email))
        # Always verify (a dummy hash for an unknown email): the same answer and about the same time.
        password_ok = verify_password(user.password_hash if user else None, form.password.data or "")
        if not password_ok:
            sign_in_delay.record_failure(email)
        else:
            sign_in_delay.record_success(email)
        if password_ok and user is not None and may_sign_in(user):
            if user.totp_secret:
                session["pending_user_id"] = user.id
                session["pending_at"] = utcnow().timestamp()
                session["pending_next"] = request.args.get("next")
                return redirect(url_for("coordinator.login_code"))
            return _signed_in(user, request.args.get("next"))
        error = _("Email or password is not correct.")
    elif request.method == "POST":
        error = _("Email or password is not correct.")
    if error:
        metrics.count_sign_in_failure("password")
    return render_template("coordinator/login.html", form=form, error=error), (401 if error else 200)


def _signed_in(user: User, next_url: str | None) -> Any:
    start_session(user)
    record_event("coordinator.signed_in", current_org_id(), actor_user_id=user.id, object_type="user",
                 object_id=user.id)
    db.session.commit()
    return redirect(_safe_next(next_url))


@auth_limit
def login_code() -> Any:
    user_id, started = session.get("pending_user_id"), session.get("pending_at")
    if not isinstance(user_id, int) or not isinstance(started, float) \
            or utcnow().timestamp() - started > TOTP_PENDING_SECONDS:
        session.pop("pending_user_id", None)
        flash(_l("Please sign in again."), "info")
        return redirect(url_for("coordinator.login"))
    form = TotpForm()
    error = None
    if request.method == "POST":
        user = db.session.get(User, user_id)
        if user is not None and user.totp_secret and may_sign_in(user) and form.validate_on_submit() \
                and verify_totp(user, user.totp_secret, form.code.data or ""):
            db.session.commit()  # the used time step
            return _signed_in(user, session.get("pending_next"))
        error = _("The code is not correct, or it was used already.")
        metrics.count_sign_in_failure("totp")
    return render_template("coordinator/login_code.html", form=form, error=error), (401 if error else 200)


@staff_required
def logout() -> Any:
    if ActionForm().validate_on_submit():
        record_event("coordinator.signed_out", current_org_id(), actor_user_id=current_user.id)
        db.session.commit()
        end_session()
        flash(_l("You are signed out."), "info")
    return redirect(url_for("coordinator.login"))


# ------------------------------------------------------------------ account: sessions and TOTP

@staff_required
def account() -> Any:
    from server.coordinator.desk.password import mail_preferences_form
    from server.outbox.mail import mail_enabled

    language_form = LanguageForm(formdata=None, next=url_for("coordinator.account"), lang=current_user.locale)
    language_form.lang.choices = choices([(code, locale_name(code)) for code in available_locales()])
    return render_template("coordinator/account.html", sessions=active_sessions(current_user),
                           current_sid=session.get("sid"), form=ActionForm(), mail_form=mail_preferences_form(),
                           mail_on=mail_enabled(), account_language_form=language_form,
                           describe_user_agent=describe_user_agent)


@staff_required
def end_one_session(session_id: str) -> Any:
    row = get_own_session_or_404(session_id)
    if ActionForm().validate_on_submit():
        if row.id == session.get("sid"):
            end_session()
            return redirect(url_for("coordinator.login"))
        row.revoked_at = utcnow()
        record_event("coordinator.session_ended", current_org_id(), actor_user_id=current_user.id)
        db.session.commit()
        flash(_l("The session was signed out."), "info")
    return redirect(url_for("coordinator.account"))


@staff_required
def end_other_sessions() -> Any:
    if ActionForm().validate_on_submit():
        count = sign_out_everywhere_else(current_user)
        record_event("coordinator.signed_out_everywhere", current_org_id(), actor_user_id=current_user.id,
                     details={"sessions": count})
        db.session.commit()
        flash(_l("Every other session was signed out."), "info")
    return redirect(url_for("coordinator.account"))


@staff_required
@auth_limit
def totp_setup() -> Any:
    """Show a new secret as a QR code; enable it once the authenticator app's first code checks out."""
    if current_user.totp_secret:
        return render_template("coordinator/totp_enabled.html", form=TotpForm())
    secret = session.get("totp_pending")
    if not isinstance(secret, str):
        secret = session["totp_pending"] = pyotp.random_base32()
    form = TotpForm()
    error = None
    if request.method == "POST":
        if form.validate_on_submit() and verify_totp(current_user, secret, form.code.data or ""):
            current_user.totp_secret = secret
            session.pop("totp_pending", None)
            record_event("coordinator.totp_enabled", current_org_id(), actor_user_id=current_user.id)
            db.session.commit()
            flash(_l("Two-step sign-in is on. From now on you enter a code from your app after your password."),
                  "info")
            return redirect(url_for("coordinator.account"))
        error = _("The code is not correct, or it was used already.")
    uri = pyotp.TOTP(secret).provisioning_uri(name=current_user.email, issuer_name="Lotsenbuch")
    qr = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", omitsize=False)
    return render_template("coordinator/totp_setup.html", form=form, error=error, secret=secret, qr_svg=qr), \
        (400 if error else 200)


@staff_required
@auth_limit
def totp_disable() -> Any:
    form = TotpForm()
    if current_user.totp_secret and form.validate_on_submit() \
            and verify_totp(current_user, current_user.totp_secret, form.code.data or ""):
        current_user.totp_secret = None
        current_user.totp_last_step = None
        record_event("coordinator.totp_disabled", current_org_id(), actor_user_id=current_user.id)
        db.session.commit()
        flash(_l("Two-step sign-in is off."), "info")
        return redirect(url_for("coordinator.account"))
    flash(_l("The code is not correct, or it was used already."), "error")
    return render_template("coordinator/totp_enabled.html", form=form), 400


# ------------------------------------------------------------------ dashboard

@staff_required
def home() -> Any:
    org = current_org()
    since_raw = session.get("since")
    since = dt.datetime.fromisoformat(since_raw) if isinstance(since_raw, str) else None
    attention = workload.attention(db.session, org.id, since)
    months = workload.last_twelve_months(db.session, org.id)
    guides = db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.organization_id == org.id, Membership.role == "guide"))
    year = clock.today().year
    warnings = workload.limit_warnings(db.session, org.id, year)
    return render_template("coordinator/dashboard.html", org=org, attention=attention, months=months,
                           since=since, guide_count=guides, limit_warnings=warnings, year=year,
                           limits_missing=rate_history.missing_limits(year),
                           hour_warnings=hour_limit_warnings(db.session, org.id), near_percent=round(NEAR_SHARE * 100))
