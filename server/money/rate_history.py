"""The rates page's view of rates: each series as a history, and adding a rate without rewriting one.

A rate is never changed in place from the pages: a new rate gets a valid-from after the latest of its
series (km rate: per travel mode; flat allowance: per unit and legal basis), so what was paid under an
older rate stays explainable. `rates.py` keeps the lower-level "add or correct" for the command line
and the demo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select

from server.extensions import db
from server.money.errors import MoneyError
from server.money.models import LEGAL_BASES, AllowanceRate, TaxFreeLimit
from server.money.rates import TRAVEL_MODES, set_allowance_rate, set_km_rate
from server.organizations.models import MileageRate
from sync.merge import Author

Rate = MileageRate | AllowanceRate


@dataclass(frozen=True)
class RateRow:
    """One row of a history: the rate, and whether it is the one in force today or one still to come."""

    rate: Rate
    current: bool
    future: bool


def _history(rows: Iterable[Rate], series: Callable[[Rate], object], today: dt.date) -> list[RateRow]:
    """Newest first; per series the latest rate with valid_from <= today is current."""
    result: list[RateRow] = []
    current_seen: set[object] = set()
    for rate in rows:
        key = series(rate)
        future = rate.valid_from > today
        current = not future and key not in current_seen
        if current:
            current_seen.add(key)
        result.append(RateRow(rate, current, future))
    return result


def km_rate_history(organization_id: int, today: dt.date) -> list[RateRow]:
    rows = db.session.scalars(select(MileageRate).where(MileageRate.organization_id == organization_id)
                              .order_by(MileageRate.mode, MileageRate.valid_from.desc()))
    return _history(rows, lambda r: r.mode if isinstance(r, MileageRate) else None, today)


def allowance_rate_history(organization_id: int, today: dt.date) -> list[RateRow]:
    rows = db.session.scalars(select(AllowanceRate).where(AllowanceRate.organization_id == organization_id)
                              .order_by(AllowanceRate.legal_basis, AllowanceRate.unit,
                                        AllowanceRate.valid_from.desc()))
    return _history(rows, lambda r: (r.unit, r.legal_basis) if isinstance(r, AllowanceRate) else None, today)


def tax_free_limits() -> dict[int, dict[str, int]]:
    """{year: {legal basis: cents}}, newest year first."""
    table: dict[int, dict[str, int]] = {}
    for row in db.session.scalars(select(TaxFreeLimit).order_by(TaxFreeLimit.year.desc())):
        table.setdefault(row.year, {})[row.legal_basis] = row.amount_cents
    return table


def limits_in_force(year: int) -> dict[str, int | None]:
    """Each legal basis's amount for a year (None: not set)."""
    known = tax_free_limits().get(year, {})
    return {basis: known.get(basis) for basis in LEGAL_BASES}


def missing_limits(year: int) -> list[str]:
    """The legal bases without a tax-free limit for `year`: on 1 January until an admin enters the new
    year's amounts (the rates page and the dashboard warn; the limits are never guessed)."""
    return [basis for basis, cents in limits_in_force(year).items() if cents is None]


def _latest(column_filter: tuple[object, ...], model: type[MileageRate] | type[AllowanceRate]) -> dt.date | None:
    return db.session.scalar(select(model.valid_from).where(*column_filter)  # type: ignore[arg-type]
                             .order_by(model.valid_from.desc()).limit(1))


def add_km_rate(author: Author, organization_id: int, mode: str, valid_from: dt.date, cents: int) -> MileageRate:
    """A new km rate of a travel mode, valid after the latest one of that mode."""
    if mode in TRAVEL_MODES:
        latest = _latest((MileageRate.organization_id == organization_id, MileageRate.mode == mode), MileageRate)
        if latest is not None and valid_from <= latest:
            raise MoneyError("not_after_latest", {"valid_from": ["after_latest"]}, latest=latest)
    return set_km_rate(author, organization_id, mode, valid_from, cents)


def add_allowance_rate(author: Author, organization_id: int, unit: str, legal_basis: str, valid_from: dt.date,
                       cents: int, activity_kinds: Iterable[str] = ()) -> AllowanceRate:
    """A new flat allowance of a (unit, legal basis) series, valid after the latest one of that series."""
    latest = _latest((AllowanceRate.organization_id == organization_id, AllowanceRate.unit == unit,
                      AllowanceRate.legal_basis == legal_basis), AllowanceRate)
    if latest is not None and valid_from <= latest:
        raise MoneyError("not_after_latest", {"valid_from": ["after_latest"]}, latest=latest)
    return set_allowance_rate(author, organization_id, unit, legal_basis, valid_from, cents, activity_kinds)
