"""Money workflows: deciding a claim's items, and payouts from draft to paid (or cancelled).

Every state change of an expense goes through `server.expenses.operations` (and so `sync.coordinator`),
so the guide's phones receive it on their next sync. The caller commits; errors are `MoneyError` with a stable code.

Payout life: `draft` (claims and approved allowance lines reserved; changeable) → `exported` (files
made; frozen) → `paid` (every included expense set to paid, every allowance line paid). A draft or an
exported payout can be cancelled: its claims and lines are released, the expenses stay approved, the
payout's items stay as history. A claim is in at most one payout: `claims.payout_id` is one column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from server.audit.log import record_event
from server.expenses import operations as expenses
from server.expenses.models import Claim, Expense
from server.extensions import db
from server.guides.models import GuideProfile
from server.money.bank import validate_bank_details
from server.money.errors import MoneyError
from server.money.models import AllowanceLine, Payout, PayoutItem
from server.push.operations import notify_guides
from sync import clock, coordinator
from sync.clock import utcnow
from sync.merge import Author

# ------------------------------------------------------------------ claims


def get_claim(organization_id: int, claim_id: str, *, lock: bool = False) -> Claim:
    claim = db.session.get(Claim, claim_id, with_for_update=lock)
    if claim is None or claim.organization_id != organization_id or claim.deleted_at is not None:
        raise MoneyError("not_found")
    return claim


def claim_expenses(claim: Claim) -> list[Expense]:
    return list(db.session.scalars(select(Expense).where(
        Expense.claim_id == claim.id, Expense.deleted_at.is_(None)).order_by(Expense.date, Expense.created_at)))


@dataclass(frozen=True)
class ClaimTotals:
    claimed_cents: int
    approved_cents: int
    rejected_cents: int
    undecided_cents: int
    items: int
    undecided_items: int

    @property
    def decided(self) -> bool:
        return self.items > 0 and self.undecided_items == 0


def claim_totals(claim: Claim) -> ClaimTotals:
    sums: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for state, cents, count in db.session.execute(
            select(Expense.state, func.sum(Expense.amount_cents), func.count(Expense.id))
            .where(Expense.claim_id == claim.id, Expense.deleted_at.is_(None)).group_by(Expense.state)):
        sums[state], counts[state] = int(cents or 0), int(count)
    return ClaimTotals(claimed_cents=sum(sums.values()), approved_cents=sums["approved"] + sums["paid"],
                       rejected_cents=sums["rejected"], undecided_cents=sums["submitted"],
                       items=sum(counts.values()), undecided_items=counts["submitted"])


def decide_expense(author: Author, organization_id: int, expense_id: str, decision: str,
                   reason: str = "", *, notify: bool = True) -> Expense:
    """Approve or reject one item of a claim (a rejection needs the reason the guide will read), or
    undo a decision (`submitted`) while the claim is not in a payout."""
    if decision not in ("approved", "rejected", "submitted"):
        raise MoneyError("invalid", {"decision": ["choice"]})
    expense = db.session.get(Expense, expense_id)
    if expense is None or expense.organization_id != organization_id or expense.claim_id is None:
        raise MoneyError("not_found")
    claim = get_claim(organization_id, expense.claim_id, lock=True)
    if claim.payout_id is not None:
        raise MoneyError("in_payout")
    before = expense.state
    try:
        expense = expenses.set_expense_state(db.session, author, organization_id, expense_id, decision, reason)
    except coordinator.CoordinatorError as exc:
        raise MoneyError(exc.code, exc.fields) from exc
    if before != expense.state:
        record_event(f"money.expense_{decision}", organization_id, actor_user_id=author.user_id,
                     object_type="expense", object_id=expense.id,
                     details={"claim_id": claim.id, "amount_cents": expense.amount_cents, "from": before,
                              "reason": expense.rejection_reason})
        if notify and decision in ("approved", "rejected"):
            notify_guides(db.session, organization_id, [(expense.guide_id, expense.id)], "expense_decided")
    return expense


def approve_remaining(author: Author, organization_id: int, claim_id: str) -> ClaimTotals:
    """Approve every item of the claim not decided yet."""
    claim = get_claim(organization_id, claim_id)
    approved = 0
    for expense in claim_expenses(claim):
        if expense.state == "submitted":
            decide_expense(author, organization_id, expense.id, "approved", notify=False)
            approved += 1
    if approved:  # one notification for the lot, not one per receipt
        notify_guides(db.session, organization_id, [(claim.guide_id, claim.id)], "claim_approved",
                      {"count": approved})
    return claim_totals(claim)


# ------------------------------------------------------------------ payouts


def get_payout(organization_id: int, payout_id: int, *, lock: bool = False) -> Payout:
    payout = db.session.get(Payout, payout_id, with_for_update=lock, populate_existing=lock)
    if payout is None or payout.organization_id != organization_id:
        raise MoneyError("not_found")
    return payout


def payable_claims(organization_id: int) -> list[Claim]:
    """Decided claims with something approved that no payout holds yet."""
    approved = (select(Expense.claim_id).where(Expense.state == "approved", Expense.deleted_at.is_(None),
                                               Expense.organization_id == organization_id))
    return list(db.session.scalars(select(Claim).where(
        Claim.organization_id == organization_id, Claim.state == "decided", Claim.payout_id.is_(None),
        Claim.deleted_at.is_(None), Claim.id.in_(approved)).order_by(Claim.month, Claim.guide_id)))


def payable_allowance_lines(organization_id: int) -> list[AllowanceLine]:
    return list(db.session.scalars(select(AllowanceLine).where(
        AllowanceLine.organization_id == organization_id, AllowanceLine.state == "approved",
        AllowanceLine.payout_id.is_(None)).order_by(AllowanceLine.month, AllowanceLine.guide_id)))


def create_payout(author: Author, organization_id: int, claim_ids: Sequence[str],
                  allowance_line_ids: Sequence[int] = (), reference: str = "") -> Payout:
    """Reserve decided claims (their approved items) and approved allowance lines in a new draft payout."""
    if not claim_ids and not allowance_line_ids:
        raise MoneyError("empty")
    payout = Payout(organization_id=organization_id, state="draft", created_by_id=author.user_id)
    db.session.add(payout)
    db.session.flush()
    payout.reference = (reference.strip() or f"LB-{payout.id}")[:35]
    _attach(organization_id, payout, claim_ids, allowance_line_ids)
    _build_items(payout)
    record_event("money.payout_created", organization_id, actor_user_id=author.user_id, object_type="payout",
                 object_id=payout.id, details={"claim_ids": sorted(claim_ids),
                                               "allowance_line_ids": sorted(allowance_line_ids),
                                               "total_cents": payout.total_cents})
    return payout


def _attach(organization_id: int, payout: Payout, claim_ids: Iterable[str], line_ids: Iterable[int]) -> None:
    claim_ids, line_ids = sorted(set(claim_ids)), sorted(set(line_ids))
    # Row locks in a fixed order: two coordinators paying out the same claim wait for each other,
    # and the second one sees it taken.
    claims = list(db.session.scalars(select(Claim).where(Claim.id.in_(claim_ids)).order_by(Claim.id)
                                     .with_for_update().execution_options(populate_existing=True)))
    if len(claims) != len(claim_ids) or any(c.organization_id != organization_id or c.deleted_at for c in claims):
        raise MoneyError("not_found")
    for claim in claims:
        if claim.payout_id is not None:
            raise MoneyError("claim_in_payout", claim_id=claim.id, payout_id=claim.payout_id)
        totals = claim_totals(claim)
        if not totals.decided:
            raise MoneyError("claim_undecided", claim_id=claim.id)
        if claim.state != "decided" or totals.approved_cents == 0:
            raise MoneyError("nothing_to_pay", claim_id=claim.id)
        claim.payout_id = payout.id
    lines = list(db.session.scalars(select(AllowanceLine).where(AllowanceLine.id.in_(line_ids))
                                    .order_by(AllowanceLine.id).with_for_update()
                                    .execution_options(populate_existing=True)))
    if len(lines) != len(line_ids) or any(line.organization_id != organization_id for line in lines):
        raise MoneyError("not_found")
    for line in lines:
        if line.payout_id is not None:
            raise MoneyError("line_in_payout", allowance_line_id=line.id, payout_id=line.payout_id)
        if line.state != "approved":
            raise MoneyError("invalid_transition", allowance_line_id=line.id, state=line.state)
        line.payout_id = payout.id
    db.session.flush()


def _build_items(payout: Payout) -> None:
    """(Re)build one credit transfer per guide from what the payout holds; profile bank details copied."""
    for item in db.session.scalars(select(PayoutItem).where(PayoutItem.payout_id == payout.id)):
        db.session.delete(item)
    db.session.flush()
    expense_rows = db.session.execute(
        select(Claim.guide_id, Claim.id, Claim.month, func.sum(Expense.amount_cents))
        .join(Expense, Expense.claim_id == Claim.id)
        .where(Claim.payout_id == payout.id, Expense.state.in_(("approved", "paid")), Expense.deleted_at.is_(None))
        .group_by(Claim.guide_id, Claim.id, Claim.month)).all()
    lines = list(db.session.scalars(select(AllowanceLine).where(AllowanceLine.payout_id == payout.id)))
    per_guide: dict[int, dict[str, list]] = defaultdict(lambda: {"claims": [], "lines": []})
    for guide_id, claim_id, month, cents in expense_rows:
        per_guide[guide_id]["claims"].append((claim_id, month, int(cents)))
    for line in lines:
        per_guide[line.guide_id]["lines"].append(line)
    profiles = {p.user_id: p for p in db.session.scalars(
        select(GuideProfile).where(GuideProfile.user_id.in_(list(per_guide))))}
    missing = []
    total = 0
    for guide_id in sorted(per_guide):
        profile = profiles.get(guide_id)
        try:
            bank = validate_bank_details(profile.iban or "", profile.bic or "", profile.account_holder or "") \
                if profile is not None else None
        except MoneyError:
            bank = None
        if bank is None:
            missing.append(guide_id)
            continue
        claims, guide_lines = per_guide[guide_id]["claims"], per_guide[guide_id]["lines"]
        expense_cents = sum(c[2] for c in claims)
        allowance_cents = sum(line.amount_cents for line in guide_lines)
        parts = []
        if claims:
            parts.append(_("Expenses %(months)s", months=", ".join(sorted({c[1] for c in claims}))))
        if guide_lines:
            parts.append(_("Allowance %(months)s", months=", ".join(sorted({line.month for line in guide_lines}))))
        db.session.add(PayoutItem(
            organization_id=payout.organization_id, payout_id=payout.id, guide_id=guide_id,
            name=bank.account_holder, iban=bank.iban, bic=bank.bic, expense_cents=expense_cents,
            allowance_cents=allowance_cents, amount_cents=expense_cents + allowance_cents,
            end_to_end_id=f"{payout.reference}-{guide_id}"[:35],
            remittance=f"{payout.reference} " + "; ".join(parts)[:120],
            claim_ids=sorted(c[0] for c in claims), allowance_line_ids=sorted(line.id for line in guide_lines)))
        total += expense_cents + allowance_cents
    if missing:
        raise MoneyError("missing_bank_details", guide_ids=missing)
    payout.total_cents = total
    db.session.flush()


def payout_items(payout: Payout) -> list[PayoutItem]:
    return list(db.session.scalars(select(PayoutItem).where(PayoutItem.payout_id == payout.id)
                                   .order_by(PayoutItem.name, PayoutItem.guide_id)))


def remove_from_payout(author: Author, organization_id: int, payout_id: int, *, claim_id: str | None = None,
                       allowance_line_id: int | None = None) -> Payout:
    """Take a claim or a line out of a draft; an exported payout cannot change (only be cancelled)."""
    payout = get_payout(organization_id, payout_id, lock=True)
    if payout.state != "draft":
        raise MoneyError("payout_frozen", state=payout.state)
    if claim_id is not None:
        claim = get_claim(organization_id, claim_id, lock=True)
        if claim.payout_id != payout.id:
            raise MoneyError("not_found")
        claim.payout_id = None
    if allowance_line_id is not None:
        line = db.session.get(AllowanceLine, allowance_line_id, with_for_update=True)
        if line is None or line.payout_id != payout.id:
            raise MoneyError("not_found")
        line.payout_id = None
    db.session.flush()
    _build_items(payout)
    record_event("money.payout_changed", organization_id, actor_user_id=author.user_id, object_type="payout",
                 object_id=payout.id, details={"removed_claim_id": claim_id,
                                               "removed_allowance_line_id": allowance_line_id,
                                               "total_cents": payout.total_cents})
    return payout


def export_payout(author: Author, organization_id: int, payout_id: int, execution_date: dt.date) -> Payout:
    """Freeze a draft for the bank: needs the organization's account; make the files with `payout_files`."""
    from server.organizations.models import Organization

    payout = get_payout(organization_id, payout_id, lock=True)
    if payout.state != "draft":
        raise MoneyError("payout_frozen", state=payout.state)
    org = db.session.get(Organization, organization_id)
    assert org is not None
    try:
        validate_bank_details(org.bank_iban or "", org.bank_bic or "", org.bank_account_holder or "")
    except MoneyError as exc:
        raise MoneyError("no_bank_account", exc.fields) from exc
    if not payout_items(payout) or payout.total_cents <= 0:
        raise MoneyError("empty")
    now = utcnow()
    payout.state, payout.exported_at, payout.execution_date = "exported", now, execution_date
    payout.message_id = f"LB-{organization_id}-{payout.id}-{now:%Y%m%d%H%M%S}"[:35]
    record_event("money.payout_exported", organization_id, actor_user_id=author.user_id, object_type="payout",
                 object_id=payout.id, details={"total_cents": payout.total_cents, "message_id": payout.message_id,
                                               "execution_date": execution_date.isoformat()})
    db.session.flush()
    return payout


