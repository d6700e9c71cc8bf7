"""What the demo promises a newcomer on any day it is seeded (README: `make run`), checked in one place.

`tests/test_cli.py` checks it after `seed-demo` today; `tests/test_demo_dates.py` seeds the demo at a
spread of calendar days (month and year ends, a leap day, both daylight-saving switches) and checks it
again, so the demo can never again pass or fail with the calendar.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from server.accounts.models import Membership
from server.activities.models import Activity, PlenumEvent
from server.assignments.models import Assignment, AssignmentOffer, Client
from server.audit.models import AuditEvent
from server.expenses.models import Claim, Expense
from server.extensions import db
from server.messages.models import Message
from server.money.limits import LEGAL_BASES
from server.money.models import AllowanceLine, Payout, PayoutItem, TaxFreeLimit
from server.organizations.models import Organization
from sync import clock
from sync.tables import SyncChange

KINDS = {"accompaniment", "meeting", "phone", "preparation", "travel", "plenum", "training", "other"}


def assert_demo_promises() -> None:
    """Tenants apart, every workflow state, payouts that add up per organization, nothing in the future,
    the current year's tax-free limits, no client names."""
    today, now = clock.today(), clock.utcnow()
    vhs, awo = (db.session.scalar(select(Organization).where(Organization.slug == s))
                for s in ("vhs-hannover", "awo-region-hannover"))
    roles = dict(db.session.execute(
        select(Membership.role, func.count()).where(Membership.organization_id == vhs.id).group_by(Membership.role)
    ).all())
    assert roles == {"admin": 1, "coordinator": 2, "guide": 8}
    assert db.session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.organization_id == awo.id)) == 2

    # Every state of the expense and claim workflows, in the big organization.
    states = set(db.session.scalars(select(Expense.state).where(Expense.organization_id == vhs.id)))
    assert states == {"open", "submitted", "approved", "rejected", "paid"}, (today, states)
    assert all(e.rejection_reason for e in db.session.scalars(select(Expense).where(Expense.state == "rejected")))
    assert all(e.claim_id for e in db.session.scalars(select(Expense).where(Expense.state != "open")))
    claim_states = set(db.session.scalars(select(Claim.state).where(Claim.organization_id == vhs.id)))
    assert claim_states == {"submitted", "decided", "paid"}, (today, claim_states)

    # Each organization's payouts add up: the transfers, and the expenses and allowances they paid.
    for org in (vhs, awo):
        payouts = db.session.scalars(select(Payout).where(Payout.organization_id == org.id)).all()
        paid = db.session.scalars(select(Expense).where(Expense.organization_id == org.id,
                                                        Expense.state == "paid")).all()
        paid_allowances = db.session.scalar(select(func.coalesce(func.sum(AllowanceLine.amount_cents), 0)).where(
            AllowanceLine.organization_id == org.id, AllowanceLine.state == "paid"))
        assert payouts and all(p.state == "paid" for p in payouts), (org.slug, today)
        assert sum(p.total_cents for p in payouts) == sum(e.amount_cents for e in paid) + paid_allowances > 0
        for payout in payouts:
            items = db.session.scalars(select(PayoutItem).where(PayoutItem.payout_id == payout.id)).all()
            assert sum(i.amount_cents for i in items) == payout.total_cents
            assert all(i.amount_cents == i.expense_cents + i.allowance_cents for i in items)
            claims = {c for i in items for c in i.claim_ids}
            assert claims and all(db.session.get(Claim, c).organization_id == org.id for c in claims)
            assert payout.paid_on <= today and payout.paid_at <= now

    # Assignments in every state; an offered one waits for 2-3 guides, an active one has its guide.
    assert set(db.session.scalars(select(Assignment.state))) >= {"offered", "active", "ended"}
    for assignment in db.session.scalars(select(Assignment).where(Assignment.state == "offered")):
        assert assignment.guide_id is None and 2 <= len(assignment.offers) <= 3
    for assignment in db.session.scalars(select(Assignment).where(Assignment.state == "active")):
        assert assignment.guide_id is not None
        assert any(o.state == "accepted" and o.guide_id == assignment.guide_id for o in assignment.offers)
    assert db.session.scalar(select(func.count()).select_from(AssignmentOffer)) > 0

    # Activities of every kind, reviewed and waiting, some flagged for professional help.
    assert set(db.session.scalars(select(Activity.kind).where(Activity.organization_id == vhs.id))) == KINDS
    assert db.session.scalar(select(func.count()).select_from(Activity).where(Activity.needs_professional_help)) > 0
    approved = db.session.scalars(select(Activity).where(Activity.state == "approved")).all()
    assert approved and all(a.approved_at and a.approved_by_id for a in approved)
    assert db.session.scalar(select(func.count()).select_from(Activity).where(Activity.state == "logged")) > 0
    assert db.session.scalar(select(func.count()).select_from(PlenumEvent)) > 0

    # The inbox: each organization's guides have messages from the desk, read and unread, one to all of them.
    for org in (vhs, awo):
        messages = db.session.scalars(select(Message).where(Message.organization_id == org.id)).all()
        assert {m.read_at is None for m in messages} == {True, False} and any(m.to_all for m in messages), org.slug
        assert all(m.sent_at <= (m.read_at or now) and m.sender_name for m in messages)
        published = db.session.scalar(select(func.count()).select_from(SyncChange).where(
            SyncChange.organization_id == org.id, SyncChange.record_type == "message"))
        assert published == len(messages)  # in the feed: the phones pull them

    # Nothing logged, claimed, paid or audited lies in the future.
    assert db.session.scalar(select(func.max(Activity.date))) <= today
    assert db.session.scalar(select(func.max(Expense.date))) <= today
    assert db.session.scalar(select(func.max(PlenumEvent.date))) <= today
    assert max(db.session.scalars(select(Claim.month))) <= clock.current_month()
    assert max(db.session.scalars(select(AllowanceLine.month))) <= clock.current_month()
    for column in (Activity.created_at, Activity.updated_at, Activity.approved_at, Expense.created_at,
                   Expense.updated_at, Expense.decided_at, Claim.submitted_at, Claim.decided_at, Payout.exported_at,
                   AuditEvent.at, Message.sent_at, Message.read_at, Message.updated_at):
        latest = db.session.scalar(select(func.max(column)))
        assert latest is None or latest <= now, (column, latest, now)

    # The tax-free limits of the current year exist (the rates page and the year statement need them).
    this_year = {row.legal_basis for row in db.session.scalars(select(TaxFreeLimit).where(
        TaxFreeLimit.year == today.year))}
    assert this_year == set(LEGAL_BASES), (today, this_year)

    assert all(re.match(r"^(AWO-)?K-\d{4}-\d{3}$", c.code) for c in db.session.scalars(select(Client)))
