"""Bank details: IBAN and BIC checked with schwifty (the profile page and the payout both call these)."""

from __future__ import annotations

from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from server.audit.log import record_event
from server.extensions import db
from server.guides.models import GuideProfile
from server.money.errors import MoneyError
from server.organizations.models import Organization
from sync.merge import Author


@dataclass(frozen=True)
class BankDetails:
    iban: str  # compact, upper case: DE89370400440532013000
    bic: str  # "" when not given (SEPA within the EEA needs none); derived from a German IBAN when known
    account_holder: str


def validate_iban(value: str) -> str:
    """The IBAN in compact form, or MoneyError("invalid", {"iban": [...]}) ."""
    try:
        return str(IBAN(value or "").compact)
    except (SchwiftyException, ValueError) as exc:
        raise MoneyError("invalid", {"iban": ["invalid_iban"]}) from exc


def validate_bic(value: str, iban: str | None = None) -> str:
    """The BIC (8 or 11 characters), derived from the IBAN when empty and the bank is known."""
    if not (value or "").strip():
        if iban:
            try:
                derived = IBAN(iban).bic
            except (SchwiftyException, ValueError):
                derived = None
            return str(derived.compact) if derived is not None else ""
        return ""
    try:
        bic = BIC(value.strip())
    except (SchwiftyException, ValueError) as exc:
        raise MoneyError("invalid", {"bic": ["invalid_bic"]}) from exc
    if iban and bic.country_code != IBAN(iban).country_code:
        raise MoneyError("invalid", {"bic": ["country_mismatch"]})
    return str(bic.compact)


def validate_bank_details(iban: str, bic: str, account_holder: str) -> BankDetails:
    """Check all three at once, collecting every field's error (for a form)."""
    errors: dict[str, list[str]] = {}
    clean_iban = clean_bic = ""
    try:
        clean_iban = validate_iban(iban)
    except MoneyError as exc:
        errors.update(exc.fields)
    try:
        clean_bic = validate_bic(bic, clean_iban or None)
    except MoneyError as exc:
        errors.update(exc.fields)
    holder = " ".join((account_holder or "").split())
    if not holder or len(holder) > 70:
        errors["account_holder"] = ["required" if not holder else "too_long"]
    if errors:
        raise MoneyError("invalid", errors)
    return BankDetails(iban=clean_iban, bic=clean_bic, account_holder=holder)


def set_organization_account(author: Author, organization_id: int, iban: str, bic: str,
                             account_holder: str) -> Organization:
    """The account payouts are sent from (the SEPA debtor); audited without the full IBAN."""
    details = validate_bank_details(iban, bic, account_holder)
    org = db.session.get(Organization, organization_id)
    if org is None:
        raise MoneyError("not_found")
    org.bank_iban, org.bank_bic, org.bank_account_holder = details.iban, details.bic or None, details.account_holder
    record_event("money.bank_account_set", organization_id, actor_user_id=author.user_id,
                 object_type="organization", object_id=organization_id,
                 details={"iban_last4": details.iban[-4:], "bic": details.bic})
    db.session.flush()
    return org


def set_guide_account(author: Author, organization_id: int, profile: GuideProfile, iban: str, bic: str,
                      account_holder: str) -> GuideProfile:
    """The account a guide's payouts go to (the coordinator types it from the guide's form); audited
    without the full IBAN. Bank details never sync to the phone (see guides/sync_binding.py)."""
    details = validate_bank_details(iban, bic, account_holder)
    profile.iban, profile.bic, profile.account_holder = details.iban, details.bic or None, details.account_holder
    record_event("money.guide_bank_account_set", organization_id, actor_user_id=author.user_id,
                 object_type="user", object_id=profile.user_id,
                 details={"iban_last4": details.iban[-4:], "bic": details.bic})
    db.session.flush()
    return profile


def masked_iban(iban: str) -> str:
    """DE89 **** **** **** **30 00 → shown where the full number is not needed."""
    return f"{iban[:4]} … {iban[-4:]}" if len(iban) > 8 else iban
