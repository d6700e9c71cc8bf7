"""Matching: which guides to propose for a request, best first, and why.

`rank` is pure (plain data in, ranked proposals out) so the order can be tested without a database;
`load_candidates` reads what it needs for one organization; `describe` turns a reason into words on the
coordinator's page. The score only orders the list — the coordinator decides. What counts, heaviest first:
* language (and dialect): a guide who does not speak the client's language goes to the bottom;
* continuity: who accompanied this client before;
* specialisation (the request's field) and district;
* current load: hours logged this month against the guide's monthly limit (at the limit: far down);
* availability: other assignments overlapping the requested period, and the guide's own note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.guides.hours import load_state
from sync import clock

# Points for how well a guide speaks the language (native and C2 alike: both can interpret).
LEVEL_POINTS = {"native": 6, "C2": 6, "C1": 5, "B2": 4, "B1": 2, "A2": 1, "A1": 0}
LANGUAGE_MATCH, NO_LANGUAGE = 40, -100
DIALECT_MATCH = 10
CONTINUITY = 25
FIELD_MATCH, DISTRICT_MATCH = 15, 10
FULL_LOAD, OVER_LIMIT = 10, -30
PER_OVERLAP = -5
GENERAL_FIELD = "general"


@dataclass(frozen=True)
class Skill:
    language: str
    level: str
    dialect: str = ""


@dataclass(frozen=True)
class Candidate:
    """One active guide as matching sees them."""

    guide_id: int
    name: str
    languages: tuple[Skill, ...] = ()
    specialisations: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()
    availability: str = ""
    monthly_hour_limit: int | None = None
    minutes_this_month: int = 0
    overlapping_assignments: int = 0
    times_with_client: int = 0
    already_offered: bool = False


@dataclass(frozen=True)
class Needs:
    """What the request asks for (any part may be unknown while it is incomplete)."""

    language: str | None = None
    dialect: str = ""
    field: str | None = None
    district: str | None = None
    client_id: str | None = None


@dataclass(frozen=True)
class Reason:
    code: str  # language, no_language, dialect, field, district, load, availability, overlap, continuity
    ok: bool | None  # True: fits (✓), False: does not (✗), None: for information
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Proposal:
    candidate: Candidate
    score: int
    reasons: list[Reason]


def _same_language(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or a.split("-")[0] == b.split("-")[0]


def _best_skill(candidate: Candidate, needs: Needs) -> Skill | None:
    assert needs.language
    skills = [s for s in candidate.languages if _same_language(s.language, needs.language)]
    if not skills:
        return None
    wanted = needs.dialect.strip().casefold()

    def key(s: Skill) -> tuple[bool, int]:
        return (bool(wanted) and s.dialect.strip().casefold() == wanted, LEVEL_POINTS.get(s.level, 0))

    return max(skills, key=key)


def assess(candidate: Candidate, needs: Needs) -> Proposal:
    """Score one candidate against the request, with a reason for every part of the score."""
    score, reasons = 0, []
    if needs.language:
        skill = _best_skill(candidate, needs)
        if skill is None:
            score += NO_LANGUAGE
            reasons.append(Reason("no_language", False, {"language": needs.language}))
        else:
            score += LANGUAGE_MATCH + 3 * LEVEL_POINTS.get(skill.level, 0)
            dialect_ok: bool | None = None
            if needs.dialect.strip():
                dialect_ok = skill.dialect.strip().casefold() == needs.dialect.strip().casefold()
                score += DIALECT_MATCH if dialect_ok else 0
            reasons.append(Reason("language", True, {"language": skill.language, "level": skill.level,
                                                     "dialect": skill.dialect}))
            if dialect_ok is False:
                reasons.append(Reason("dialect", False, {"dialect": needs.dialect.strip()}))
    if needs.client_id and candidate.times_with_client:
        score += CONTINUITY
        reasons.append(Reason("continuity", True, {"count": candidate.times_with_client}))
    if needs.field and needs.field != GENERAL_FIELD:
        fits = needs.field in candidate.specialisations
        score += FIELD_MATCH if fits else 0
        reasons.append(Reason("field", fits, {"field": needs.field}))
    if needs.district:
        fits = needs.district in candidate.districts
        score += DISTRICT_MATCH if fits else 0
        reasons.append(Reason("district", fits, {"district": needs.district}))
    hours = round(candidate.minutes_this_month / 60, 1)
    limit = candidate.monthly_hour_limit
    if limit:
        used = candidate.minutes_this_month / (limit * 60)
        state = load_state(candidate.minutes_this_month, limit)
        if state == "over":
            score += OVER_LIMIT
            reasons.append(Reason("load", False, {"hours": hours, "limit": limit, "state": state}))
        else:
            score += round(FULL_LOAD * (1 - used))
            # Near the limit: no longer a plus, not yet a refusal.
            reasons.append(Reason("load", True if state == "ok" else None,
                                  {"hours": hours, "limit": limit, "state": state}))
    else:
        reasons.append(Reason("load", None, {"hours": hours, "limit": None}))
    if candidate.overlapping_assignments:
        score += PER_OVERLAP * candidate.overlapping_assignments
        reasons.append(Reason("overlap", None, {"count": candidate.overlapping_assignments}))
    if candidate.availability.strip():
        reasons.append(Reason("availability", None, {"text": candidate.availability.strip()}))
    return Proposal(candidate, score, reasons)


def rank(candidates: Iterable[Candidate], needs: Needs) -> list[Proposal]:
    """Best first; equal scores: the one with fewer hours this month, then by name."""
    proposals = [assess(c, needs) for c in candidates]
    proposals.sort(key=lambda p: (-p.score, p.candidate.minutes_this_month, p.candidate.name.casefold(),
                                  p.candidate.guide_id))
    return proposals


# ------------------------------------------------------------------ loading

def load_candidates(session: Session, organization_id: int, *, starts_on: dt.date | None = None,
                    ends_on: dt.date | None = None, client_id: str | None = None,
                    offered_in: Iterable[str] = (), today: dt.date | None = None) -> list[Candidate]:
    """Every active guide of the organization with their profile, load, overlaps and history with the client.

    `offered_in`: assignment ids whose open or accepted offers mark a guide as already asked."""
    from server.activities.models import Activity
    from server.assignments.models import Assignment, AssignmentOffer
    from server.guides.operations import GuideFilters, search_guides

    today = today or clock.today()
    month_start = today.replace(day=1)
    rows = search_guides(session, organization_id, GuideFilters(active="yes"), today)
    minutes = dict(session.execute(
        select(Activity.guide_id, func.sum(Activity.minutes))
        .where(Activity.organization_id == organization_id, Activity.deleted_at.is_(None),
               Activity.date >= month_start, Activity.date <= today)
        .group_by(Activity.guide_id)).all())
    period_start, period_end = starts_on or today, ends_on or starts_on or today
    overlaps = dict(session.execute(
        select(Assignment.guide_id, func.count())
        .where(Assignment.organization_id == organization_id, Assignment.deleted_at.is_(None),
               Assignment.state == "active", Assignment.guide_id.is_not(None),
               Assignment.starts_on <= period_end,
               or_(Assignment.ends_on.is_(None), Assignment.ends_on >= period_start))
        .group_by(Assignment.guide_id)).all())
    with_client: dict[int, int] = {}
    if client_id:
        with_client = dict(session.execute(
            select(Assignment.guide_id, func.count())
            .where(Assignment.organization_id == organization_id, Assignment.deleted_at.is_(None),
                   Assignment.client_id == client_id, Assignment.guide_id.is_not(None),
                   Assignment.state.in_(("active", "ended")))
            .group_by(Assignment.guide_id)).all())
    offered_ids = list(offered_in)
    asked: set[int] = set()
    if offered_ids:
        asked = set(session.scalars(select(AssignmentOffer.guide_id).where(
            AssignmentOffer.organization_id == organization_id, AssignmentOffer.assignment_id.in_(offered_ids),
            AssignmentOffer.state.in_(("offered", "accepted")))))
    return [
        Candidate(
            guide_id=row.user.id, name=row.user.name,
            languages=tuple(Skill(lang.language, lang.level, lang.dialect or "") for lang in row.profile.languages),
            specialisations=frozenset(row.profile.specialisations or []),
            districts=frozenset(row.profile.districts or []),
            availability=row.profile.availability or "", monthly_hour_limit=row.profile.monthly_hour_limit,
            minutes_this_month=int(minutes.get(row.user.id) or 0),
            overlapping_assignments=int(overlaps.get(row.user.id) or 0),
            times_with_client=int(with_client.get(row.user.id) or 0),
            already_offered=row.user.id in asked,
        )
        for row in rows
    ]


# ------------------------------------------------------------------ words

def describe(reason: Reason) -> str:
    """The reason in the page's language, e.g. "speaks Arabic (Levantine, C2)" or "12 of 20 h this month"."""
    from flask_babel import format_decimal, ngettext
    from flask_babel import gettext as _

    from server.labels import SPECIALISATION_LABELS, language_label
    from sync.vocabulary import DISTRICTS

    p = reason.params
    if reason.code == "language":
        details = ", ".join(x for x in (p["dialect"], p["level"]) if x)
        return _("speaks %(language)s (%(details)s)", language=language_label(p["language"]), details=details)
    if reason.code == "no_language":
        return _("does not speak %(language)s", language=language_label(p["language"]))
    if reason.code == "dialect":
        return _("not the dialect %(dialect)s", dialect=p["dialect"])
    if reason.code == "continuity":
        return _("accompanied this client before (%(count)s×)", count=p["count"])
    if reason.code == "field":
        return _("specialisation %(field)s", field=str(SPECIALISATION_LABELS.get(p["field"], p["field"])))
    if reason.code == "district":
        return _("district %(district)s", district=DISTRICTS.get(p["district"], p["district"]))
    if reason.code == "load":
        if p["limit"] is None:
            return _("%(hours)s h this month (no limit)", hours=format_decimal(p["hours"]))
        return _("%(hours)s of %(limit)s h this month", hours=format_decimal(p["hours"]), limit=p["limit"])
    if reason.code == "overlap":
        return ngettext("%(count)s other assignment in this period", "%(count)s other assignments in this period",
                        p["count"], count=p["count"])
    if reason.code == "availability":
        return _("available: %(text)s", text=p["text"])
    return reason.code
