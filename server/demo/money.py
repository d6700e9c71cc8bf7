"""The demo's money: expenses in every state, claims per month, and one paid payout with its transfers."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import func, select

from server.accounts.models import User
from server.demo import data
from server.demo.context import DemoClock, DemoOrg, demo_uuid
from server.expenses.models import Claim, Expense
from server.extensions import db
from server.guides.models import GuideProfile
from server.money.models import Payout
from sync.merge import Author

# Month offset → the state its expenses are in: paid, decided (approved or rejected), submitted, open.
_MONTH_STATES = {-3: "paid", -2: "approved", -1: "submitted", 0: "open"}


def seed_expenses(ctx: DemoOrg, rng: random.Random, clock: DemoClock, lagging_guide: str) -> None:
    by_month: dict[tuple[int, int], list[Expense]] = defaultdict(list)

    def add(guide_id: int, day: dt.date, category: str, cents: int, description: str, **fields: object) -> None:
        logged = clock.at(day, 18)
        expense = Expense(id=demo_uuid(rng), organization_id=ctx.org.id, guide_id=guide_id, date=day, category=category,
                          amount_cents=cents, description=description, created_at=logged, updated_at=logged,
                          **fields)
        by_month[(guide_id, max(clock.month_offset(day), -3))].append(expense)

    for activity in ctx.activities:
        if activity.travel_km:
            add(activity.guide_id, activity.date, "mileage", activity.travel_km * data.CAR_CENTS_PER_KM,
                "Pkw-Fahrt zum Termin (Hin- und Rückweg)", km=activity.travel_km, activity_id=activity.id)
        elif activity.kind == "accompaniment" and rng.random() < 0.5:
            add(activity.guide_id, activity.date, "public_transport", 720, "GVH-EinzelTicket, Hin- und Rückfahrt",
                activity_id=activity.id)
    for index, user in enumerate(ctx.guides.values()):
        for offset in range(-3, 1):
            first = max(clock.month_start(offset), clock.first_day)
            # The first guide of each organization claims her phone flat every month, so that every
            # organization has a paid, a decided and a submitted month on any day the demo is seeded.
            if rng.random() < 0.6 or index == 0:
                add(user.id, first, "phone", 500, "Telefonpauschale")
            if rng.random() < 0.25 and first + dt.timedelta(days=10) <= clock.today:
                category, cents, description = rng.choice(data.SMALL_EXPENSES)
                add(user.id, first + dt.timedelta(days=10), category, cents, description)

    lagging = ctx.guides.get(lagging_guide)
    paid_month = clock.month_start(-3).strftime("%Y-%m")
    payout = None
    if any(offset == -3 for _guide, offset in by_month):
        export_day = clock.month_start(-1) + dt.timedelta(days=8)
        payout = Payout(organization_id=ctx.org.id, state="paid", reference=f"LB-{paid_month}",
                        message_id=f"LB-{ctx.org.id}-{paid_month}", execution_date=export_day + dt.timedelta(days=1),
                        paid_on=export_day + dt.timedelta(days=2),
                        created_by_id=ctx.approver.id, created_at=clock.at(export_day, 8),
                        exported_at=clock.at(export_day, 9), paid_at=clock.at(export_day + dt.timedelta(days=2), 10))
        ctx.payouts.append(payout)
        db.session.add(payout)
        db.session.flush()
    rejections = list(data.REJECTION_REASONS)
    for (guide_id, offset), expenses in sorted(by_month.items(), key=lambda item: (item[0][1], item[0][0])):
        state = _MONTH_STATES[offset]
        if offset == -1 and lagging is not None and guide_id == lagging.id:
            state = "open"  # this guide has not submitted last month yet
        claim = None
        if state != "open":
            submitted = clock.at(clock.month_start(offset + 1) + dt.timedelta(days=rng.randint(0, 4)), 18)
            decided = clock.at(submitted.date() + dt.timedelta(days=5), 10) if state != "submitted" else None
            claim = Claim(id=demo_uuid(rng), organization_id=ctx.org.id, guide_id=guide_id,
                          month=clock.month_start(offset).strftime("%Y-%m"),
                          state={"paid": "paid", "approved": "decided"}.get(state, "submitted"),
                          submitted_at=submitted, decided_at=decided,
                          payout_id=payout.id if payout is not None and state == "paid" else None,
                          created_at=submitted, updated_at=decided or submitted)
            ctx.claims.append(claim)
        for expense in expenses:
            expense.state = state
            if claim is not None:
                expense.claim_id = claim.id
                expense.updated_at = claim.updated_at
            if claim is not None and claim.decided_at is not None:
                expense.decided_at = claim.decided_at
                expense.decided_by_id = ctx.approver.id
        if state == "approved" and len(expenses) > 1:
            # At most one rejection per claim, with a reason that fits the expense.
            fitting = [(e, r) for r in rejections for e in expenses if e.category == r[0]]
            if fitting:
                rejected, reason = fitting[0]
                rejected.state = "rejected"
                rejected.rejection_reason = reason[1]
                rejections.remove(reason)
        ctx.expenses.extend(expenses)
    db.session.add_all(ctx.claims)
    db.session.flush()
    db.session.add_all(ctx.expenses)
    if payout is not None:
        _payout_items(ctx, payout)
    db.session.flush()


def _payout_items(ctx: DemoOrg, payout: Payout) -> None:
    """The paid payout's transfers, one per guide, as the money domain makes them."""
    from server.money.models import PayoutItem

    per_guide: dict[int, list[Expense]] = defaultdict(list)
    for expense in ctx.expenses:
        if expense.state == "paid":
            per_guide[expense.guide_id].append(expense)
    profiles = {p.user_id: p for p in db.session.scalars(select(GuideProfile).where(
        GuideProfile.user_id.in_(list(per_guide))))}
    for guide_id, expenses in sorted(per_guide.items()):
        profile = profiles[guide_id]
        cents = sum(e.amount_cents for e in expenses)
        db.session.add(PayoutItem(
            organization_id=ctx.org.id, payout_id=payout.id, guide_id=guide_id,
            name=profile.account_holder or "", iban=profile.iban or "", bic="", expense_cents=cents,
            allowance_cents=0, amount_cents=cents, end_to_end_id=f"{payout.reference}-{guide_id}",
            remittance=f"{payout.reference} " + _("Expenses %(months)s", months=payout.reference[3:]),
            claim_ids=sorted({e.claim_id for e in expenses if e.claim_id}), allowance_line_ids=[]))
    payout.total_cents = sum(e.amount_cents for group in per_guide.values() for e in group)


