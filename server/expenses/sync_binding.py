"""Expenses and claims over sync.

* A guide may change an expense until it is submitted; after that the workflow owns it.
* A mileage expense's amount is always computed here from km × the rate valid on its date, whatever
  the phone sent, so money never depends on a client's arithmetic.
* Submitting a month's claim submits every open expense of that month, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from server.activities.models import Activity
from server.blobs.models import Blob
from server.expenses.models import Claim, Expense, ExpenseReceipt
from server.organizations.models import MileageRate
from sync.merge import Author
from sync.push.answers import Rejected
from sync.registry import Binding
from sync.spec import MSG, wire_value
from sync.vocabulary import EXPENSE_LOCKED_STATES

# Used only when an organization has set no rate at all (the BRKG rate for cars).
FALLBACK_CENTS_PER_KM = 30


def cents_per_km(session: Session, organization_id: int, on: dt.date, mode: str = "car") -> int:
    rate = session.scalar(
        select(MileageRate.cents_per_km).where(
            MileageRate.organization_id == organization_id, MileageRate.mode == mode, MileageRate.valid_from <= on)
        .order_by(MileageRate.valid_from.desc()).limit(1)
    )
    return FALLBACK_CENTS_PER_KM if rate is None else int(rate)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    year, mon = (int(part) for part in month.split("-"))
    first = dt.date(year, mon, 1)
    following = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return first, following


class ExpenseBinding(Binding):
    type_name = "expense"
    model = Expense
    ignored_attrs = Binding.ignored_attrs | {"decided_at", "decided_by_id", "guide_id"}

    def get_field(self, session: Session, obj: Any, name: str) -> Any:
        if name == "receipts":
            return [r.sha256 for r in obj.receipts]
        return getattr(obj, name)

    def set_fields(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> None:
        for name, value in values.items():
            if name == "receipts":
                self._set_receipts(obj, value)
            else:
                setattr(obj, name, value)

    @staticmethod
    def _set_receipts(obj: Any, hashes: list[str]) -> None:
        wanted = list(dict.fromkeys(hashes))  # keep order, drop repeats
        by_hash = {r.sha256: r for r in obj.receipts}
        obj.receipts = [by_hash.get(h) or ExpenseReceipt(sha256=h) for h in wanted]
        for position, receipt in enumerate(obj.receipts):
            receipt.position = position

    def related_records(self, obj: Any, changed_attrs: set[str]) -> set[tuple[str, str]]:
        """The claim(s) whose total this expense counts in, before and after the change."""
        history = inspect(obj).attrs.claim_id.history
        claims = {c for c in (*history.added, *history.deleted) if c}
        if obj.claim_id and changed_attrs & {"*", "amount_cents", "state", "deleted_at", "claim_id"}:
            claims.add(obj.claim_id)
        return {("claim", claim_id) for claim_id in claims}

    def lock_reason(self, obj: Any, author: Author) -> str | None:
        if not author.is_staff and obj.state in EXPENSE_LOCKED_STATES:
            return str(obj.state)
        return None

    def validate_references(self, session: Session, obj: Any | None, values: dict[str, Any],
                            organization_id: int, guide_id: int) -> dict[str, list[str]]:
        activity_id = values.get("activity_id")
        if activity_id is None:
            return {}
        found = session.scalar(select(Activity.id).where(
            Activity.id == activity_id, Activity.organization_id == organization_id,
            Activity.guide_id == guide_id))
        return {} if found else {"activity_id": [MSG["reference"]]}

    def before_write(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> dict[str, Any]:
        values = dict(values)
        category = values.get("category", obj.category)
        if category == "mileage":
            km = values.get("km", obj.km) or 0
            on = values.get("date", obj.date)
            values["amount_cents"] = km * cents_per_km(session, obj.organization_id, on)
        elif "category" in values and obj.category == "mileage":
            values.setdefault("km", None)
        if not author.is_staff and obj.state == "rejected":
            # Fixing a rejected expense puts it back among the open ones, to be claimed again.
            values.update(state="open", rejection_reason="", claim_id=None)
        return values

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        data = super().to_wire(session, obj, audience)
        data["claim_id"] = obj.claim_id
        receipts = data.get("receipts") or []
        stored = set(session.scalars(select(Blob.sha256).where(
            Blob.organization_id == obj.organization_id, Blob.sha256.in_(receipts)))) if receipts else set()
        data["missing_receipts"] = [h for h in receipts if h not in stored]
        return data


class ClaimBinding(Binding):
    type_name = "claim"
    model = Claim
    ignored_attrs = Binding.ignored_attrs | {"guide_id", "payout_id"}

    def lock_reason(self, obj: Any, author: Author) -> str | None:
        if not author.is_staff:
            return str(obj.state)  # a claim, once submitted, is the coordinator's
        return None

    def validate_references(self, session: Session, obj: Any | None, values: dict[str, Any],
                            organization_id: int, guide_id: int) -> dict[str, list[str]]:
        if "state" in values and values["state"] != "submitted":
            return {"state": [MSG["choice"]]}
        return {}

    def before_write(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> dict[str, Any]:
        month = values.get("month", obj.month)
        other = session.scalar(select(Claim.id).where(Claim.guide_id == obj.guide_id, Claim.month == month,
                                                      Claim.id != obj.id))
        if other is not None:
            raise Rejected("duplicate")
        if not self.open_expenses(session, obj.organization_id, obj.guide_id, month):
            raise Rejected("no_open_expenses")
        return values

    @staticmethod
    def open_expenses(session: Session, organization_id: int, guide_id: int, month: str) -> list[Expense]:
        first, following = month_bounds(month)
        return list(session.scalars(select(Expense).where(
            Expense.organization_id == organization_id, Expense.guide_id == guide_id, Expense.state == "open",
            Expense.deleted_at.is_(None), Expense.date >= first, Expense.date < following)))

    def after_write(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> None:
        for expense in self.open_expenses(session, obj.organization_id, obj.guide_id, obj.month):
            expense.state = "submitted"
            expense.claim_id = obj.id

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        total, count = session.execute(
            select(func.coalesce(func.sum(Expense.amount_cents), 0), func.count(Expense.id))
            .where(Expense.claim_id == obj.id, Expense.deleted_at.is_(None))
        ).one()
        return {"month": obj.month, "state": obj.state, "total_cents": int(total), "expense_count": int(count),
                "submitted_at": wire_value(obj.submitted_at), "decided_at": wire_value(obj.decided_at)}
