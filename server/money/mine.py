"""What a guide may see of her own money and papers (GET /api/v1/me/…, sync/PROTOCOL.md §8): her flat
allowance lines (approved or paid), each transfer as it was paid (expenses + allowances = the amount on
her bank statement), the years that have a year statement, and her certificates.

Every query is bound to one organization AND one guide, both taken from the device, never from the
request: another guide's certificate id is simply not found.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import extract, select

from server.expenses.models import Claim
from server.extensions import db
from server.money.errors import MoneyError
from server.money.models import AllowanceLine, Certificate, Payout, PayoutItem


def _paid_items(organization_id: int, guide_id: int) -> list[tuple[PayoutItem, Payout]]:
    return [(item, payout) for item, payout in db.session.execute(
        select(PayoutItem, Payout).join(Payout, Payout.id == PayoutItem.payout_id)
        .where(PayoutItem.guide_id == guide_id, Payout.organization_id == organization_id,
               Payout.state == "paid").order_by(Payout.paid_on.desc(), Payout.id.desc()))]


def my_money(organization_id: int, guide_id: int, year: int) -> dict[str, Any]:
    lines = db.session.scalars(select(AllowanceLine).where(
        AllowanceLine.organization_id == organization_id, AllowanceLine.guide_id == guide_id,
        AllowanceLine.state.in_(("approved", "paid")), AllowanceLine.month.like(f"{year:04d}-%"))
        .order_by(AllowanceLine.month.desc(), AllowanceLine.legal_basis)).all()
    items = _paid_items(organization_id, guide_id)
    months = {c.id: c.month for c in db.session.scalars(select(Claim).where(
        Claim.id.in_({cid for item, _p in items for cid in item.claim_ids})))} if items else {}
    line_months = {line.id: line.month for line in db.session.scalars(select(AllowanceLine).where(
        AllowanceLine.id.in_({lid for item, _p in items for lid in item.allowance_line_ids})))} if items else {}
    certificates = db.session.scalars(select(Certificate).where(
        Certificate.organization_id == organization_id, Certificate.guide_id == guide_id,
        Certificate.revoked_at.is_(None)).order_by(Certificate.issued_at.desc())).all()
    return {
        "year": year,
        "allowances": [{"id": line.id, "month": line.month, "legal_basis": line.legal_basis, "minutes": line.minutes,
                        "meetings": line.meetings, "amount_cents": line.amount_cents, "state": line.state,
                        "paid_on": line.paid_on.isoformat() if line.paid_on else None} for line in lines],
        "transfers": [{"payout_id": payout.id, "paid_on": payout.paid_on.isoformat() if payout.paid_on else "",
                       "remittance": item.remittance, "expense_cents": item.expense_cents,
                       "allowance_cents": item.allowance_cents, "amount_cents": item.amount_cents,
                       "claim_months": sorted({months[c] for c in item.claim_ids if c in months}),
                       "allowance_months": sorted({line_months[i] for i in item.allowance_line_ids if i in line_months})}
                      for item, payout in items if payout.paid_on and payout.paid_on.year == year],
        "certificates": [{"id": c.id, "period_from": c.period_from.isoformat(), "period_to": c.period_to.isoformat(),
                          "minutes": c.minutes, "issued_at": c.issued_at.isoformat()} for c in certificates],
        "statement_years": sorted({str(p.paid_on.year) for _i, p in items if p.paid_on}, reverse=True),
    }


def my_certificate(organization_id: int, guide_id: int, certificate_id: int) -> Certificate:
    cert = db.session.scalar(select(Certificate).where(
        Certificate.id == certificate_id, Certificate.organization_id == organization_id,
        Certificate.guide_id == guide_id, Certificate.revoked_at.is_(None)))
    if cert is None:
        raise MoneyError("not_found")
    return cert


def has_paid_in(organization_id: int, guide_id: int, year: int) -> bool:
    """A year statement exists for a year with at least one paid transfer to her."""
    return db.session.scalar(select(PayoutItem.id).join(Payout, Payout.id == PayoutItem.payout_id).where(
        PayoutItem.guide_id == guide_id, Payout.organization_id == organization_id, Payout.state == "paid",
        extract("year", Payout.paid_on) == year).limit(1)) is not None

