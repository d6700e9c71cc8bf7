"""Mails the desk sends on its own: "needs professional help" at once, and the daily digest.

Both go to the coordinators (and admins) of the one organization concerned, each in her language and
only if she did not turn the kind off (server/outbox/preferences.py). No client data: names of guides,
dates, counts and links to the desk, where the coordinator sees the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import Membership, User
from server.accounts.operations import STAFF_ROLES
from server.activities.models import Activity
from server.organizations.models import Organization
from server.outbox.mail import mail_enabled
from server.outbox.preferences import wants
from server.outbox.render import MailTo, absolute_url, queue_mails, recipient_locale
from sync import clock

# Results of a sync mutation that wrote its fields (server/api/sync_endpoint.py, sync/PROTOCOL.md).
WRITTEN = ("applied", "merged")


def organization_staff(session: Session, organization_id: int, kind: str) -> list[User]:
    """The active coordinators and admins of the organization who want mails of `kind`."""
    users = session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.organization_id == organization_id, Membership.role.in_(STAFF_ROLES),
        User.active.is_(True), User.erased_at.is_(None)).order_by(User.id)).all()
    return [u for u in users if wants(u, kind)]


def queue_professional_help_alerts(session: Session, organization_id: int, guide_id: int,
                                   applied: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> list[int]:
    """For a sync push: every activity the push set to "needs professional help" (new, or changed to
    true) is mailed to the guide's coordinators, in the push's transaction.

    Only mutations that were written count (a replayed mutation returns its stored result and is not
    among them), and the dedupe key names the mutation, so no retry of the request mails twice."""
    if not mail_enabled():
        return []
    flagged = {m["record_id"]: m["id"] for m, result in applied
               if m.get("type") == "activity" and m.get("op") != "delete"
               and result.get("status") in WRITTEN and (m.get("fields") or {}).get("needs_professional_help") is True}
    if not flagged:
        return []
    # What was written, not what was asked: a merge may have kept the server's value.
    activities = session.execute(select(Activity.id, Activity.date).where(
        Activity.id.in_(list(flagged)), Activity.organization_id == organization_id,
        Activity.needs_professional_help.is_(True), Activity.deleted_at.is_(None))).all()
    if not activities:
        return []
    org = session.get(Organization, organization_id)
    guide = session.get(User, guide_id)
    assert org is not None and guide is not None
    staff = organization_staff(session, organization_id, "professional_help")
    mails = []
    for activity_id, day in activities:
        link = absolute_url("coordinator.review_activity", activity_id=activity_id)
        for user in staff:
            with force_locale(recipient_locale(user)):
                date_text = format_date(day, "medium")
            mails.append(MailTo(user, {"guide_name": guide.name, "activity_date": date_text, "link": link,
                                       "org_name": org.name},
                                dedupe_key=f"professional_help:{flagged[activity_id]}:{user.id}"))
    return queue_mails(session, "professional_help", organization_id, mails)


def digest_counts(session: Session, organization_id: int, day: dt.date) -> dict[str, int]:
    """What waits, counted as the dashboard counts it (server/organizations/workload.py)."""
    from server.organizations import workload

    attention = workload.attention(session, organization_id, None, today=day)
    return {"claims": attention.claims_waiting, "conflicts": attention.open_conflicts,
            "requests": attention.requests_without_guide, "ending": attention.agreements_ending,
            "silent": attention.idle_guides}


def digest_lines(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The digest's lines in the current locale: the dashboard's labels, a count, a link to the desk."""
    lines = {
        "claims": (_("claims waiting for review"), absolute_url("coordinator.claims")),
        "conflicts": (_("open sync conflicts"), absolute_url("coordinator.conflicts")),
        "requests": (_("requests without a guide"), absolute_url("coordinator.requests", show="open")),
        "ending": (_("agreements ending within 14 days"), absolute_url("coordinator.assignments", show="ending")),
        "silent": (_("guides without activity for 60 days"),
                   absolute_url("coordinator.guides", idle=1, active="yes")),
    }
    return [{"key": key, "count": counts[key], "label": label, "link": link} for key, (label, link) in lines.items()]


def queue_daily_digests(session: Session, day: dt.date | None = None) -> dict[str, int]:
    """Each organization's digest for `day` to each of its coordinators who wants it; nothing when
    nothing waits. Queued once per person and day (dedupe key), however often cron runs it.
    Returns mails queued per organization slug."""
    day = day or clock.today()
    queued: dict[str, int] = {}
    if not mail_enabled():
        return queued
    for org in session.scalars(select(Organization).order_by(Organization.id)):
        staff = organization_staff(session, org.id, "daily_digest")
        if not staff:
            continue
        counts = digest_counts(session, org.id, day)
        if not any(counts.values()):
            continue
        mails = []
        for user in staff:
            locale = recipient_locale(user)
            with force_locale(locale):
                items = digest_lines(counts)
                day_text = format_date(day, "long")
            mails.append(MailTo(user, {"items": items, "org_name": org.name, "day": day_text},
                                dedupe_key=f"daily_digest:{org.id}:{user.id}:{day.isoformat()}"))
        queued[org.slug] = len(queue_mails(session, "daily_digest", org.id, mails))
    return queued
