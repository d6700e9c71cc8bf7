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
from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.files import download
from server.coordinator.common.formatting import euros
from server.coordinator.common.forms import ActionForm
from server.coordinator.common.money_messages import money_message
from server.coordinator.common.paging import page_number
from server.coordinator.money.access import get_payout_or_404
from server.coordinator.money.payout_forms import CancelForm, ExportForm, NewPayoutForm, PaidForm
from server.expenses.models import Claim
from server.extensions import db
from server.i18n import flash
from server.money import payable
from server.money.bank import masked_iban
from server.money.errors import MoneyError
from server.money.limits import LEGAL_BASIS_LABELS
from server.money.models import AllowanceLine, Payout
from server.money.operations import (
    cancel_payout,
    claim_totals,
    create_payout,
    export_payout,
    mark_payout_paid,
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


@staff_required
def payout_list() -> Any:
    payouts = list(db.session.scalars(select(Payout).where(Payout.organization_id == current_org_id())
                                      .order_by(Payout.created_at.desc(), Payout.id.desc()).limit(500)))
    return render_template("coordinator/payouts.html", payouts=payouts, payout_states=payout_state_labels(),
                           payable=payable.totals(current_org_id(), payable.Rule()).entries)


def _render_new(form: NewPayoutForm, rule: payable.Rule, page: int = 1, left_out_claims: set[str] | None = None,
                left_out_lines: set[int] | None = None, status: int = 200, errors: list[Any] | None = None) -> Any:
    """The payable entries under the rule (a month, a guide): totals per month and of the whole choice
    from the database, one page of entries to look at or leave out; the payout takes the rule."""
    org_id = current_org_id()
    months = payable.by_month(org_id, rule.guide_id)
    chosen = payable.sum_of(months, rule.month)
    size = payable.PAGE_SIZE
    pages = max(1, -(-chosen.claims // size), -(-chosen.lines // size))
    page = min(page, pages)
    claims = payable.claim_page(org_id, rule, page, size)
    lines = payable.line_page(org_id, rule, page, size)
    left_out_claims, left_out_lines = left_out_claims or set(), left_out_lines or set()
    names = _names({line.guide_id for line in lines})
    released_claims, released_lines = released_from(org_id)
    total = chosen.cents - sum(c.cents for c in claims if c.id in left_out_claims) \
        - sum(line.amount_cents for line in lines if line.id in left_out_lines)
    return render_template(
        "coordinator/payout_new.html", form=form, rule=rule, args=rule.query_args(), page=page, pages=pages,
        chosen=chosen, months=months, guides=payable.guides(org_id),
        claims=claims, lines=lines, names=names, released_claims=released_claims, released_lines=released_lines,
        left_out_claims=left_out_claims, left_out_lines=left_out_lines, legal_bases=LEGAL_BASIS_LABELS,
        total_cents=total, errors=errors or []), status


@staff_required
def new_payout_form() -> Any:
    return _render_new(NewPayoutForm(formdata=None), payable.parse_rule(request.args),
                       page_number(request.args.get("page")))


def _posted_ids(name: str) -> set[str]:
    return {i for i in request.form.getlist(name) if 0 < len(i) <= 36}


def _posted_numbers(name: str) -> set[int]:
    return {int(i) for i in request.form.getlist(name) if i.isdigit() and len(i) < 10}


@staff_required
def create_payout_from_form() -> Any:
    """The page's form names a rule (`rule`, `month`, `guide`): every payable entry under it, on any
    page, but the ones shown and unchecked. A form without a rule names its entries by id."""
    form = NewPayoutForm()
    rule = payable.parse_rule(request.form)
    by_rule = request.form.get("rule") == "1"
    claim_ids, line_ids = _posted_ids("claim"), _posted_numbers("line")
    left_out_claims = _posted_ids("shown_claim") - claim_ids if by_rule else set()
    left_out_lines = _posted_numbers("shown_line") - line_ids if by_rule else set()
    page = page_number(request.form.get("page"))

    def again(status: int, errors: list[Any] | None = None) -> Any:
        return _render_new(form, rule, page, left_out_claims, left_out_lines, status, errors)

    if not form.validate_on_submit():
        return again(400)
    if by_rule:
        claim_list, line_list = payable.chosen(current_org_id(), rule, left_out_claims, left_out_lines)
    else:
        claim_list, line_list = sorted(claim_ids), sorted(line_ids)
    if not claim_list and not line_list:
        return again(400, [money_message(MoneyError("empty"))])
    try:
        payout = create_payout(current_author(), current_org_id(), claim_list, line_list, form.reference.data or "")
    except MoneyError as exc:
        db.session.rollback()
        return again(404 if exc.code == "not_found" else 409, [money_message(exc)])
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


@staff_required
def payout_detail(payout_id: int) -> Any:
    return _render_payout(get_payout_or_404(payout_id))


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


@staff_required
def payout_sepa_file(payout_id: int) -> Any:
    return _download(payout_id, "xml")


@staff_required
def payout_xlsx_file(payout_id: int) -> Any:
    return _download(payout_id, "xlsx")


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
