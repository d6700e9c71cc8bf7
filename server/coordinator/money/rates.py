"""Routes of the rates page: km rates (Auslagenersatz), flat allowances (Aufwandsentschädigung), tax-free limits.

Coordinators see everything; only admins add a rate or set a year's limit (403 for a coordinator: the
page is theirs to read, the change is not). A rate is never edited in place: a new one starts after the
latest of its series (server/money/rate_history.py). Every change is audited by the money services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.coordinator.common.auth import current_org_id, is_admin, staff_required
from server.coordinator.money.rate_forms import (
    TRAVEL_MODE_LABELS,
    UNIT_LABELS,
    AllowanceRateForm,
    KmRateForm,
    TaxFreeLimitForm,
)
from server.extensions import db
from server.i18n import flash
from server.money import rate_history
from server.money.errors import MoneyError
from server.money.limits import LEGAL_BASIS_LABELS, set_tax_free_limit
from server.money.rates import FALLBACK_CENTS_PER_KM
from server.money.reports import KIND_LABELS
from sync import clock
from sync.merge import Author


def _admin_author() -> Author:
    if not is_admin():
        abort(403)
    return Author(role="admin", user_id=current_user.id)


def _money_error_message(exc: MoneyError) -> str:
    if exc.code == "not_after_latest":
        latest = exc.details.get("latest")
        return _("A rate is never changed afterwards: the new one must start after %(day)s, the start of the "
                 "latest rate of this kind.", day=format_date(latest, "medium") if isinstance(latest, dt.date) else "")
    if exc.code == "legal_basis_conflict":
        return _("An activity kind may be paid under one legal basis only (§ 3 Nr. 26 and Nr. 26a EStG are "
                 "never both granted for the same activity). Choose other activity kinds.")
    return _("The values are not valid. Nothing was changed.")


def _render(km_form: KmRateForm | None = None, allowance_form: AllowanceRateForm | None = None,
            limit_form: TaxFreeLimitForm | None = None, error: str | None = None, status: int = 200) -> Any:
    today = clock.today()
    return render_template(
        "coordinator/rates.html", admin=is_admin(), today=today, error=error,
        km_rates=rate_history.km_rate_history(current_org_id(), today),
        allowance_rates=rate_history.allowance_rate_history(current_org_id(), today),
        limits=rate_history.tax_free_limits(), limits_now=rate_history.limits_in_force(today.year),
        limits_missing=rate_history.missing_limits(today.year),
        km_form=km_form or KmRateForm(formdata=None, mode="car"),
        allowance_form=allowance_form or AllowanceRateForm(formdata=None),
        limit_form=limit_form or TaxFreeLimitForm(
            formdata=None, year=today.year if rate_history.missing_limits(today.year) else today.year + 1),
        fallback_cents=FALLBACK_CENTS_PER_KM, modes=TRAVEL_MODE_LABELS, units=UNIT_LABELS, bases=LEGAL_BASIS_LABELS, kinds=KIND_LABELS,
    ), status


@staff_required
def rates() -> Any:
    return _render()


@staff_required
def add_km_rate() -> Any:
    author = _admin_author()
    form = KmRateForm()
    if not form.validate_on_submit():
        return _render(km_form=form, status=400)
    assert form.valid_from.data is not None
    try:
        rate_history.add_km_rate(author, current_org_id(), form.mode.data or "", form.valid_from.data,
                                 form.euros_per_km.cents)
    except MoneyError as exc:
        db.session.rollback()
        return _render(km_form=form, error=_money_error_message(exc), status=400)
    db.session.commit()
    flash(_l("The km rate was added. The guides' apps receive it on their next sync."), "info")
    return redirect(url_for("coordinator.rates") + "#km-rates")


@staff_required
def add_allowance_rate() -> Any:
    author = _admin_author()
    form = AllowanceRateForm()
    if not form.validate_on_submit():
        return _render(allowance_form=form, status=400)
    assert form.valid_from.data is not None
    try:
        rate_history.add_allowance_rate(author, current_org_id(), form.unit.data or "", form.legal_basis.data or "",
                                        form.valid_from.data, form.euros.cents, form.activity_kinds.data or [])
    except MoneyError as exc:
        db.session.rollback()
        return _render(allowance_form=form, error=_money_error_message(exc), status=400)
    db.session.commit()
    flash(_l("The flat allowance was added."), "info")
    return redirect(url_for("coordinator.rates") + "#allowance-rates")


@staff_required
def set_limit() -> Any:
    author = _admin_author()
    form = TaxFreeLimitForm()
    if not form.validate_on_submit():
        return _render(limit_form=form, status=400)
    assert form.year.data is not None
    try:
        set_tax_free_limit(author, form.year.data, form.legal_basis.data or "", form.euros.cents)
    except MoneyError as exc:
        db.session.rollback()
        return _render(limit_form=form, error=_money_error_message(exc), status=400)
    db.session.commit()
    flash(_l("The tax-free limit for %(year)s was saved.", year=form.year.data), "info")
    return redirect(url_for("coordinator.rates") + "#limits")


