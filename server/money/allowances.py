"""Flat allowances (*Aufwandsentschädigung*) computed from a month's approved activities.

One `AllowanceLine` per guide, month and legal basis. Per activity, the rates in force on its day
count: per hour (its minutes), per meeting (one each); a monthly rate counts once for a guide with at
least one covered activity, at the rate in force on the month's last day. Amounts are rounded once per
rate (half up), never per activity. An activity covered by rates of two legal bases is refused: the
two tax exemptions are never granted for the same activity.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from server.activities.models import Activity
from server.audit.log import record_event
from server.expenses.rules import month_bounds
from server.extensions import db
from server.money.errors import MoneyError
from server.money.limits import LimitStatus, guide_limit_status
from server.money.models import AllowanceLine, AllowanceRate
from sync.clock import utcnow
from sync.merge import Author


@dataclass
class _Tally:
    minutes: int = 0
    meetings: int = 0
    # (unit, cents, valid_from) -> quantity (minutes for "hour", a count otherwise)
    by_rate: dict[tuple[str, int, str], int] = field(default_factory=lambda: defaultdict(int))

    def amount_and_breakdown(self) -> tuple[int, list[dict[str, Any]]]:
        total, rows = 0, []
        for (unit, cents, valid_from), quantity in sorted(self.by_rate.items()):
            amount = (cents * quantity + 30) // 60 if unit == "hour" else cents * quantity
            total += amount
            rows.append({"unit": unit, "cents": cents, "valid_from": valid_from, "quantity": quantity,
                         "amount_cents": amount})
        return total, rows


def _in_force(rates: list[AllowanceRate], on: dt.date) -> list[AllowanceRate]:
    """`rates` sorted by valid_from descending → the latest of each series on `on`, zero rates dropped."""
    seen: dict[tuple[str, str], AllowanceRate] = {}
    for rate in rates:
        if rate.valid_from <= on:
            seen.setdefault((rate.unit, rate.legal_basis), rate)
    return [r for r in seen.values() if r.cents > 0]


def compute_month(organization_id: int, month: str, guide_id: int | None = None) -> dict[tuple[int, str], _Tally]:
    """What the month's approved activities earn, per (guide, legal basis); nothing is written."""
    first, following = month_bounds(month)
    last = following - dt.timedelta(days=1)
    rates = list(db.session.scalars(select(AllowanceRate).where(
        AllowanceRate.organization_id == organization_id, AllowanceRate.valid_from <= last)
        .order_by(AllowanceRate.valid_from.desc())))
    query = select(Activity).where(
        Activity.organization_id == organization_id, Activity.state == "approved", Activity.deleted_at.is_(None),
        Activity.date >= first, Activity.date < following).order_by(Activity.guide_id, Activity.date)
    if guide_id is not None:
        query = query.where(Activity.guide_id == guide_id)
    tallies: dict[tuple[int, str], _Tally] = defaultdict(_Tally)
    monthly = {r.legal_basis: r for r in _in_force(rates, last) if r.unit == "month"}
    month_counted: set[tuple[int, str]] = set()
    in_force_cache: dict[dt.date, list[AllowanceRate]] = {}
    for activity in db.session.scalars(query):
        day_rates = in_force_cache.get(activity.date)
        if day_rates is None:
            day_rates = in_force_cache[activity.date] = _in_force(rates, activity.date)
        covering = [r for r in day_rates if r.unit != "month" and r.covers(activity.kind)]
        covering += [r for r in monthly.values() if r.covers(activity.kind)]
        bases = {r.legal_basis for r in covering}
        if len(bases) > 1:
            raise MoneyError("legal_basis_conflict", activity_id=activity.id, legal_bases=sorted(bases))
        if not bases:
            continue
        basis = bases.pop()
        tally = tallies[(activity.guide_id, basis)]
        tally.minutes += activity.minutes
        tally.meetings += 1
        for rate in covering:
            key = (rate.unit, rate.cents, rate.valid_from.isoformat())
            if rate.unit == "hour":
                tally.by_rate[key] += activity.minutes
            elif rate.unit == "meeting":
                tally.by_rate[key] += 1
            elif (activity.guide_id, basis) not in month_counted:
                month_counted.add((activity.guide_id, basis))
                tally.by_rate[key] += 1
    return tallies