def mark_payout_paid(author: Author, organization_id: int, payout_id: int, paid_on: dt.date | None = None) -> Payout:
    """The bank has executed it: every included expense becomes `paid` (phones see it), and so its claim."""
    payout = get_payout(organization_id, payout_id, lock=True)
    if payout.state != "exported":
        raise MoneyError("invalid_transition", state=payout.state)
    paid_on = paid_on or payout.execution_date or clock.today()
    claims = list(db.session.scalars(select(Claim).where(Claim.payout_id == payout.id)))
    for claim in claims:
        for expense in claim_expenses(claim):
            if expense.state == "approved":
                try:
                    expenses.set_expense_state(db.session, author, organization_id, expense.id, "paid")
                except coordinator.CoordinatorError as exc:  # pragma: no cover - guarded by the states above
                    raise MoneyError(exc.code) from exc
    for line in db.session.scalars(select(AllowanceLine).where(AllowanceLine.payout_id == payout.id)):
        line.state, line.paid_on = "paid", paid_on
    payout.state, payout.paid_at, payout.paid_on = "paid", utcnow(), paid_on
    notify_guides(db.session, organization_id, [(claim.guide_id, claim.id) for claim in claims], "claim_paid")
    record_event("money.payout_paid", organization_id, actor_user_id=author.user_id, object_type="payout",
                 object_id=payout.id, details={"total_cents": payout.total_cents, "paid_on": paid_on.isoformat(),
                                               "claims": len(claims)})
    db.session.flush()
    return payout


