"""The admin's organization set-up: organizations, their retention periods and bank account, staff accounts.

Only admins (an installation-wide role) use these pages. A coordinator is answered 403: unlike an
object of another organization, the existence of the set-up pages is no secret. Every change is
audited in the organization it concerns. The services are the ones the CLI uses
(server/accounts/operations.py) plus server/organizations/operations.py and server/money/bank.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from server.accounts import operations as accounts
from server.accounts.invitations import invite_staff, send_reset_link
from server.accounts.models import Membership, User
from server.audit.log import record_event
from server.coordinator.admin.forms import (
    BankAccountForm,
    LogoForm,
    NewCoordinatorForm,
    NewOrganizationForm,
    OrganizationSettingsForm,
    ReportingForm,
)
from server.coordinator.common.auth import is_admin, staff_required
from server.coordinator.common.forms import ActionForm
from server.coordinator.common.money_messages import show_bank_errors
from server.extensions import db
from server.i18n import flash
from server.money.bank import masked_iban, set_organization_account
from server.money.errors import MoneyError
from server.money.limits import LEGAL_BASIS_LABELS
from server.money.reports import CATEGORY_LABELS
from server.organizations import operations
from server.organizations.models import Organization
from server.organizations.reporting import BOOKING_KEYS
from server.outbox.mail import mail_enabled
from server.outbox.queue import failed_messages, outbox_stats
from sync.merge import Author


def admins_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @staff_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not is_admin():
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def get_organization_or_404(org_id: int) -> Organization:
    """Any organization of the installation (only admins come here)."""
    org = db.session.get(Organization, org_id)
    if org is None:
        abort(404)
    return org


def get_staff_member_or_404(org: Organization, user_id: int) -> User:
    """A coordinator or admin of `org`."""
    user: User | None = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        User.id == user_id, Membership.organization_id == org.id, Membership.role.in_(operations.STAFF_ROLES)))
    if user is None:
        abort(404)
    return user


def _audit(org: Organization, action: str, object_type: str, object_id: Any, **details: Any) -> None:
    record_event(action, org.id, actor_user_id=current_user.id, object_type=object_type, object_id=object_id,
                 details=details)


# ------------------------------------------------------------------ organizations

@admins_only
def admin_organizations() -> Any:
    form = NewOrganizationForm() if request.method == "POST" else NewOrganizationForm(formdata=None)
    if request.method == "POST" and form.validate_on_submit():
        try:
            org = accounts.create_organization(form.slug.data or "", form.name.data or "")
        except accounts.AccountError as exc:
            db.session.rollback()
            form.slug.errors = [str(exc)]
        else:
            _audit(org, "organization.created", "organization", org.id, slug=org.slug, name=org.name)
            db.session.commit()
            flash(_l("The organization “%(name)s” was created. Now add its first coordinator.", name=org.name),
                  "info")
            return redirect(url_for("coordinator.admin_organization", org_id=org.id))
    return render_template("coordinator/admin_organizations.html", rows=operations.organization_rows(db.session),
                           form=form), (400 if form.errors else 200)


def _render_organization(org: Organization, status: int = 200, **forms: Any) -> Any:
    settings = forms.get("settings") or OrganizationSettingsForm(formdata=None, obj=org)
    bank = forms.get("bank") or BankAccountForm(formdata=None, account_holder=org.bank_account_holder or "",
                                                 bic=org.bank_bic or "")
    staff = forms.get("staff") or NewCoordinatorForm(formdata=None)
    reporting = forms.get("reporting") or ReportingForm(
        formdata=None, funding_reference=org.funding_reference or "",
        **{f"booking_{key}": org.booking_account(key) for key in BOOKING_KEYS})
    return render_template(
        "coordinator/admin_organization.html", org=org, settings_form=settings, bank_form=bank, staff_form=staff,
        reporting_form=reporting, logo_form=forms.get("logo") or LogoForm(formdata=None),
        booking_labels={**CATEGORY_LABELS, **LEGAL_BASIS_LABELS},
        logo_max=format_decimal(current_app.config["LOGO_MAX_BYTES"] / 1024 / 1024, "#,##0.#") + " MB",
        staff=operations.staff_members(db.session, org.id), action_form=ActionForm(), mail_on=mail_enabled(),
        outbox=outbox_stats(db.session, org.id), failed_mails=failed_messages(db.session, org.id),
        iban=masked_iban(org.bank_iban) if org.bank_iban else "",
    ), status


@admins_only
def admin_organization(org_id: int) -> Any:
    return _render_organization(get_organization_or_404(org_id))


@admins_only
def admin_organization_settings(org_id: int) -> Any:
    org = get_organization_or_404(org_id)
    form = OrganizationSettingsForm()
    if not form.validate_on_submit():
        return _render_organization(org, 400, settings=form)
    assert form.retention_months.data is not None and form.booking_retention_years.data is not None
    try:
        changed = operations.update_settings(org, form.name.data or "", form.retention_months.data,
                                             form.booking_retention_years.data)
    except accounts.AccountError as exc:
        db.session.rollback()
        form.name.errors = [str(exc)]
        return _render_organization(org, 400, settings=form)
    if changed:
        _audit(org, "organization.settings_changed", "organization", org.id, changes=changed)
        db.session.commit()
        flash(_l("The settings were saved."), "info")
    else:
        flash(_l("Nothing was changed."), "info")
    return redirect(url_for("coordinator.admin_organization", org_id=org.id))


@admins_only
def admin_bank_account(org_id: int) -> Any:
    """The account payouts are sent from; IBAN and BIC checked by schwifty (server/money/bank.py)."""
    org = get_organization_or_404(org_id)
    form = BankAccountForm()
    if not form.validate_on_submit():
        return _render_organization(org, 400, bank=form)
    try:
        set_organization_account(Author(role="admin", user_id=current_user.id), org.id, form.iban.data or "",
                                 form.bic.data or "", form.account_holder.data or "")
    except MoneyError as exc:
        db.session.rollback()
        show_bank_errors(form, exc)
        return _render_organization(org, 400, bank=form)
    db.session.commit()
    flash(_l("The bank account for payouts was saved."), "info")
    return redirect(url_for("coordinator.admin_organization", org_id=org.id))


# ------------------------------------------------------------------ staff accounts

@admins_only
def admin_new_coordinator(org_id: int) -> Any:
    """Invite a coordinator or admin: she chooses her password through a one-time link (72 hours),
    mailed to her, or shown here to hand over when email is off. No admin types anyone's password."""
    org = get_organization_or_404(org_id)
    form = NewCoordinatorForm()
    if not form.validate_on_submit():
        return _render_organization(org, 400, staff=form)
    try:
        issued = invite_staff(db.session, org, form.name.data or "", form.email.data or "", form.role.data or "",
                              invited_by=current_user)
    except accounts.AccountError as exc:
        db.session.rollback()
        form.email.errors = [str(exc)]
        return _render_organization(org, 400, staff=form)
    user = issued.user
    _audit(org, "staff.invited", "user", user.id, role=form.role.data, mailed=issued.mailed)
    db.session.commit()
    if issued.mailed:
        flash(_l("%(name)s got an invitation by mail to %(email)s. The link works once and for 72 hours.",
                name=user.name, email=user.email), "info")
        return redirect(url_for("coordinator.admin_organization", org_id=org.id))
    return _link_page(org, user, issued.link, invitation=True)


