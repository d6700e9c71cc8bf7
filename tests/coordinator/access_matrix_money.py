"""The money pages' rows of the access matrix (claims, receipts, payouts, rates, reports, certificates).

Their objects are made on first use per organization, so the matrix's fixture stays the desk's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.extensions import db
from tests.coordinator.access_matrix_base import Objects, Route, org_of

MONEY_ROUTES: list[Route] = []


def _certificate_of(o: Objects) -> int:
    """A certificate of the organization of `o` (made on first use)."""
    import datetime as dt

    from server.money.models import Certificate

    cert_id = db.session.scalar(select(Certificate.id).where(Certificate.guide_id == o.guide_id))
    if cert_id is None:
        cert = Certificate(organization_id=org_of(o.guide_id), guide_id=o.guide_id, token=f"t-{o.guide_id}",
                           period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 6, 30), guide_name="G",
                           organization_name="O", signer_name="S", minutes=60)
        db.session.add(cert)
        db.session.commit()
        cert_id = cert.id
    return cert_id


# Rates, limits, reports, year statements, certificates (rate_views.py, report_views.py,
# allowance_ledger_views.py, certificate_views.py). Coordinators read the rates; only admins change them (403).
_RATE_ADMIN = {"admin_only": True, "refused_status": 403}
MONEY_ROUTES += [
    Route("coordinator.rates", "GET", lambda o: "/coordinator/rates", False),
    Route("coordinator.add_km_rate", "POST", lambda o: "/coordinator/rates/km", False,
          data={"mode": "car", "valid_from": "2030-01-01", "euros_per_km": "0,35"}, **_RATE_ADMIN),
    Route("coordinator.add_allowance_rate", "POST", lambda o: "/coordinator/rates/allowance", False,
          data={"unit": "hour", "legal_basis": "ehrenamt_26a", "valid_from": "2030-01-01", "euros": "5"},
          **_RATE_ADMIN),
    Route("coordinator.set_limit", "POST", lambda o: "/coordinator/rates/limits", False,
          data={"year": "2030", "legal_basis": "ehrenamt_26a", "euros": "840"}, **_RATE_ADMIN),
    Route("coordinator.reports", "GET", lambda o: "/coordinator/reports?kind=quarter&year=2026&number=1", False),
    Route("coordinator.report_file", "GET",
          lambda o: "/coordinator/reports/report.csv?kind=month&year=2026&number=1", False),
    Route("coordinator.year_statement", "GET",
          lambda o: f"/coordinator/guides/{o.guide_id}/year-statement.pdf?year=2026"),
    Route("coordinator.certificates", "GET", lambda o: "/coordinator/certificates", False),
    Route("coordinator.certificate_issue", "POST", lambda o: "/coordinator/certificates", False,
          data={"period_from": "2026-01-01", "period_to": "2026-06-30"}),
    Route("coordinator.certificate_file", "GET", lambda o: f"/coordinator/certificates/{_certificate_of(o)}.pdf"),
    Route("coordinator.certificate_revoke", "POST",
          lambda o: f"/coordinator/certificates/{_certificate_of(o)}/revoke"),
]


def _claim_of(o: Objects) -> Any:
    """A submitted claim of the guide of `o` with one expense and an uploaded receipt (made on first use)."""
    import datetime as dt
    import hashlib

    from server.blobs.models import Blob
    from server.blobs.store import blob_store
    from server.expenses.models import Claim, Expense, ExpenseReceipt

    claim = db.session.scalar(select(Claim).where(Claim.guide_id == o.guide_id))
    if claim is None:
        org_id = org_of(o.guide_id)
        claim = Claim(organization_id=org_id, guide_id=o.guide_id, month="2026-10", state="submitted")
        db.session.add(claim)
        db.session.flush()
        expense = Expense(organization_id=org_id, guide_id=o.guide_id, date=dt.date(2026, 10, 2), category="other",
                          amount_cents=500, state="submitted", claim_id=claim.id)
        data = b"%PDF-1.4\n% receipt of " + str(o.guide_id).encode() + b"\n%%EOF\n"
        sha = hashlib.sha256(data).hexdigest()
        db.session.add_all([expense, Blob(sha256=sha, organization_id=org_id, content_type="application/pdf",
                                          size_bytes=len(data))])
        db.session.flush()
        db.session.add(ExpenseReceipt(expense_id=expense.id, sha256=sha))
        db.session.add(_allowance_line(org_id, o.guide_id))
        blob_store().write(org_id, sha, data)
        db.session.commit()
    return claim


def _allowance_line(org_id: int, guide_id: int) -> Any:
    from server.money.models import AllowanceLine

    return AllowanceLine(organization_id=org_id, guide_id=guide_id, month="2026-10", legal_basis="ehrenamt_26a",
                         amount_cents=1000)


def _claim_item(o: Objects, what: str) -> str:
    """The id of the claim's expense, receipt or allowance line, for URLs."""
    from server.expenses.models import Expense, ExpenseReceipt
    from server.money.models import AllowanceLine

    claim = _claim_of(o)
    expense_id = db.session.scalar(select(Expense.id).where(Expense.claim_id == claim.id))
    if what == "expense":
        return str(expense_id)
    if what == "receipt":
        return str(db.session.scalar(select(ExpenseReceipt.id).where(ExpenseReceipt.expense_id == expense_id)))
    return str(db.session.scalar(select(AllowanceLine.id).where(AllowanceLine.guide_id == o.guide_id)))


