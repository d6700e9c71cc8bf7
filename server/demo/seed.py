"""The demo: two organizations with guides, assignments, three months of logs, expenses in every state.

`seed_demo_data()` fills an empty database and does nothing when any organization exists, so `make run`
can call it every time. The content is deterministic (`random.Random(2026)`) except that dates are
relative to today, so the demo always shows a current month, a submitted last month and paid older ones.
"""

from __future__ import annotations

import datetime as dt
import random

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from server.accounts.models import User
from server.accounts.operations import create_organization, create_user, enrolment_link, issue_enrolment_code
from server.activities.models import Activity, PlenumAttendance, PlenumEvent
from server.assignments.models import (
    Assignment,
    AssignmentOffer,
    AssignmentRequest,
    Client,
    PartnerInstitution,
)
from server.audit.log import record_event
from server.demo import data
from server.demo.context import DemoClock, DemoOrg, demo_uuid
from server.demo.data import DemoAssignment, DemoGuide, DemoRequest
from server.demo.messages import AWO_MESSAGES, VHS_MESSAGES, seed_messages
from server.demo.money import demo_iban, seed_allowances, seed_current_tax_free_limits, seed_expenses
from server.extensions import db
from server.guides.models import GuideLanguage, GuideProfile, Qualification
from server.organizations.models import MileageRate, Organization


def seed_demo_data() -> str | None:
    """Fill an empty database with the demo and commit; None (and nothing added) if it is not empty."""
    if db.session.scalar(select(Organization.id).limit(1)) is not None:
        return None
    rng = random.Random(2026)
    clock = DemoClock()

    vhs = _organization(data.VHS, data.VHS_STAFF, data.VHS_GUIDES)
    awo = _organization(data.AWO, data.AWO_STAFF, (data.AWO_GUIDE,))
    for ctx, partners, clients, requests, assignments in (
        (vhs, data.VHS_PARTNERS, data.VHS_CLIENTS, data.VHS_REQUESTS, data.VHS_ASSIGNMENTS),
        (awo, (data.AWO_PARTNER,), (data.AWO_CLIENT,), (data.AWO_REQUEST,), (data.AWO_ASSIGNMENT,)),
    ):
        _partners_clients_requests(ctx, rng, clock, partners, clients, requests)
        _assignments(ctx, rng, clock, assignments)
        _activities(ctx, rng, clock)
    _plenum(vhs, rng, clock)
    for ctx in (vhs, awo):
        _approve_activities(ctx, rng, clock)
        seed_expenses(ctx, rng, clock, lagging_guide="rojda")
    seed_current_tax_free_limits(_admin(), clock.today)
    seed_allowances(vhs, clock)
    seed_messages(vhs, rng, clock, VHS_MESSAGES)
    seed_messages(awo, rng, clock, AWO_MESSAGES)
    for ctx in (vhs, awo):
        record_event("demo.seeded", ctx.org.id, object_type="organization", object_id=ctx.org.id,
                     details={"activities": len(ctx.activities), "expenses": len(ctx.expenses)})
    db.session.commit()

    users = db.session.scalar(select(func.count()).select_from(User))
    both = (vhs, awo)
    return (f"2 organizations ({vhs.org.slug}, {awo.org.slug}), {users} users, "
            f"{sum(len(c.guides) for c in both)} guides, {sum(len(c.assignments) for c in both)} assignments, "
            f"{sum(len(c.activities) for c in both)} activities, {sum(len(c.expenses) for c in both)} expenses, "
            f"{sum(len(c.claims) for c in both)} claims, {sum(len(c.payouts) for c in both)} paid payout(s); "
            f"staff password: {data.DEMO_PASSWORD}")


def _admin() -> User:
    email = next(e for e, _name, role in data.VHS_STAFF if role == "admin")
    return db.session.scalars(select(User).where(User.email == email)).one()


def demo_info_lines(public_url: str) -> list[str]:
    """The demo's logins and a fresh enrolment link for one demo guide (the caller commits)."""
    guide = db.session.scalar(select(User).where(User.email == data.DEMO_ENROL_GUIDE))
    if guide is None:
        return [_("No demo data in this database (run `flask --app server seed-demo` on an empty one).")]
    lines = [_("Demo sign-in for coordinators at %(url)s/coordinator/ (password for all: %(password)s):",
               url=public_url.rstrip("/"), password=data.DEMO_PASSWORD)]
    for org, staff in ((data.VHS, data.VHS_STAFF), (data.AWO, data.AWO_STAFF)):
        for email, name, role in staff:
            lines.append(f"  {email:<42} {name} ({role}, {org[0]})")
    code = issue_enrolment_code(guide)
    membership = next(m for m in guide.memberships if m.role == "guide")
    record_event("device.enrolment_code_issued", membership.organization_id, object_type="user",
                 object_id=guide.id, details={"via": "demo-info"})
    days = current_app.config["ENROLMENT_CODE_DAYS"]
    lines.append(ngettext("Enrolment link for the demo guide %(name)s <%(email)s> (valid %(count)s day, once):",
                          "Enrolment link for the demo guide %(name)s <%(email)s> (valid %(count)s days, once):",
                          days, name=guide.name, email=guide.email, count=days))
    lines.append("  " + enrolment_link(code, public_url))
    return lines