def compute_allowance_lines(author: Author, organization_id: int, month: str,
                            guide_id: int | None = None) -> list[AllowanceLine]:
    """Write the month's allowance lines; approved and paid lines stay as they are (locked)."""
    tallies = compute_month(organization_id, month, guide_id)
    query = select(AllowanceLine).where(AllowanceLine.organization_id == organization_id,
                                        AllowanceLine.month == month).with_for_update()
    if guide_id is not None:
        query = query.where(AllowanceLine.guide_id == guide_id)
    existing = {(line.guide_id, line.legal_basis): line for line in db.session.scalars(query)}
    now = utcnow()
    lines: list[AllowanceLine] = []
    for key, line in existing.items():
        if key not in tallies and line.state == "computed":
            db.session.delete(line)
    for (guide, basis), tally in sorted(tallies.items()):
        line = existing.get((guide, basis))
        if line is not None and line.state != "computed":
            lines.append(line)
            continue
        if line is None:
            line = AllowanceLine(organization_id=organization_id, guide_id=guide, month=month, legal_basis=basis)
            db.session.add(line)
        line.amount_cents, line.breakdown = tally.amount_and_breakdown()
        line.minutes, line.meetings, line.computed_at, line.state = tally.minutes, tally.meetings, now, "computed"
        lines.append(line)
    record_event("money.allowances_computed", organization_id, actor_user_id=author.user_id,
                 object_type="allowance_month", object_id=month,
                 details={"guide_id": guide_id, "lines": len(lines),
                          "total_cents": sum(line.amount_cents for line in lines)})
    db.session.flush()
    return lines


def get_allowance_line(organization_id: int, line_id: int, *, lock: bool = False) -> AllowanceLine:
    line = db.session.get(AllowanceLine, line_id, with_for_update=lock)
    if line is None or line.organization_id != organization_id:
        raise MoneyError("not_found")
    return line


def allowance_warning(line: AllowanceLine) -> LimitStatus:
    """The guide's tax-free standing if this line were paid this year (for the claim page's warning)."""
    extra = line.amount_cents if line.state == "computed" else 0
    return guide_limit_status(line.guide_id, int(line.month[:4]), line.legal_basis, extra_cents=extra)


def approve_allowance_line(author: Author, organization_id: int, line_id: int) -> LimitStatus:
    """Lock a computed line's amount for payout; returns the limit warning including it."""
    line = get_allowance_line(organization_id, line_id, lock=True)
    if line.state != "computed":
        raise MoneyError("invalid_transition", state=line.state)
    if line.amount_cents == 0:
        raise MoneyError("nothing_to_pay")
    status = allowance_warning(line)
    line.state, line.approved_at, line.approved_by_id = "approved", utcnow(), author.user_id
    record_event("money.allowance_approved", organization_id, actor_user_id=author.user_id,
                 object_type="allowance_line", object_id=line.id,
                 details={"guide_id": line.guide_id, "month": line.month, "legal_basis": line.legal_basis,
                          "amount_cents": line.amount_cents, "limit_state": status.state})
    db.session.flush()
    return status


def reopen_allowance_line(author: Author, organization_id: int, line_id: int) -> AllowanceLine:
    """Undo an approval before payout (to recompute after a late activity approval)."""
    line = get_allowance_line(organization_id, line_id, lock=True)
    if line.state != "approved" or line.payout_id is not None:
        raise MoneyError("invalid_transition", state=line.state)
    line.state, line.approved_at, line.approved_by_id = "computed", None, None
    record_event("money.allowance_reopened", organization_id, actor_user_id=author.user_id,
                 object_type="allowance_line", object_id=line.id, details={"amount_cents": line.amount_cents})
    db.session.flush()
    return line
