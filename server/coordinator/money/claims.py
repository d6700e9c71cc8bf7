"""Routes for reviewing claims: the list, one claim with its receipts, deciding its items, and the guide's
flat allowance lines of that month (compute, approve, reopen) with the tax-free limit warning.

Decisions go through `server.money.operations` (which writes through `sync.coordinator`, so the guide's
app receives state and reason on its next sync) and are audited there.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.files import inline_receipt, receipt_blob
from server.coordinator.common.formatting import euros
from server.coordinator.common.forms import ActionForm
from server.coordinator.common.money_messages import money_message
from server.coordinator.money import claim_pages
from server.coordinator.money.access import (
    get_allowance_line_or_404,
    get_claim_expense_or_404,
    get_claim_or_404,
    get_receipt_or_404,
)
from server.expenses.models import Claim
from server.extensions import db
from server.i18n import flash
from server.labels import EXPENSE_CATEGORY_LABELS, STATE_LABELS
from server.money.allowances import approve_allowance_line, compute_allowance_lines, reopen_allowance_line
from server.money.errors import MoneyError
from server.money.limits import LEGAL_BASIS_LABELS
from server.money.operations import approve_remaining, decide_expense


def claim_state_labels() -> dict[str, str]:
    return {"submitted": _("waiting for review"), "decided": _("decided"), "paid": _("paid")}


@staff_required
def claim_list() -> Any:
    org_id = current_org_id()
    filters = claim_pages.parse_claim_filters(request.args)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))
    result = claim_pages.search_claims(org_id, filters, page)
    return render_template("coordinator/claims.html", result=result, filters=filters, args=filters.query_args(),
                           guides=claim_pages.claim_guide_choices(org_id), claim_states=claim_state_labels())


def _render_claim(claim: Claim, status: int = 200, errors: list[Any] | None = None) -> Any:
    return render_template(
        "coordinator/claim.html", page=claim_pages.claim_page(claim), form=ActionForm(),
        categories=EXPENSE_CATEGORY_LABELS, states=STATE_LABELS, claim_states=claim_state_labels(),
        legal_bases=LEGAL_BASIS_LABELS, warn_states=claim_pages.WARN_STATES, errors=errors or []), status


def _refused(claim_id: str, error: MoneyError) -> Any:
    """Undo the half-done action and show the claim again with the reason (409: the state said no)."""
    db.session.rollback()
    status = 400 if error.code == "invalid" else 409
    return _render_claim(get_claim_or_404(claim_id), status, [money_message(error)])


@staff_required
def claim_detail(claim_id: str) -> Any:
    return _render_claim(get_claim_or_404(claim_id))


@staff_required
def decide_item(claim_id: str, expense_id: str) -> Any:
    claim = get_claim_or_404(claim_id)
    expense = get_claim_expense_or_404(claim, expense_id)
    decision = request.form.get("decision", "")
    reason = (request.form.get("reason") or "").strip()[:1000]
    if decision not in ("approved", "rejected"):
        return _render_claim(claim, 400, [_("Choose approve or reject.")])
    # Decided amounts are locked on this page: a second decision (a forged or stale form) is refused.
    if expense.state != "submitted":
        return _render_claim(claim, 409, [money_message(MoneyError("already_decided"))])
    if decision == "rejected" and not reason:
        return _render_claim(claim, 400, [_("Please give a reason for the rejection; the guide reads it in the app.")])
    try:
        decide_expense(current_author(), current_org_id(), expense.id, decision, reason)
    except MoneyError as exc:
        return _refused(claim_id, exc)
    db.session.commit()
    flash(_l("The item was approved.") if decision == "approved"
          else _l("The item was rejected. The guide sees the reason in the app after the next sync."), "info")
    return redirect(url_for("coordinator.claim", claim_id=claim.id) + f"#item-{expense.id}")


@staff_required
def approve_remaining_items(claim_id: str) -> Any:
    claim = get_claim_or_404(claim_id)
    try:
        totals = approve_remaining(current_author(), current_org_id(), claim.id)
    except MoneyError as exc:
        return _refused(claim_id, exc)
    db.session.commit()
    flash(_l("Every remaining item was approved. Approved: %(amount)s.", amount=euros(
        totals.approved_cents)), "info")
    return redirect(url_for("coordinator.claim", claim_id=claim.id))


@staff_required
def receipt_file(receipt_id: int) -> Any:
    """The receipt as uploaded (cleaned), shown inline; only for the expense's own organization."""
    receipt = get_receipt_or_404(receipt_id)
    blob, data = receipt_blob(current_org_id(), receipt.sha256)
    return inline_receipt(receipt.id, blob, data, cache="private, max-age=3600")


@staff_required
def compute_allowances(claim_id: str) -> Any:
    claim = get_claim_or_404(claim_id)
    try:
        lines = compute_allowance_lines(current_author(), current_org_id(), claim.month, claim.guide_id)
    except MoneyError as exc:
        return _refused(claim_id, exc)
    db.session.commit()
    flash(_l("The flat allowance was computed from the month's approved activities.") if lines
          else _l("No approved activity of this month is covered by an allowance rate."), "info")
    return redirect(url_for("coordinator.claim", claim_id=claim.id) + "#allowances")


@staff_required
def approve_allowance(claim_id: str, line_id: int) -> Any:
    claim = get_claim_or_404(claim_id)
    line = get_allowance_line_or_404(claim, line_id)
    try:
        status = approve_allowance_line(current_author(), current_org_id(), line.id)
    except MoneyError as exc:
        return _refused(claim_id, exc)
    db.session.commit()
    flash(_l("The allowance was approved for payout."), "info")
    if status.state in claim_pages.WARN_STATES:
        flash(_l("%(basis)s %(year)s: %(state)s (%(total)s of %(limit)s).", basis=LEGAL_BASIS_LABELS[line.legal_basis],
                year=status.year, state=status.label, total=euros(status.total_cents),
                limit=euros(status.limit_cents)), "error")
    return redirect(url_for("coordinator.claim", claim_id=claim.id) + "#allowances")


@staff_required
def reopen_allowance(claim_id: str, line_id: int) -> Any:
    claim = get_claim_or_404(claim_id)
    line = get_allowance_line_or_404(claim, line_id)
    try:
        reopen_allowance_line(current_author(), current_org_id(), line.id)
    except MoneyError as exc:
        return _refused(claim_id, exc)
    db.session.commit()
    flash(_l("The allowance is open again and can be recomputed."), "info")
    return redirect(url_for("coordinator.claim", claim_id=claim.id) + "#allowances")