# ------------------------------------------------------------------ people

def _organization(org_data: tuple[str, str], staff: tuple[tuple[str, str, str], ...],
                  guides: tuple[DemoGuide, ...]) -> DemoOrg:
    org = create_organization(*org_data)
    # Demo bank details: valid check digits, no real accounts behind them (payouts need an account).
    org.bank_account_holder, org.bank_iban = org_data[1][:70], demo_iban(6820101 + len(guides))
    db.session.add(MileageRate(organization_id=org.id, mode="car", valid_from=dt.date(*data.RATE_VALID_FROM),
                               cents_per_km=data.CAR_CENTS_PER_KM))
    users = [create_user(org, email, role, name, data.DEMO_PASSWORD) for email, name, role in staff]
    ctx = DemoOrg(org=org, approver=users[0])
    for guide in guides:
        user = create_user(org, guide.email, "guide", guide.name, locale=guide.locale)
        ctx.guides[guide.key] = user
        profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == user.id))
        assert profile is not None
        profile.phone = guide.phone or None
        profile.specialisations = list(guide.specialisations)
        profile.districts = list(guide.districts)
        profile.availability = guide.availability
        profile.monthly_hour_limit = guide.monthly_hour_limit
        profile.iban = guide.iban or demo_iban(532013000 + len(ctx.guides))
        profile.account_holder = guide.name
        profile.languages = [GuideLanguage(language=code, level=level, dialect=dialect, position=i)
                             for i, (code, level, dialect) in enumerate(guide.languages)]
        profile.qualifications = [Qualification(kind=kind, title=title, completed_on=dt.date(*on), provider=by)
                                  for kind, title, on, by in guide.qualifications]
    db.session.flush()
    return ctx


# ------------------------------------------------------------------ partners, requests, assignments

def _partners_clients_requests(ctx: DemoOrg, rng: random.Random, clock: DemoClock, partners: tuple[tuple[str, ...], ...],
                               clients: tuple[tuple[str, str, int], ...], requests: tuple[DemoRequest, ...]) -> None:
    oid = ctx.org.id
    for key, name, kind, district, contact, email, phone in partners:
        ctx.partners[key] = PartnerInstitution(organization_id=oid, name=name, kind=kind, district=district,
                                               contact_name=contact, contact_email=email, contact_phone=phone)
    for code, language, household in clients:
        ctx.clients[code] = Client(id=demo_uuid(rng), organization_id=oid, code=code, language=language,
                                   household_size=household, created_at=clock.at(clock.day(-120), 9))
    db.session.add_all([*ctx.partners.values(), *ctx.clients.values()])
    db.session.flush()
    for r in requests:
        ctx.requests[r.key] = AssignmentRequest(
            organization_id=oid, partner_id=ctx.partners[r.partner].id, field=r.field, language=r.language,
            dialect=r.dialect, district=r.district,
            starts_on=clock.day(r.start) if r.start is not None else None,
            ends_on=clock.day(r.end) if r.end is not None else None,
            expected_minutes=r.expected_minutes, contact=r.contact, people_count=r.people, description=r.description,
            state=r.state, created_at=clock.at(clock.day(min(r.start or 0, 0) - 7), 10),
        )
    db.session.add_all(ctx.requests.values())
    db.session.flush()


def _assignments(ctx: DemoOrg, rng: random.Random, clock: DemoClock, specs: tuple[DemoAssignment, ...]) -> None:
    oid = ctx.org.id
    for spec in specs:
        created = clock.at(clock.day(min(spec.start, 0) - 5), 11)
        assignment = Assignment(
            id=demo_uuid(rng), organization_id=oid, title=spec.title, field=spec.field, language=spec.language,
            district=spec.district, starts_on=clock.day(spec.start),
            ends_on=clock.day(spec.end) if spec.end is not None else None, planned_minutes=spec.planned_minutes,
            state=spec.state, guide_id=ctx.guides[spec.guide].id if spec.guide else None,
            request_id=ctx.requests[spec.request].id if spec.request else None,
            client_id=ctx.clients[spec.client].id if spec.client else None,
            description=ctx.requests[spec.request].description if spec.request else "",
            created_at=created, updated_at=created,
        )
        for i, key in enumerate(spec.offers):
            if spec.state == "offered":
                # The last one asked for the first offer has already said no.
                state = "declined" if (i == len(spec.offers) - 1 and len(spec.offers) > 2) else "offered"
            else:
                state = "accepted" if key == spec.guide else "taken"
            assignment.offers.append(AssignmentOffer(
                organization_id=oid, guide_id=ctx.guides[key].id, state=state, offered_at=created,
                responded_at=None if state == "offered" else clock.at(created.date() + dt.timedelta(days=2), 16),
            ))
        ctx.assignments.append(assignment)
    db.session.add_all(ctx.assignments)
    db.session.flush()


