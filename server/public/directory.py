"""The city's directory of guide projects: each organization's public profile, edited as a draft on the
desk, published as a copy, with counts refreshed from live data on publish and nightly
(`flask --app server refresh-directory`). Guides are only ever counted here, never named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from server.accounts.models import Membership, User
from server.guides.models import GuideLanguage, GuideProfile
from server.organizations.models import Organization
from server.public.models import PROFILE_FIELDS, PROFILE_TEXT_FIELDS, PublicProfile
from sync.clock import utcnow
from sync.vocabulary import DISTRICTS, SPECIALISATIONS

TEXT_MAX = 2000


def profile_for(session: Session, organization_id: int) -> PublicProfile:
    """The organization's profile, created (unsaved until the caller commits) on first use."""
    profile = session.get(PublicProfile, organization_id)
    if profile is None:
        profile = PublicProfile(organization_id=organization_id, form_enabled=False, privacy_notice="",
                                districts=[], specialisations=[], offer="", how_to_get_help="",
                                how_to_become_guide="", contact="")
        session.add(profile)
    return profile


def save_draft(profile: PublicProfile, values: dict[str, Any]) -> list[str]:
    """Take the desk's edit of the directory entry; returns the changed fields. Unknown codes are dropped."""
    cleaned: dict[str, Any] = {
        "districts": [code for code in DISTRICTS if code in set(values.get("districts") or [])],
        "specialisations": [code for code in SPECIALISATIONS if code in set(values.get("specialisations") or [])],
    }
    for name in PROFILE_TEXT_FIELDS:
        cleaned[name] = str(values.get(name) or "").strip()[:TEXT_MAX]
    changed = [name for name in PROFILE_FIELDS if getattr(profile, name) != cleaned[name]]
    for name in changed:
        setattr(profile, name, cleaned[name])
    if changed:
        profile.updated_at = utcnow()
    return changed


def live_numbers_of(session: Session, organization_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per organization: its active guides, and per language how many of them speak it (counts only).
    Two grouped queries for any number of organizations (the nightly refresh does them all at once)."""
    active_guide = (Membership.organization_id.in_(organization_ids), Membership.role == "guide",
                    User.active.is_(True), User.erased_at.is_(None))
    numbers: dict[int, dict[str, Any]] = {org_id: {"guides": 0, "languages": {}} for org_id in organization_ids}
    for org_id, guides in session.execute(
            select(Membership.organization_id, func.count()).join(User, User.id == Membership.user_id)
            .where(*active_guide).group_by(Membership.organization_id)):
        numbers[org_id]["guides"] = guides
    per_language = session.execute(
        select(GuideProfile.organization_id, func.lower(GuideLanguage.language),
               func.count(distinct(GuideProfile.user_id)))
        .join(GuideProfile, GuideProfile.id == GuideLanguage.profile_id)
        .join(Membership, (Membership.user_id == GuideProfile.user_id)
              & (Membership.organization_id == GuideProfile.organization_id))
        .join(User, User.id == Membership.user_id)
        .where(*active_guide, GuideProfile.deleted_at.is_(None), GuideLanguage.language != "")
        .group_by(GuideProfile.organization_id, func.lower(GuideLanguage.language)))
    for org_id, language, count in per_language:
        numbers[org_id]["languages"][language] = count
    for entry in numbers.values():
        entry["languages"] = dict(sorted(entry["languages"].items()))
    return numbers


def live_numbers(session: Session, organization_id: int) -> dict[str, Any]:
    return live_numbers_of(session, [organization_id])[organization_id]


def refresh_numbers(session: Session, profile: PublicProfile, numbers: dict[str, Any] | None = None) -> bool:
    """Recount from live data (or take `numbers` counted already); True when a count changed."""
    numbers = numbers if numbers is not None else live_numbers(session, profile.organization_id)
    changed = numbers != profile.numbers
    profile.numbers = numbers
    profile.numbers_refreshed_at = utcnow()
    return changed


def publish(session: Session, profile: PublicProfile) -> None:
    profile.published = profile.draft()
    profile.published_at = utcnow()
    refresh_numbers(session, profile)


def withdraw(profile: PublicProfile) -> None:
    profile.published = None
    profile.published_at = None


def refresh_directory(session: Session) -> tuple[int, int]:
    """Recount every listed organization (the nightly job); returns (refreshed, changed). Idempotent."""
    profiles = list(session.scalars(select(PublicProfile).where(PublicProfile.published.is_not(None))))
    numbers = live_numbers_of(session, [p.organization_id for p in profiles])
    changed = sum(refresh_numbers(session, p, numbers[p.organization_id]) for p in profiles)
    return len(profiles), changed


# ------------------------------------------------------------------ reading the directory

@dataclass
class Entry:
    """One organization as the directory shows it."""

    slug: str
    name: str
    accepts_requests: bool
    districts: list[str]
    specialisations: list[str]
    languages: dict[str, int]
    guides: int
    offer: str = ""
    how_to_get_help: str = ""
    how_to_become_guide: str = ""
    contact: str = ""
    published_at: dt.datetime | None = None
    numbers_refreshed_at: dt.datetime | None = None


@dataclass
class Filters:
    district: str = ""
    language: str = ""
    specialisation: str = ""
    options_languages: list[str] = field(default_factory=list)

    def matches(self, entry: Entry) -> bool:
        return ((not self.district or self.district in entry.districts)
                and (not self.language or entry.languages.get(self.language, 0) > 0)
                and (not self.specialisation or self.specialisation in entry.specialisations))


def entry_of(org: Organization, profile: PublicProfile, content: dict[str, Any],
             numbers: dict[str, Any] | None) -> Entry:
    numbers = numbers or {"guides": 0, "languages": {}}
    return Entry(
        slug=org.slug, name=org.name, accepts_requests=profile.accepts_requests,
        districts=list(content.get("districts") or []), specialisations=list(content.get("specialisations") or []),
        languages=dict(numbers.get("languages") or {}), guides=int(numbers.get("guides") or 0),
        **{name: str(content.get(name) or "") for name in PROFILE_TEXT_FIELDS},
        published_at=profile.published_at, numbers_refreshed_at=profile.numbers_refreshed_at,
    )


def preview_entry(session: Session, org: Organization, profile: PublicProfile) -> Entry:
    """The draft as the directory would show it after publishing (counts from live data)."""
    return entry_of(org, profile, profile.draft(), live_numbers(session, org.id))


def listed_entries(session: Session) -> list[Entry]:
    rows = session.execute(select(Organization, PublicProfile)
                           .join(PublicProfile, PublicProfile.organization_id == Organization.id)
                           .where(PublicProfile.published.is_not(None)))
    entries = [entry_of(org, profile, profile.published or {}, profile.numbers) for org, profile in rows]
    return sorted(entries, key=lambda e: e.name.casefold())


def parse_filters(args: Any, entries: list[Entry]) -> Filters:
    """GET parameters to filters; an unknown value is ignored (the whole directory, never an error)."""
    languages = sorted({code for e in entries for code, count in e.languages.items() if count > 0})
    district = str(args.get("district") or "")
    language = str(args.get("language") or "").lower()
    specialisation = str(args.get("specialisation") or "")
    return Filters(district=district if district in DISTRICTS else "",
                   language=language if language in languages else "",
                   specialisation=specialisation if specialisation in SPECIALISATIONS else "",
                   options_languages=languages)
