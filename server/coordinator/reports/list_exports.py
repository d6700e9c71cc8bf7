"""CSV and XLSX downloads of the desk's list pages, with the page's filters applied: guides, requests,
assignments, claims, payouts and review (the audit log's is in desk/audit.py). Each export reads the
filters with the page's own parser and lists what the page lists (without its paging, up to EXPORT_LIMIT
rows); the file conventions are in server/coordinator/common/exports.py. Each download is audited.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from server.activities import review
from server.assignments import operations as assignments
from server.audit.log import record_event
from server.coordinator.common.auth import current_org_id, staff_required
from server.coordinator.common.exports import Column, euros, export_response, hours
from server.coordinator.guides.views import guide_filters
from server.coordinator.money import claim_pages
from server.coordinator.money.payouts import payout_state_labels
from server.coordinator.requests.assignments import agreement_filters
from server.coordinator.requests.common import (
    ASSIGNMENT_STATE_LABELS,
    FIELD_LABELS,
    REQUEST_STATE_LABELS,
    guide_names,
)
from server.coordinator.requests.views import request_filters
from server.extensions import db
from server.guides import operations as guides
from server.guides.hours import logged_minutes
from server.labels import (
    ACTIVITY_KIND_LABELS,
    SPECIALISATION_LABELS,
    STATE_LABELS,
    label,
    language_label,
)
from server.money.models import Payout
from sync import clock
from sync.vocabulary import DISTRICTS

EXPORT_LIMIT = 10_000


def _send(file_format: str, name: str, title: str, columns: list[Column], rows: list[list[Any]]) -> Any:
    record_event("export.downloaded", current_org_id(), actor_user_id=current_user.id, object_type="list",
                 object_id=name, details={"format": file_format, "rows": len(rows),
                                          "filters": {k: v[:100] for k, v in request.args.items()}})
    db.session.commit()
    return export_response(file_format, f"{name}-{clock.today().isoformat()}", title, columns, rows)


def _districts(codes: list[str] | None) -> str:
    return ", ".join(DISTRICTS.get(c, c) for c in codes or [])


@staff_required
def export_guides(file_format: str) -> Any:
    rows = guides.search_guides(db.session, current_org_id(), guide_filters(request.args))[:EXPORT_LIMIT]
    columns = [Column(_("Name"), width=26), Column(_("Email"), width=28), Column(_("Phone"), width=16),
               Column(_("Languages"), width=30), Column(_("Specialisations"), width=30),
               Column(_("Districts"), width=30), Column(_("Monthly hour limit"), "int", 12),
               Column(_("Last activity"), "date", 12), Column(_("Active"), width=8)]
    return _send(file_format, "guides", _("Guides"), columns, [[
        row.user.name, row.user.email, row.profile.phone or "",
        ", ".join(f"{language_label(lang.language)} ({lang.level})" for lang in row.profile.languages),
        ", ".join(label(SPECIALISATION_LABELS, s) for s in row.profile.specialisations or []),
        _districts(row.profile.districts), row.profile.monthly_hour_limit, row.last_activity,
        _("yes") if row.user.active else _("no")] for row in rows])


@staff_required
def export_requests(file_format: str) -> Any:
    rows = assignments.search_requests(db.session, current_org_id(), request_filters(request.args))[:EXPORT_LIMIT]
    columns = [Column(_("Number"), "int", 8), Column(_("Received"), "datetime", 16), Column(_("Partner"), width=26),
               Column(_("Field"), width=20), Column(_("Language"), width=16), Column(_("District"), width=18),
               Column(_("From"), "date", 12), Column(_("Until"), "date", 12),
               Column(_("Expected hours"), "hours", 10), Column(_("Status"), width=14)]
    return _send(file_format, "requests", _("Requests"), columns, [[
        r.id, r.created_at, r.partner.name if r.partner else "", label(FIELD_LABELS, r.field),
        language_label(r.language) if r.language else "", DISTRICTS.get(r.district or "", r.district or ""),
        r.starts_on, r.ends_on, hours(r.expected_minutes), label(REQUEST_STATE_LABELS, r.state)] for r in rows])


@staff_required
def export_assignments(file_format: str) -> Any:
    rows = assignments.agreements(db.session, current_org_id(), agreement_filters(request.args))[:EXPORT_LIMIT]
    names = guide_names([a.guide_id for a in rows if a.guide_id])
    logged = logged_minutes(db.session, [a.id for a in rows])
    columns = [Column(_("Title"), width=30), Column(_("Guide"), width=24), Column(_("From"), "date", 12),
               Column(_("Until"), "date", 12), Column(_("Planned hours"), "hours", 10),
               Column(_("Logged hours"), "hours", 10), Column(_("Status"), width=14)]
    return _send(file_format, "assignments", _("Assignments"), columns, [[
        a.title, names.get(a.guide_id, "") if a.guide_id else "", a.starts_on, a.ends_on, hours(a.planned_minutes),
        hours(logged.get(a.id, 0)), label(ASSIGNMENT_STATE_LABELS, a.state)] for a in rows])


@staff_required
def export_claims(file_format: str) -> Any:
    from server.coordinator.money.claims import claim_state_labels

    result = claim_pages.search_claims(current_org_id(), claim_pages.parse_claim_filters(request.args), 1,
                                       page_size=EXPORT_LIMIT)
    states = claim_state_labels()
    columns = [Column(_("Month"), width=10), Column(_("Guide"), width=26), Column(_("Items"), "int", 8),
               Column(_("Claimed (EUR)"), "euro", 14), Column(_("Approved (EUR)"), "euro", 14),
               Column(_("Rejected (EUR)"), "euro", 14), Column(_("Undecided (EUR)"), "euro", 14),
               Column(_("Submitted"), "datetime", 16), Column(_("Status"), width=14)]
    return _send(file_format, "claims", _("Claims"), columns, [[
        r.claim.month, r.guide_name, r.totals.items, euros(r.totals.claimed_cents), euros(r.totals.approved_cents),
        euros(r.totals.rejected_cents), euros(r.totals.undecided_cents), r.claim.submitted_at,
        states.get(r.claim.state, r.claim.state)] for r in result.rows])


@staff_required
def export_payouts(file_format: str) -> Any:
    query = select(Payout).where(Payout.organization_id == current_org_id())
    state = request.args.get("state", "")
    if state in payout_state_labels():
        query = query.where(Payout.state == state)
    payouts = db.session.scalars(query.order_by(Payout.created_at.desc(), Payout.id.desc()).limit(EXPORT_LIMIT))
    states = payout_state_labels()
    columns = [Column(_("Number"), "int", 8), Column(_("Reference"), width=24), Column(_("Created"), "datetime", 16),
               Column(_("Execution date"), "date", 12), Column(_("Paid on"), "date", 12),
               Column(_("Total (EUR)"), "euro", 14), Column(_("Status"), width=14)]
    return _send(file_format, "payouts", _("Payouts"), columns, [[
        p.id, p.reference, p.created_at, p.execution_date, p.paid_on, euros(p.total_cents), states.get(p.state, p.state)]
        for p in payouts])


@staff_required
def export_review(file_format: str) -> Any:
    page = review.search(db.session, current_org_id(), review.parse_filters(request.args), 1, page_size=EXPORT_LIMIT)
    columns = [Column(_("Date"), "date", 12), Column(_("Guide"), width=24), Column(_("Kind"), width=18),
               Column(_("Hours"), "hours", 8), Column(_("District"), width=18), Column(_("Travel (km)"), "int", 10),
               Column(_("Needs professional help"), width=10), Column(_("Note"), width=50),
               Column(_("Status"), width=12)]
    return _send(file_format, "activities", _("Review"), columns, [[
        a.date, name, label(ACTIVITY_KIND_LABELS, a.kind), hours(a.minutes), DISTRICTS.get(a.district or "", ""),
        a.travel_km, _("yes") if a.needs_professional_help else "", a.note, label(STATE_LABELS, a.state)]
        for a, name in page.rows])
