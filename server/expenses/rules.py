"""The expense and claim rules, as plain functions: who may change what, and the states derived.

The sync binding (`sync_binding.py`), the coordinator's use cases (`operations.py`) and the money
workflows (`server/money/operations.py`) all ask here, so that each rule is written once.

* A guide may change an expense while it is `open` or `rejected`; `submitted`, `approved` and `paid`
  are the workflow's (`EXPENSE_LOCKED_STATES`, shared with the PWA through the wire vocabulary).
* A guide's fix of a `rejected` expense puts it back among the open ones, to be claimed again in a
  follow-up claim; the rejection it answers is kept on the expense (`rejections`).
* A month's first claim takes its open expenses; a later claim of the same month is a follow-up
  (Nachtrag, `sequence` 2, 3, …) for what is open then. A claim with nothing open to take is refused:
  `no_open_expenses`, or `duplicate` when another claim of the month (another phone's) took them.
* A coordinator moves an expense only along `EXPENSE_TRANSITIONS`; an approved or paid expense's
  amount, and what it is computed from, no longer change for anyone (undo the decision first).
* A claim's state follows from its items: all paid or rejected (some paid) → `paid`; none waiting for
  a decision → `decided`; otherwise `submitted`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sync.vocabulary import EXPENSE_LOCKED_STATES

# Which expense states a coordinator may move to, from where.
EXPENSE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "approved": ("submitted", "rejected"),
    "rejected": ("submitted", "approved"),
    "paid": ("approved",),
    "submitted": ("approved", "rejected"),  # undo a decision before payout
}

# An approved or paid expense's amount, and what it is computed from, no longer change (for anyone).
EXPENSE_AMOUNT_LOCKED = ("approved", "paid")
EXPENSE_MONEY_FIELDS = ("amount_cents", "km", "category", "date")


def guide_lock_reason(state: str) -> str | None:
    """Why a guide may not change an expense in `state` (the state itself, as the wire says), or None."""
    return state if state in EXPENSE_LOCKED_STATES else None


def may_move(current: str, wanted: str) -> bool:
    """May a coordinator move an expense from `current` to `wanted`? (Staying put is always fine.)"""
    return current == wanted or current in EXPENSE_TRANSITIONS.get(wanted, ())


def money_edit_refused(expense: Any, values: dict[str, Any]) -> bool:
    """Would `values` change the money of an approved or paid expense?"""
    return expense.state in EXPENSE_AMOUNT_LOCKED and any(
        name in values and values[name] != getattr(expense, name) for name in EXPENSE_MONEY_FIELDS)


def mileage_cents(km: int | None, cents_per_km: int) -> int:
    """A mileage expense's amount: km × the rate valid on its date, never the phone's arithmetic."""
    return (km or 0) * cents_per_km


def reopened_by_guide(expense: Any) -> dict[str, Any]:
    """What a guide's fix of a rejected expense changes besides her fields: open again, out of its claim,
    the rejection she answered kept in its history."""
    rejected_at = expense.decided_at.isoformat() if expense.decided_at else ""
    earlier = {"reason": expense.rejection_reason, "rejected_at": rejected_at, "claim_id": expense.claim_id or ""}
    return {"state": "open", "rejection_reason": "", "claim_id": None,
            "rejections": [*(expense.rejections or []), earlier]}


def claim_refusal(other_claims_of_month: int, open_expenses: int) -> str | None:
    """Why a new claim of a month is refused (a rejection code), or None."""
    if open_expenses:
        return None
    return "duplicate" if other_claims_of_month else "no_open_expenses"


def next_sequence(sequences: Iterable[int]) -> int:
    """The sequence of a month's next claim: 1 for the first, then one after the last (follow-ups)."""
    return max(sequences, default=0) + 1


def claim_state(item_states: Iterable[str]) -> str:
    """A claim's state from the states of its (not deleted) items."""
    states = set(item_states)
    if states and states <= {"paid", "rejected"} and "paid" in states:
        return "paid"
    if states and not states & {"submitted"}:
        return "decided"
    return "submitted"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """"2026-11" → (1 November, 1 December): the days a month's claim covers, end exclusive."""
    year, mon = (int(part) for part in month.split("-"))
    first = dt.date(year, mon, 1)
    following = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return first, following
