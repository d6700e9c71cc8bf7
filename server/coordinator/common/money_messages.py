"""The money domain's error codes (`MoneyError`) as the sentences a coordinator reads on the page."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from server.accounts.models import User
from server.extensions import db
from server.money.errors import MoneyError

MESSAGES = {
    "not_found": _l("This item was not found (it may have been removed meanwhile)."),
    "in_payout": _l("This claim is part of a payout: its decisions can no longer change."),
    "already_decided": _l("This item is already decided; its amount is locked."),
    "invalid_transition": _l("This step is not possible in the current state; the page shows the current state."),
    "empty": _l("Choose at least one claim or allowance line."),
    "claim_in_payout": _l("A chosen claim is already part of another payout."),
    "line_in_payout": _l("A chosen allowance line is already part of another payout."),
    "claim_undecided": _l("A chosen claim still has undecided items."),
    "nothing_to_pay": _l("There is nothing approved to pay."),
    "payout_frozen": _l("This payout has been exported and can no longer change; it can only be marked paid or "
                        "cancelled."),
    "not_exported": _l("The files exist once the payout is exported."),
    "bank_confirmation_required": _l("This payout was exported: its file may already be at the bank. Cancel it "
                                     "only after confirming that the bank did not execute it (the checkbox), "
                                     "with the reason."),
    "legal_basis_conflict": _l("An activity is covered by allowance rates of both legal bases; a guide may not receive "
                               "both tax exemptions for the same activity. Correct the rates first."),
    "totals_differ": _l("The payout's totals do not agree; please contact the administrator."),
}
# What is wrong with a typed bank detail (server/money/bank.py's codes), shown at the form field.
BANK_FIELD_ERRORS = {
    "invalid_iban": _l("This is not a valid IBAN."),
    "invalid_bic": _l("This is not a valid BIC."),
    "country_mismatch": _l("The BIC belongs to another country than the IBAN."),
    "required": _l("This field is required."),
    "too_long": _l("This is too long."),
}


def show_bank_errors(form: Any, error: MoneyError) -> None:
    """Put a bank-details MoneyError's field codes on the form's fields, as sentences."""
    for name, codes in error.fields.items():
        getattr(form, name).errors = [str(BANK_FIELD_ERRORS.get(code, code)) for code in codes]


FIELD_NAMES = {
    "iban": _l("IBAN"),
    "bic": _l("BIC"),
    "account_holder": _l("account holder"),
    "reason": _l("reason"),
    "rejection_reason": _l("reason"),
    "decision": _l("decision"),
}


def money_message(error: MoneyError) -> str | Markup:
    """One sentence for the page; the missing bank details name every guide concerned."""
    if error.code == "missing_bank_details":
        return _missing_bank_details(list(error.details.get("guide_ids") or []))  # type: ignore[call-overload]
    if error.code == "no_bank_account":
        missing = ", ".join(str(FIELD_NAMES.get(name, name)) for name in sorted(error.fields)) or _("IBAN")
        return str(_("The organization's bank account is missing or invalid (%(fields)s). An administrator must "
                     "enter it before a payout can be exported.", fields=missing))
    if error.code == "invalid":
        if "reason" in error.fields or "rejection_reason" in error.fields:
            return str(_("Please give a reason."))
        fields = ", ".join(str(FIELD_NAMES.get(name, name)) for name in sorted(error.fields))
        return str(_("Please check: %(fields)s.", fields=fields))
    return str(MESSAGES.get(error.code, _l("The action could not be completed.")))


def _missing_bank_details(guide_ids: list[int]) -> Markup:
    names = db.session.execute(select(User.id, User.name).where(User.id.in_(guide_ids)).order_by(User.name)).all()
    links = Markup(", ").join(
        Markup('<a href="{}">{}</a>').format(url_for("coordinator.guide", guide_id=guide_id) + "#bank-account", name)
        for guide_id, name in names)
    return Markup("{} {}").format(
        escape(_("These guides have no valid bank details (IBAN, account holder) in their profile:")), links)