# ------------------------------------------------------------------ activities and plenum

# kind: (weight, shortest, longest, step) in minutes
_WITH_ASSIGNMENT = {"accompaniment": (5, 60, 240, 15), "meeting": (2, 30, 90, 15), "phone": (2, 5, 30, 5),
                    "preparation": (1, 15, 60, 15), "travel": (1, 20, 60, 10)}
_WITHOUT_ASSIGNMENT = {"phone": (2, 5, 20, 5), "preparation": (1, 15, 45, 15), "other": (1, 30, 120, 15),
                       "meeting": (1, 30, 60, 15)}


def _activity(ctx: DemoOrg, rng: random.Random, clock: DemoClock, guide: User, day: dt.date, kind: str, minutes: int,
              **fields: object) -> Activity:
    logged = clock.at(day, 17)
    activity = Activity(id=demo_uuid(rng), organization_id=ctx.org.id, guide_id=guide.id, date=day, kind=kind,
                        minutes=minutes, created_at=logged, updated_at=logged, **fields)
    ctx.activities.append(activity)
    return activity


def _activities(ctx: DemoOrg, rng: random.Random, clock: DemoClock) -> None:
    """About two entries a week per guide, mostly for their own assignments, plus one training day."""
    for user in ctx.guides.values():
        mine = [a for a in ctx.assignments if a.guide_id == user.id and a.state in ("active", "ended")]
        home = db.session.scalar(select(GuideProfile.districts).where(GuideProfile.user_id == user.id))
        day = clock.first_day
        while day <= clock.today:
            if rng.random() < 0.3:
                current = [a for a in mine if a.starts_on <= day <= (a.ends_on or day)]
                assignment = rng.choice(current) if current else None
                table = _WITH_ASSIGNMENT if assignment else _WITHOUT_ASSIGNMENT
                kind = rng.choices(list(table), weights=[v[0] for v in table.values()])[0]
                _, low, high, step = table[kind]
                km = rng.randint(3, 24) if kind == "travel" or (kind == "accompaniment" and rng.random() < 0.4) else None
                _activity(ctx, rng, clock, user, day, kind, rng.randrange(low, high + 1, step),
                          assignment_id=assignment.id if assignment else None, travel_km=km,
                          district=assignment.district if assignment else (home or [None])[0],
                          note=rng.choice(data.NOTES[kind]))
            day += dt.timedelta(days=1)
        training_day = clock.day(-rng.randint(10, 80))
        _activity(ctx, rng, clock, user, training_day, "training", 240, district="mitte",
                  note=rng.choice(data.NOTES["training"]))
    # A few meetings showed a need the guide cannot meet: flagged for a professional service.
    candidates = [a for a in ctx.activities if a.kind in ("accompaniment", "meeting") and a.assignment_id]
    for activity, note in zip(rng.sample(candidates, min(len(data.HELP_NOTES), len(candidates) // 20 + 1)),
                              data.HELP_NOTES, strict=False):
        activity.needs_professional_help = True
        activity.note = note
    db.session.add_all(ctx.activities)
    db.session.flush()


def _plenum(ctx: DemoOrg, rng: random.Random, clock: DemoClock) -> None:
    """The monthly plenum (first Wednesday); attendance counts as an activity of kind `plenum`."""
    for offset in range(-3, 1):
        first = clock.month_start(offset)
        day = first + dt.timedelta(days=(2 - first.weekday()) % 7)
        if not clock.first_day <= day <= clock.today:
            continue
        event = PlenumEvent(organization_id=ctx.org.id, date=day, minutes=120, location=data.PLENUM_LOCATION,
                            title=f"Plenum {data.MONTHS_DE[day.month - 1]} {day.year}",
                            notes="Austausch über laufende Einsätze; Termine der nächsten Fortbildungen.")
        db.session.add(event)
        db.session.flush()
        attendance = []
        for user in ctx.guides.values():
            if rng.random() < 0.75:
                activity = _activity(ctx, rng, clock, user, day, "plenum", event.minutes, district="mitte",
                                     plenum_event_id=event.id, note=event.title)
                attendance.append((user, activity))
        db.session.add_all(a for _u, a in attendance)
        db.session.flush()
        db.session.add_all(PlenumAttendance(organization_id=ctx.org.id, event_id=event.id, guide_id=user.id,
                                            activity_id=activity.id) for user, activity in attendance)
    db.session.flush()


def _approve_activities(ctx: DemoOrg, rng: random.Random, clock: DemoClock) -> None:
    """Older months are reviewed; last month half of it; this month nothing yet."""
    for activity in ctx.activities:
        offset = clock.month_offset(activity.date)
        if offset <= -2 or (offset == -1 and rng.random() < 0.5):
            reviewed = clock.at(clock.month_start(offset + 1) + dt.timedelta(days=3), 9)
            activity.state = "approved"
            activity.approved_at = reviewed
            activity.approved_by_id = ctx.approver.id
            activity.updated_at = max(reviewed, activity.updated_at)
    db.session.flush()