def _payout_of(o: Objects) -> int:
    """An empty draft payout of the organization of `o` (made on first use)."""
    from server.money.models import Payout

    org_id = org_of(o.guide_id)
    payout_id = db.session.scalar(select(Payout.id).where(Payout.organization_id == org_id))
    if payout_id is None:
        payout = Payout(organization_id=org_id, state="draft", reference=f"LB-{org_id}")
        db.session.add(payout)
        db.session.commit()
        payout_id = payout.id
    return payout_id


# Claims, receipts and payouts (claim_views.py, payout_views.py).
MONEY_ROUTES += [
    Route("coordinator.claims", "GET", lambda o: "/coordinator/claims?state=submitted", False),
    Route("coordinator.claim", "GET", lambda o: f"/coordinator/claims/{_claim_of(o).id}"),
    Route("coordinator.decide_item", "POST",
          lambda o: f"/coordinator/claims/{_claim_of(o).id}/items/{_claim_item(o, 'expense')}",
          data={"decision": "rejected", "reason": "Beleg fehlt"}),
    Route("coordinator.approve_remaining_items", "POST",
          lambda o: f"/coordinator/claims/{_claim_of(o).id}/approve-remaining"),
    Route("coordinator.receipt_file", "GET", lambda o: f"/coordinator/receipts/{_claim_item(o, 'receipt')}"),
    Route("coordinator.compute_allowances", "POST", lambda o: f"/coordinator/claims/{_claim_of(o).id}/allowances/compute"),
    Route("coordinator.approve_allowance", "POST",
          lambda o: f"/coordinator/claims/{_claim_of(o).id}/allowances/{_claim_item(o, 'line')}/approve"),
    Route("coordinator.reopen_allowance", "POST",
          lambda o: f"/coordinator/claims/{_claim_of(o).id}/allowances/{_claim_item(o, 'line')}/reopen"),
    Route("coordinator.payouts", "GET", lambda o: "/coordinator/payouts", False),
    Route("coordinator.new_payout", "GET", lambda o: "/coordinator/payouts/new", False),
    Route("coordinator.create_payout", "POST", lambda o: "/coordinator/payouts/new", False, data={"reference": "x"}),
    Route("coordinator.payout", "GET", lambda o: f"/coordinator/payouts/{_payout_of(o)}"),
    Route("coordinator.remove_from_payout", "POST", lambda o: f"/coordinator/payouts/{_payout_of(o)}/remove"),
    Route("coordinator.export_payout", "POST", lambda o: f"/coordinator/payouts/{_payout_of(o)}/export",
          data={"execution_date": "2026-11-30"}),
    Route("coordinator.payout_sepa_file", "GET", lambda o: f"/coordinator/payouts/{_payout_of(o)}/sepa.xml"),
    Route("coordinator.payout_xlsx_file", "GET", lambda o: f"/coordinator/payouts/{_payout_of(o)}/payout.xlsx"),
    Route("coordinator.mark_payout_paid", "POST", lambda o: f"/coordinator/payouts/{_payout_of(o)}/paid",
          data={"paid_on": "2026-11-25"}),
    Route("coordinator.cancel_payout", "POST", lambda o: f"/coordinator/payouts/{_payout_of(o)}/cancel",
          data={"reason": "Test"}),
]
