"""What the partner, request, offer and agreement pages share: labels, error texts, unit conversions, audit.

The views live by concept beside this module: partners.py, views.py, offers.py
(the matching list and offering), assignments.py (agreements).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.accounts.models import User
from server.assignments import matching
from server.assignments.models import PartnerInstitution
from server.audit.log import record_event
from server.coordinator.common.auth import current_org_id
from server.extensions import db
from server.labels import SPECIALISATION_LABELS, language_label
from sync.vocabulary import DISTRICTS

FIELD_LABELS: dict[str, Any] = {matching.GENERAL_FIELD: _l("General (no specialisation)"), **SPECIALISATION_LABELS}
REQUIRED_LABELS = {
    "field": _l("field"), "language": _l("language"), "district": _l("district"), "starts_on": _l("start"),
    "ends_on": _l("end"), "expected_minutes": _l("expected effort"), "contact": _l("contact"),
    "people_count": _l("number of people"),
}
REQUEST_STATE_LABELS = {"open": _l("open"), "matched": _l("guide found"), "closed": _l("closed"),
                        "cancelled": _l("cancelled")}
REQUEST_SOURCE_LABELS = {"desk": _l("At the desk"), "web_form": _l("From the web form")}
ASSIGNMENT_STATE_LABELS = {"draft": _l("draft"), "offered": _l("offered"), "active": _l("active"),
                           "ended": _l("ended"), "cancelled": _l("cancelled")}
OFFER_STATE_LABELS = {"offered": _l("waiting for an answer"), "accepted": _l("accepted"),
                      "declined": _l("declined"), "taken": _l("taken by someone else"),
                      "withdrawn": _l("withdrawn")}
ERRORS = {
    "no_guide": _l("Choose at least one guide."),
    "unknown_guide": _l("One of the chosen guides does not belong to this organization."),
    "client_code_missing": _l("Choose a client or enter a new client code."),
    "period_order": _l("The end lies before the start."),
    "not_open": _l("Only an assignment nobody has accepted yet can be changed this way."),
    "not_active": _l("Only an active assignment can be ended."),
}


def page_labels() -> dict[str, Any]:
    return {"districts": DISTRICTS, "fields": FIELD_LABELS, "required_labels": REQUIRED_LABELS,
            "request_states": REQUEST_STATE_LABELS, "request_sources": REQUEST_SOURCE_LABELS,
            "assignment_states": ASSIGNMENT_STATE_LABELS,
            "offer_states": OFFER_STATE_LABELS, "language_name": language_label, "describe": matching.describe}


def to_minutes(hours: Decimal | None) -> int | None:
    return None if hours is None else int(round(hours * 60))


def to_hours(minutes: int | None) -> Decimal | None:
    return None if minutes is None else (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def audit(action: str, object_type: str, object_id: Any, **details: Any) -> None:
    record_event(action, current_org_id(), actor_user_id=current_user.id, object_type=object_type,
                 object_id=object_id, details=details)


def organization_partners() -> list[PartnerInstitution]:
    from sqlalchemy import func, select

    return list(db.session.scalars(select(PartnerInstitution).where(
        PartnerInstitution.organization_id == current_org_id()).order_by(func.lower(PartnerInstitution.name))))


def rank_guides(needs: matching.Needs, starts_on: dt.date | None, ends_on: dt.date | None,
                offered_in: list[str]) -> list[matching.Proposal]:
    candidates = matching.load_candidates(db.session, current_org_id(), starts_on=starts_on, ends_on=ends_on,
                                          client_id=needs.client_id, offered_in=offered_in)
    return matching.rank(candidates, needs)


def guide_names(ids: list[int]) -> dict[int, str]:
    from sqlalchemy import select

    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(set(ids)))).all())
