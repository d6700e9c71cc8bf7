"""Expenses and claims over sync: how the two record types map onto their tables.

A thin adapter: the rules it applies (who may change what, the mileage amount, what a fix of a
rejected expense does, which expenses a claim takes) are in `rules.py` and `operations.py`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from server.activities.models import Activity
from server.blobs.models import Blob
from server.expenses import rules
from server.expenses.models import Claim, Expense, ExpenseReceipt
from server.expenses.operations import open_expenses
from server.money.rates import cents_per_km
from sync.merge import Author
from sync.push.answers import Rejected
from sync.registry import Binding
from sync.spec import MSG, wire_value


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
        return None if author.is_staff else rules.guide_lock_reason(obj.state)

    def staff_edit_refusal(self, obj: Any, values: dict[str, Any]) -> str | None:
        return "locked" if rules.money_edit_refused(obj, values) else None

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
            on = values.get("date", obj.date)
            values["amount_cents"] = rules.mileage_cents(values.get("km", obj.km),
                                                         cents_per_km(session, obj.organization_id, on))
        elif "category" in values and obj.category == "mileage":
            values.setdefault("km", None)
        if not author.is_staff and obj.state == "rejected":
            values.update(rules.reopened_by_guide(obj))
        return values

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        data = super().to_wire(session, obj, audience)
        data["claim_id"] = obj.claim_id
        receipts = data.get("receipts") or []
        stored = set(session.scalars(select(Blob.sha256).where(
            Blob.organization_id == obj.organization_id, Blob.sha256.in_(receipts)))) if receipts else set()
        data["missing_receipts"] = [h for h in receipts if h not in stored]
        data["earlier_rejections"] = [{"reason": r.get("reason", ""), "rejected_at": r.get("rejected_at", "")}
                                      for r in obj.rejections or []]
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
        others = list(session.scalars(select(Claim.sequence).where(
            Claim.guide_id == obj.guide_id, Claim.month == month, Claim.id != obj.id)))
        refusal = rules.claim_refusal(len(others), len(open_expenses(session, obj.organization_id, obj.guide_id,
                                                                     month)))
        if refusal:
            raise Rejected(refusal)
        obj.sequence = rules.next_sequence(others)
        return values

    def after_write(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> None:
        for expense in open_expenses(session, obj.organization_id, obj.guide_id, obj.month):
            expense.state = "submitted"
            expense.claim_id = obj.id

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        total, count = session.execute(
            select(func.coalesce(func.sum(Expense.amount_cents), 0), func.count(Expense.id))
            .where(Expense.claim_id == obj.id, Expense.deleted_at.is_(None))
        ).one()
        return {"month": obj.month, "sequence": obj.sequence or 1, "state": obj.state, "total_cents": int(total), "expense_count": int(count),
                "submitted_at": wire_value(obj.submitted_at), "decided_at": wire_value(obj.decided_at)}
