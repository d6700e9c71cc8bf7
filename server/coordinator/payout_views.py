"""Routes for payouts: the list, a new draft from payable claims and allowance lines, one payout with its
transfers, removing from a draft, export (the SEPA pain.001 XML and the XLSX, downloadable again later),
marking paid and cancelling.

The workflow and its rules live in `server.money.operations` (which audits every step); the files come
from `server.money.payout_files`, made from the payout's frozen items so every total agrees to the cent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from server.accounts.models import User
from server.audit.log import record_event
from server.coordinator.auth import current_author, current_org_id, staff_required
from server.coordinator.files import download
from server.coordinator.formatting import euros
from server.coordinator.forms import ActionForm
from server.coordinator.money_access import get_payout_or_404
from server.coordinator.money_forms import CancelForm, ExportForm, NewPayoutForm, PaidForm
from server.coordinator.money_messages import money_message
from server.coordinator.views import bp
from server.expenses.models import Claim, Payout
from server.extensions import db
from server.i18n import flash
from server.money.bank import masked_iban
from server.money.errors import MoneyError
from server.money.limits import LEGAL_BASIS_LABELS
from server.money.models import AllowanceLine
from server.money.operations import (
    cancel_payout,
    claim_totals,
    create_payout,
    export_payout,
    mark_payout_paid,
    payable_allowance_lines,
    payable_claims,
    payout_items,
    released_from,
    remove_from_payout,
)
from server.money.payout_files import PAIN_SCHEMA, payout_xlsx, sepa_xml
from sync import clock

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



def payout_state_labels() -> dict[str, str]:
    return {"draft": _("draft"), "exported": _("exported"), "paid": _("paid"), "cancelled": _("cancelled")}


def _names(user_ids: set[int]) -> dict[int, str]:
    return {row[0]: row[1] for row in db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))}


def _next_weekday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


# ------------------------------------------------------------------ list and new


@bp.get("/payouts", endpoint="payouts")
@staff_required
def payout_list() -> Any:
    payouts = list(db.session.scalars(select(Payout).where(Payout.organization_id == current_org_id())
                                      .order_by(Payout.created_at.desc(), Payout.id.desc()).limit(500)))
    return render_template("coordinator/payouts.html", payouts=payouts, payout_states=payout_state_labels(),
                           payable=len(payable_claims(current_org_id())) + len(payable_allowance_lines(
                               current_org_id())))


def _render_new(form: NewPayoutForm, chosen_claims: set[str] | None = None, chosen_lines: set[int] | None = None,
                status: int = 200, errors: list[Any] | None = None) -> Any:
    org_id = current_org_id()
    claims = [(claim, claim_totals(claim).approved_cents) for claim in payable_claims(org_id)]
    lines = payable_allowance_lines(org_id)
    names = _names({c.guide_id for c, _cents in claims} | {line.guide_id for line in lines})
    released_claims, released_lines = released_from(org_id)
    return render_template(
        "coordinator/payout_new.html", form=form, claims=claims, lines=lines, names=names,
        released_claims=released_claims, released_lines=released_lines,
        chosen_claims=chosen_claims, chosen_lines=chosen_lines, legal_bases=LEGAL_BASIS_LABELS,
        total_cents=sum(cents for c, cents in claims if chosen_claims is None or c.id in chosen_claims)
        + sum(line.amount_cents for line in lines if chosen_lines is None or line.id in chosen_lines),
        errors=errors or []), status


@bp.get("/payouts/new", endpoint="new_payout")
@staff_required
def new_payout_form() -> Any:
    return _render_new(NewPayoutForm(formdata=None))


@bp.post("/payouts/new", endpoint="create_payout")
@staff_required
def create_payout_from_form() -> Any:
    form = NewPayoutForm()
    claim_ids = {i for i in request.form.getlist("claim") if 0 < len(i) <= 36}
    line_ids = {int(i) for i in request.form.getlist("line") if i.isdigit() and len(i) < 10}
    if not form.validate_on_submit():
        return _render_new(form, claim_ids, line_ids, 400)
    if not claim_ids and not line_ids:
        return _render_new(form, claim_ids, line_ids, 400, [money_message(MoneyError("empty"))])
    try:
        payout = create_payout(current_author(), current_org_id(), sorted(claim_ids), sorted(line_ids),
                               form.reference.data or "")
    except MoneyError as exc:
        db.session.rollback()
        return _render_new(form, claim_ids, line_ids, 404 if exc.code == "not_found" else 409,
                           [money_message(exc)])
    db.session.commit()
    flash(_l("The payout was created as a draft: %(amount)s.", amount=euros(payout.total_cents)), "info")
    return redirect(url_for("coordinator.payout", payout_id=payout.id))


# ------------------------------------------------------------------ one payout


def _render_payout(payout: Payout, status: int = 200, errors: list[Any] | None = None,
                   export_form: ExportForm | None = None, paid_form: PaidForm | None = None,
                   cancel_form: CancelForm | None = None) -> Any:
    items = payout_items(payout)
    claims = list(db.session.scalars(select(Claim).where(Claim.payout_id == payout.id)
                                     .order_by(Claim.month, Claim.guide_id)))
    lines = list(db.session.scalars(select(AllowanceLine).where(AllowanceLine.payout_id == payout.id)
                                    .order_by(AllowanceLine.month, AllowanceLine.guide_id)))
    names = _names({c.guide_id for c in claims} | {line.guide_id for line in lines})
    today = clock.today()
    released_claims, released_lines = released_from(payout.organization_id)
    return render_template(
        "coordinator/payout.html", payout=payout, released_claims=released_claims, released_lines=released_lines, items=items, claims=[(c, claim_totals(c)) for c in claims],
        lines=lines, names=names, masked_iban=masked_iban, payout_states=payout_state_labels(),
        legal_bases=LEGAL_BASIS_LABELS, action_form=ActionForm(), errors=errors or [], pain_schema=PAIN_SCHEMA,
        export_form=export_form or ExportForm(formdata=None, execution_date=_next_weekday(today)),
        paid_form=paid_form or PaidForm(formdata=None, paid_on=min(payout.execution_date or today, today)),
        cancel_form=cancel_form or CancelForm(formdata=None),
        items_total=sum(i.amount_cents for i in items)), status


def _refused(payout_id: int, error: MoneyError, **forms: Any) -> Any:
    db.session.rollback()
    status = 400 if error.code == "invalid" else 409
    return _render_payout(get_payout_or_404(payout_id), status, [money_message(error)], **forms)


@bp.get("/payouts/<int:payout_id>", endpoint="payout")
@staff_required
def payout_detail(payout_id: int) -> Any:
    return _render_payout(get_payout_or_404(payout_id))


@bp.post("/payouts/<int:payout_id>/remove", endpoint="remove_from_payout")
@staff_required
def remove_view(payout_id: int) -> Any:
    payout = get_payout_or_404(payout_id)
    claim_id = request.form.get("claim") or None
    line = request.form.get("line") or ""
    line_id = int(line) if line.isdigit() and len(line) < 10 else None
    if (claim_id is None) == (line_id is None) or (claim_id and len(claim_id) > 36):
        return _render_payout(payout, 400, [_("Choose one claim or allowance line to remove.")])
    try:
        remove_from_payout(current_author(), current_org_id(), payout.id, claim_id=claim_id, allowance_line_id=line_id)
    except MoneyError as exc:
        if exc.code == "not_found":
            db.session.rollback()
            return _render_payout(get_payout_or_404(payout_id), 404, [money_message(exc)])
        return _refused(payout_id, exc)
    db.session.commit()
    flash(_l("Removed from the payout; it is payable again. New total: %(amount)s.", amount=euros(payout.total_cents)),
          "info")
    return redirect(url_for("coordinator.payout", payout_id=payout.id))


@bp.post("/payouts/<int:payout_id>/export", endpoint="export_payout")
@staff_required
def export_payout_view(payout_id: int) -> Any:
    payout = get_payout_or_404(payout_id)
    form = ExportForm()
    if not form.validate_on_submit():
        return _render_payout(payout, 400, export_form=form)
    try:
        export_payout(current_author(), current_org_id(), payout.id, form.execution_date.data)
        # Make both files once now: a payout whose files cannot be made must not stay exported.
        sepa_xml(payout)
        payout_xlsx(payout)
    except MoneyError as exc:
        return _refused(payout_id, exc, export_form=form)
    db.session.commit()
    flash(_l("The payout was exported. Download the SEPA file for the bank and the spreadsheet for the finance "
            "office; it can no longer change."), "info")
    return redirect(url_for("coordinator.payout", payout_id=payout.id))


def _download(payout_id: int, kind: str) -> Any:
    payout = get_payout_or_404(payout_id)
    try:
        data = sepa_xml(payout) if kind == "xml" else payout_xlsx(payout)
    except MoneyError as exc:
        return _refused(payout_id, exc)
    record_event("money.payout_downloaded", current_org_id(), actor_user_id=current_user.id, object_type="payout",
                 object_id=payout.id, details={"file": kind})
    db.session.commit()
    filename = f"payout-{payout.id}-{PAIN_SCHEMA}.xml" if kind == "xml" else f"payout-{payout.id}.xlsx"
    return download(data, "application/xml" if kind == "xml" else XLSX_TYPE, filename, cache="private, no-store")


@bp.get("/payouts/<int:payout_id>/sepa.xml")
@staff_required
def payout_sepa_file(payout_id: int) -> Any:
    return _download(payout_id, "xml")


@bp.get("/payouts/<int:payout_id>/payout.xlsx")
@staff_required
def payout_xlsx_file(payout_id: int) -> Any:
    return _download(payout_id, "xlsx")


@bp.post("/payouts/<int:payout_id>/paid", endpoint="mark_payout_paid")
@staff_required
def mark_paid_view(payout_id: int) -> Any:
    payout = get_payout_or_404(payout_id)
    form = PaidForm()
    if not form.validate_on_submit():
        return _render_payout(payout, 400, paid_form=form)
    try:
        mark_payout_paid(current_author(), current_org_id(), payout.id, form.paid_on.data)
    except MoneyError as exc:
        return _refused(payout_id, exc, paid_form=form)
    db.session.commit()
    flash(_l("The payout is marked paid. The guides' apps show their expenses as paid after the next sync."), "info")
    return redirect(url_for("coordinator.payout", payout_id=payout.id))


@bp.post("/payouts/<int:payout_id>/cancel", endpoint="cancel_payout")
@staff_required
def cancel_view(payout_id: int) -> Any:
    payout = get_payout_or_404(payout_id)
    form = CancelForm()
    if not form.validate_on_submit() or not (form.reason.data or "").strip():
        return _render_payout(payout, 400, [_("Please give a reason.")], cancel_form=form)
    try:
        cancel_payout(current_author(), current_org_id(), payout.id, form.reason.data or "",
                      bank_not_executed=bool(form.bank_not_executed.data))
    except MoneyError as exc:
        return _refused(payout_id, exc, cancel_form=form)
    db.session.commit()
    flash(_l("The payout was cancelled; its claims and allowance lines are payable again."), "info")
    return redirect(url_for("coordinator.payout", payout_id=payout.id))
