"""Load-or-404 helpers for the money pages (claims, their receipts, payouts), scoped to the current
organization like those in access.py: another organization's object answers 404 like a missing one."""

from __future__ import annotations

from flask import abort

from server.coordinator.common.auth import current_org_id
from server.expenses.models import Claim, Expense, ExpenseReceipt
from server.extensions import db
from server.money.allowances import get_allowance_line
from server.money.errors import MoneyError
from server.money.models import AllowanceLine, Payout
from server.money.operations import get_claim, get_payout


def get_claim_or_404(claim_id: str) -> Claim:
    if len(claim_id) > 36:
        abort(404)
    try:
        claim = get_claim(current_org_id(), claim_id)
    except MoneyError:
        abort(404)
    if claim.restricted_until is not None:  # erased guide: only the audited finance view shows it
        abort(404)
    return claim


def get_claim_expense_or_404(claim: Claim, expense_id: str) -> Expense:
    """An item of this very claim (an expense id of another claim is refused like a missing one)."""
    expense = db.session.get(Expense, expense_id) if len(expense_id) <= 36 else None
    if expense is None or expense.claim_id != claim.id or expense.organization_id != claim.organization_id \
            or expense.deleted_at is not None:
        abort(404)
    return expense


def get_receipt_or_404(receipt_id: int) -> ExpenseReceipt:
    """A receipt of a live expense of the current organization that is part of a claim.

    An erased guide's (restricted) receipts are shown only by the audited finance view.
    """
    receipt = db.session.get(ExpenseReceipt, receipt_id)
    expense = db.session.get(Expense, receipt.expense_id) if receipt is not None else None
    if receipt is None or expense is None or expense.organization_id != current_org_id() \
            or expense.deleted_at is not None or expense.claim_id is None \
            or expense.restricted_until is not None:
        abort(404)
    return receipt


def get_allowance_line_or_404(claim: Claim, line_id: int) -> AllowanceLine:
    """An allowance line of the claim's guide and month."""
    try:
        line = get_allowance_line(current_org_id(), line_id)
    except MoneyError:
        abort(404)
    if line.guide_id != claim.guide_id or line.month != claim.month:
        abort(404)
    return line


def get_payout_or_404(payout_id: int) -> Payout:
    try:
        return get_payout(current_org_id(), payout_id)
    except MoneyError:
        abort(404)