def demo_iban(account: int) -> str:
    from schwifty import IBAN

    return str(IBAN.generate("DE", bank_code="37040044", account_code=str(account)).compact)


def seed_allowances(ctx: DemoOrg, clock: DemoClock) -> None:
    """A flat allowance per hour, computed from the approved activities of the last three months; the two
    older months approved (ready for the next payout), last month's waiting for the coordinator."""
    from server.money.allowances import approve_allowance_line, compute_allowance_lines
    from server.money.rates import set_allowance_rate

    author = Author(role="coordinator", user_id=ctx.approver.id)
    set_allowance_rate(author, ctx.org.id, "hour", "ehrenamt_26a", dt.date(*data.RATE_VALID_FROM),
                       data.VHS_HOURLY_ALLOWANCE_CENTS, data.VHS_ALLOWANCE_KINDS)
    for offset in (-3, -2, -1):
        lines = compute_allowance_lines(author, ctx.org.id, clock.month_start(offset).strftime("%Y-%m"))
        if offset < -1:
            for line in lines:
                approve_allowance_line(author, ctx.org.id, line.id)


def seed_current_tax_free_limits(admin: User, today: dt.date) -> None:
    """The current year's tax-free limits, carried over from the latest year known (else the 2026 amounts
    the first migration seeds), as an admin does each January; the rates page warns about a year without them."""
    from server.money.limits import LEGAL_BASES, set_tax_free_limit, tax_free_limit
    from server.money.models import TaxFreeLimit

    latest = db.session.scalar(select(func.max(TaxFreeLimit.year)).where(TaxFreeLimit.year <= today.year))
    author = Author(role="admin", user_id=admin.id)
    for basis in LEGAL_BASES:
        if tax_free_limit(today.year, basis) is not None:
            continue
        known = tax_free_limit(latest, basis) if latest is not None else None
        set_tax_free_limit(author, today.year, basis, known if known is not None else data.TAX_FREE_LIMITS_2026[basis])