def cancel_payout(author: Author, organization_id: int, payout_id: int, reason: str,
                  bank_not_executed: bool = False) -> Payout:
    """Withdraw a draft or exported payout: claims and lines are free again, expenses stay approved.

    An exported payout's SEPA file may already be at the bank: it is cancelled only when the coordinator
    confirms that the bank did not execute it (`bank_not_executed`), with a reason. Its message id stays
    on the payout, void (never used again: the next export makes a new one), and the claims and lines it
    held remember it (`released_from`), so that their next payout page says where they were.
    """
    if not reason.strip():
        raise MoneyError("invalid", {"reason": ["required"]})
    payout = get_payout(organization_id, payout_id, lock=True)
    if payout.state not in ("draft", "exported"):
        raise MoneyError("invalid_transition", state=payout.state)
    if payout.state == "exported" and not bank_not_executed:
        raise MoneyError("bank_confirmation_required")
    claim_ids = list(db.session.scalars(select(Claim.id).where(Claim.payout_id == payout.id)))
    for claim in db.session.scalars(select(Claim).where(Claim.payout_id == payout.id).with_for_update()):
        claim.payout_id = None
    line_ids = []
    for line in db.session.scalars(select(AllowanceLine).where(AllowanceLine.payout_id == payout.id)):
        line.payout_id = None
        line_ids.append(line.id)
    before = payout.state
    payout.state, payout.cancelled_at, payout.cancel_reason = "cancelled", utcnow(), reason.strip()[:500]
    details: dict[str, Any] = {"from": before, "reason": reason.strip(), "claim_ids": claim_ids,
                               "total_cents": payout.total_cents}
    if before == "exported":
        payout.bank_not_executed = True
        payout.released_claim_ids = claim_ids
        payout.released_line_ids = line_ids
        details.update(bank_not_executed=True, void_message_id=payout.message_id, line_ids=line_ids)
    record_event("money.payout_cancelled", organization_id, actor_user_id=author.user_id, object_type="payout",
                 object_id=payout.id, details=details)
    db.session.flush()
    return payout


def released_from(organization_id: int) -> tuple[dict[str, Payout], dict[int, Payout]]:
    """Which cancelled, bank-not-executed payout each claim and allowance line was last in (by id)."""
    claims: dict[str, Payout] = {}
    lines: dict[int, Payout] = {}
    for payout in db.session.scalars(select(Payout).where(
            Payout.organization_id == organization_id, Payout.state == "cancelled",
            Payout.bank_not_executed.is_(True)).order_by(Payout.cancelled_at, Payout.id)):
        claims.update(dict.fromkeys(payout.released_claim_ids or [], payout))
        lines.update(dict.fromkeys(payout.released_line_ids or [], payout))
    return claims, lines
