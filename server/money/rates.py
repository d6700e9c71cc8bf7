"""Rates per organization, each valid from a date until the next one: km rates and flat allowances.

A km rate (`MileageRate`) prices receipt-free travel, i.e. *Auslagenersatz*; an allowance rate prices
time, meetings or months, i.e. *Aufwandsentschädigung*. They live in different tables and never mix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.audit.log import record_event
from server.extensions import db
from server.money.errors import MoneyError
from server.money.models import ALLOWANCE_UNITS, LEGAL_BASES, AllowanceRate
from server.organizations.models import MileageRate, Organization
from sync.merge import Author
from sync.vocabulary import ACTIVITY_KINDS

TRAVEL_MODES = ("car", "motorbike", "bicycle")
# Used only when an organization has set no rate at all (the BRKG rate for cars).
FALLBACK_CENTS_PER_KM = 30

__all__ = ["FALLBACK_CENTS_PER_KM", "TRAVEL_MODES", "allowance_rates_on", "cents_per_km", "km_rate", "set_allowance_rate", "set_km_rate"]


def _touch(organization_id: int) -> None:
    """Rates travel to the phones with the organization reference record: bump its version."""
    org = db.session.get(Organization, organization_id)
    if org is not None:
        org.version += 1


def cents_per_km(session: Session, organization_id: int, on: dt.date, mode: str = "car") -> int:
    """The km rate valid on a day, in any session (the sync binding prices a mileage expense with it)."""
    rate = session.scalar(
        select(MileageRate.cents_per_km).where(
            MileageRate.organization_id == organization_id, MileageRate.mode == mode, MileageRate.valid_from <= on)
        .order_by(MileageRate.valid_from.desc()).limit(1)
    )
    return FALLBACK_CENTS_PER_KM if rate is None else int(rate)


def km_rate(organization_id: int, on: dt.date, mode: str = "car") -> int:
    """Cents per km for `mode` on a day (the rate valid then, or the fallback when none is set)."""
    return cents_per_km(db.session, organization_id, on, mode)


def set_km_rate(author: Author, organization_id: int, mode: str, valid_from: dt.date, cents: int) -> MileageRate:
    """Add (or correct) the km rate of a travel mode from a day on; audited."""
    if mode not in TRAVEL_MODES:
        raise MoneyError("invalid", {"mode": ["unknown"]})
    if not isinstance(cents, int) or isinstance(cents, bool) or not 0 <= cents <= 1000:
        raise MoneyError("invalid", {"cents_per_km": ["range"]})
    rate = db.session.scalar(select(MileageRate).where(
        MileageRate.organization_id == organization_id, MileageRate.mode == mode,
        MileageRate.valid_from == valid_from))
    before = None if rate is None else rate.cents_per_km
    if rate is None:
        rate = MileageRate(organization_id=organization_id, mode=mode, valid_from=valid_from, cents_per_km=cents)
        db.session.add(rate)
    rate.cents_per_km = cents
    _touch(organization_id)
    record_event("money.km_rate_set", organization_id, actor_user_id=author.user_id, object_type="mileage_rate",
                 object_id=f"{mode}:{valid_from.isoformat()}",
                 details={"mode": mode, "valid_from": valid_from.isoformat(), "cents_per_km": cents,
                          "before": before})
    db.session.flush()
    return rate


def set_allowance_rate(author: Author, organization_id: int, unit: str, legal_basis: str, valid_from: dt.date,
                       cents: int, activity_kinds: Iterable[str] = ()) -> AllowanceRate:
    """Add (or correct) a flat allowance from a day on; refuses one that would pay an activity twice.

    An activity kind may be covered on one day by rates of one legal basis only (§ 3 Nr. 26 and Nr. 26a
    EStG are never both granted for the same activity).
    """
    kinds = sorted(set(activity_kinds))
    errors: dict[str, list[str]] = {}
    if unit not in ALLOWANCE_UNITS:
        errors["unit"] = ["unknown"]
    if legal_basis not in LEGAL_BASES:
        errors["legal_basis"] = ["unknown"]
    if not isinstance(cents, int) or isinstance(cents, bool) or not 0 <= cents <= 100_000:
        errors["cents"] = ["range"]
    if any(k not in ACTIVITY_KINDS for k in kinds):
        errors["activity_kinds"] = ["unknown"]
    if errors:
        raise MoneyError("invalid", errors)
    if cents > 0:
        for other in allowance_rates_on(organization_id, valid_from):
            if other.legal_basis != legal_basis and _overlap(kinds, other.activity_kinds):
                raise MoneyError("legal_basis_conflict", {"activity_kinds": ["both_bases"]},
                                 other_legal_basis=other.legal_basis)
    rate = db.session.scalar(select(AllowanceRate).where(
        AllowanceRate.organization_id == organization_id, AllowanceRate.unit == unit,
        AllowanceRate.legal_basis == legal_basis, AllowanceRate.valid_from == valid_from))
    if rate is None:
        rate = AllowanceRate(organization_id=organization_id, unit=unit, legal_basis=legal_basis,
                             valid_from=valid_from, created_by_id=author.user_id)
        db.session.add(rate)
    rate.cents, rate.activity_kinds = cents, kinds
    record_event("money.allowance_rate_set", organization_id, actor_user_id=author.user_id,
                 object_type="allowance_rate", object_id=f"{unit}:{legal_basis}:{valid_from.isoformat()}",
                 details={"unit": unit, "legal_basis": legal_basis, "valid_from": valid_from.isoformat(),
                          "cents": cents, "activity_kinds": kinds})
    db.session.flush()
    return rate


def _overlap(kinds: Sequence[str], other: Sequence[str]) -> bool:
    return not kinds or not other or bool(set(kinds) & set(other))


def allowance_rates_on(organization_id: int, on: dt.date) -> list[AllowanceRate]:
    """The rates in force on a day: the latest of each (unit, legal basis) series, zero rates left out."""
    rows = db.session.scalars(select(AllowanceRate).where(
        AllowanceRate.organization_id == organization_id, AllowanceRate.valid_from <= on)
        .order_by(AllowanceRate.valid_from.desc()))
    seen: dict[tuple[str, str], AllowanceRate] = {}
    for rate in rows:
        seen.setdefault((rate.unit, rate.legal_basis), rate)
    return [r for r in seen.values() if r.cents > 0]
