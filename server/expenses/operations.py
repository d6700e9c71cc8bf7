"""Expense and claim use cases over a SQLAlchemy session: a coordinator's decision, a month's open items.

State changes go through `sync.coordinator` (load with the organization check, author set), so the
guide's phones receive them on their next sync; the rules themselves are in `rules.py`. The caller
commits; errors are `sync.coordinator.CoordinatorError` with a stable code.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.expenses import rules
from server.expenses.models import Claim, Expense
from sync import feed
from sync.clock import utcnow
from sync.coordinator import CoordinatorError, load_record
from sync.merge import Author


def set_expense_state(session: Session, author: Author, organization_id: int, expense_id: str, state: str,
                      reason: str = "") -> Expense:
    """Approve, reject (with a reason the guide sees), mark paid, or undo a decision."""
    obj: Expense = load_record(session, "expense", expense_id, organization_id)
    if state == obj.state:
        return obj
    if state not in rules.EXPENSE_TRANSITIONS or not rules.may_move(obj.state, state):
        raise CoordinatorError("invalid_transition")
    if state == "rejected" and not reason.strip():
        raise CoordinatorError("invalid", {"rejection_reason": ["A reason is required."]})
    feed.set_author(session, author)
    obj.state = state
    obj.rejection_reason = reason.strip() if state == "rejected" else ""
    obj.decided_at = utcnow()
    obj.decided_by_id = author.user_id
    session.flush()
    update_claim_state(session, obj.claim_id)
    return obj


def update_claim_state(session: Session, claim_id: str | None) -> None:
    """Set the claim's state to what its items say (`rules.claim_state`)."""
    claim = session.get(Claim, claim_id) if claim_id else None
    if claim is None:
        return
    new_state = rules.claim_state(session.scalars(select(Expense.state).where(
        Expense.claim_id == claim.id, Expense.deleted_at.is_(None))))
    if claim.state != new_state:
        claim.state = new_state
        claim.decided_at = utcnow() if new_state != "submitted" else None
        session.flush()


def open_expenses(session: Session, organization_id: int, guide_id: int, month: str) -> list[Expense]:
    """The guide's expenses of `month` that no claim holds yet."""
    first, following = rules.month_bounds(month)
    return list(session.scalars(select(Expense).where(
        Expense.organization_id == organization_id, Expense.guide_id == guide_id, Expense.state == "open",
        Expense.deleted_at.is_(None), Expense.date >= first, Expense.date < following)))