@admins_only
def admin_send_reset_link(org_id: int, user_id: int) -> Any:
    """Send a staff member a link to set a new password herself (one hour, once)."""
    org = get_organization_or_404(org_id)
    user = get_staff_member_or_404(org, user_id)
    if not ActionForm().validate_on_submit():
        return _render_organization(org, 400)
    if not user.active:
        flash(_l("%(name)s is deactivated and cannot set a password.", name=user.name), "error")
        return _render_organization(org, 409)
    issued = send_reset_link(db.session, user, org.id, by_admin=current_user)
    _audit(org, "staff.reset_link_sent", "user", user.id, mailed=issued.mailed)
    db.session.commit()
    if issued.mailed:
        flash(_l("%(name)s got a link by mail to set a new password (valid for one hour).", name=user.name), "info")
        return redirect(url_for("coordinator.admin_organization", org_id=org.id))
    return _link_page(org, user, issued.link, invitation=False)


def _link_page(org: Organization, user: User, link: str, invitation: bool) -> Any:
    """Email is off: the one-time link, shown once, to hand over in a safe way."""
    return render_template("coordinator/staff_link.html", org=org, staff_user=user, link=link,
                           invitation=invitation), 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@admins_only
def admin_deactivate_staff(org_id: int, user_id: int) -> Any:
    org = get_organization_or_404(org_id)
    user = get_staff_member_or_404(org, user_id)
    if not ActionForm().validate_on_submit():
        return _render_organization(org, 400)
    if user.id == current_user.id:
        flash(_l("You cannot deactivate your own account."), "error")
        return _render_organization(org, 409)
    if user.active:
        ended = accounts.deactivate_user(user)
        _audit(org, "staff.deactivated", "user", user.id, sessions_ended=ended)
        db.session.commit()
        flash(_l("%(name)s can no longer sign in; their open sessions were ended.", name=user.name), "info")
    return redirect(url_for("coordinator.admin_organization", org_id=org.id))
