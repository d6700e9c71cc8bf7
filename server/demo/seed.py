"""The demo: two organizations with guides, assignments, three months of logs, expenses in every state.

`seed_demo_data()` fills an empty database and does nothing when any organization exists, so `make run`
can call it every time. The content is deterministic (`random.Random(2026)`) except that dates are
relative to today, so the demo always shows a current month, a submitted last month and paid older ones.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
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
from server.demo.data import DemoAssignment, DemoGuide, DemoRequest
from server.expenses.models import Claim, Expense, Payout
from server.extensions import db
from server.guides.models import GuideLanguage, GuideProfile, Qualification
from server.organizations.models import MileageRate, Organization
from sync.db import utcnow


@dataclass
class _Org:
    """What one organization of the demo consists of, as the later steps need it."""

    org: Organization
    approver: User
    guides: dict[str, User] = field(default_factory=dict)
    partners: dict[str, PartnerInstitution] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    requests: dict[str, AssignmentRequest] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    expenses: list[Expense] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    payouts: list[Payout] = field(default_factory=list)


class _Clock:
    """Today, now, and the dates the demo hangs on them."""

    def __init__(self) -> None:
        self.today = dt.date.today()
        self.now = utcnow()
        three_months_ago = self.month_start(-3)
        # At least three months back, and always into the month that the demo shows as paid.
        self.first_day = min(self.today - dt.timedelta(days=91), three_months_ago + dt.timedelta(days=7))

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def month_start(self, offset: int) -> dt.date:
        index = self.today.year * 12 + self.today.month - 1 + offset
        return dt.date(index // 12, index % 12 + 1, 1)

    def month_offset(self, day: dt.date) -> int:
        return (day.year - self.today.year) * 12 + day.month - self.today.month

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        """A UTC timestamp on `day`, never later than now."""
        return min(dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC), self.now)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def seed_demo_data() -> str | None:
    """Fill an empty database with the demo and commit; None (and nothing added) if it is not empty."""
    if db.session.scalar(select(Organization.id).limit(1)) is not None:
        return None
    rng = random.Random(2026)
    clock = _Clock()

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
        _expenses(ctx, rng, clock, lagging_guide="rojda")
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
    lines.append(_("Enrolment link for the demo guide %(name)s <%(email)s> (valid %(days)s days, once):",
                   name=guide.name, email=guide.email, days=current_app.config["ENROLMENT_CODE_DAYS"]))
    lines.append("  " + enrolment_link(code, public_url))
    return lines


# ------------------------------------------------------------------ people

def _organization(org_data: tuple[str, str], staff: tuple[tuple[str, str, str], ...],
                  guides: tuple[DemoGuide, ...]) -> _Org:
    org = create_organization(*org_data)
    # Demo bank details: valid check digits, no real accounts behind them (payouts need an account).
    org.bank_account_holder, org.bank_iban = org_data[1][:70], _demo_iban(6820101 + len(guides))
    db.session.add(MileageRate(organization_id=org.id, mode="car", valid_from=dt.date(*data.RATE_VALID_FROM),
                               cents_per_km=data.CAR_CENTS_PER_KM))
    users = [create_user(org, email, role, name, data.DEMO_PASSWORD) for email, name, role in staff]
    ctx = _Org(org=org, approver=users[0])
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
        profile.iban = guide.iban or _demo_iban(532013000 + len(ctx.guides))
        profile.account_holder = guide.name
        profile.languages = [GuideLanguage(language=code, level=level, dialect=dialect, position=i)
                             for i, (code, level, dialect) in enumerate(guide.languages)]
        profile.qualifications = [Qualification(kind=kind, title=title, completed_on=dt.date(*on), provider=by)
                                  for kind, title, on, by in guide.qualifications]
    db.session.flush()
    return ctx


def _payout_items(ctx: _Org, payout: Payout) -> None:
    """The paid payout's transfers, one per guide, as the money domain makes them."""
    from server.money.models import PayoutItem

    per_guide: dict[int, list[Expense]] = defaultdict(list)
    for expense in ctx.expenses:
        if expense.state == "paid":
            per_guide[expense.guide_id].append(expense)
    profiles = {p.user_id: p for p in db.session.scalars(select(GuideProfile).where(
        GuideProfile.user_id.in_(list(per_guide))))}
    for guide_id, expenses in sorted(per_guide.items()):
        profile = profiles[guide_id]
        cents = sum(e.amount_cents for e in expenses)
        db.session.add(PayoutItem(
            organization_id=ctx.org.id, payout_id=payout.id, guide_id=guide_id,
            name=profile.account_holder or "", iban=profile.iban or "", bic="", expense_cents=cents,
            allowance_cents=0, amount_cents=cents, end_to_end_id=f"{payout.reference}-{guide_id}",
            remittance=f"{payout.reference} " + _("Expenses %(months)s", months=payout.reference[3:]),
            claim_ids=sorted({e.claim_id for e in expenses if e.claim_id}), allowance_line_ids=[]))
    payout.total_cents = sum(e.amount_cents for group in per_guide.values() for e in group)


def _demo_iban(account: int) -> str:
    from schwifty import IBAN

    return str(IBAN.generate("DE", bank_code="37040044", account_code=str(account)).compact)


# ------------------------------------------------------------------ partners, requests, assignments

def _partners_clients_requests(ctx: _Org, rng: random.Random, clock: _Clock, partners: tuple[tuple[str, ...], ...],
                               clients: tuple[tuple[str, str, int], ...], requests: tuple[DemoRequest, ...]) -> None:
    oid = ctx.org.id
    for key, name, kind, district, contact, email, phone in partners:
        ctx.partners[key] = PartnerInstitution(organization_id=oid, name=name, kind=kind, district=district,
                                               contact_name=contact, contact_email=email, contact_phone=phone)
    for code, language, household in clients:
        ctx.clients[code] = Client(id=_uuid(rng), organization_id=oid, code=code, language=language,
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


def _assignments(ctx: _Org, rng: random.Random, clock: _Clock, specs: tuple[DemoAssignment, ...]) -> None:
    oid = ctx.org.id
    for spec in specs:
        created = clock.at(clock.day(min(spec.start, 0) - 5), 11)
        assignment = Assignment(
            id=_uuid(rng), organization_id=oid, title=spec.title, field=spec.field, language=spec.language,
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


def _activity(ctx: _Org, rng: random.Random, clock: _Clock, guide: User, day: dt.date, kind: str, minutes: int,
              **fields: object) -> Activity:
    logged = clock.at(day, 17)
    activity = Activity(id=_uuid(rng), organization_id=ctx.org.id, guide_id=guide.id, date=day, kind=kind,
                        minutes=minutes, created_at=logged, updated_at=logged, **fields)
    ctx.activities.append(activity)
    return activity


def _activities(ctx: _Org, rng: random.Random, clock: _Clock) -> None:
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


def _plenum(ctx: _Org, rng: random.Random, clock: _Clock) -> None:
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


def _approve_activities(ctx: _Org, rng: random.Random, clock: _Clock) -> None:
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


# ------------------------------------------------------------------ expenses, claims, payout

# Month offset → the state its expenses are in: paid, decided (approved or rejected), submitted, open.
_MONTH_STATES = {-3: "paid", -2: "approved", -1: "submitted", 0: "open"}


def _expenses(ctx: _Org, rng: random.Random, clock: _Clock, lagging_guide: str) -> None:
    by_month: dict[tuple[int, int], list[Expense]] = defaultdict(list)

    def add(guide_id: int, day: dt.date, category: str, cents: int, description: str, **fields: object) -> None:
        logged = clock.at(day, 18)
        expense = Expense(id=_uuid(rng), organization_id=ctx.org.id, guide_id=guide_id, date=day, category=category,
                          amount_cents=cents, description=description, created_at=logged, updated_at=logged,
                          **fields)
        by_month[(guide_id, max(clock.month_offset(day), -3))].append(expense)

    for activity in ctx.activities:
        if activity.travel_km:
            add(activity.guide_id, activity.date, "mileage", activity.travel_km * data.CAR_CENTS_PER_KM,
                "Pkw-Fahrt zum Termin (Hin- und Rückweg)", km=activity.travel_km, activity_id=activity.id)
        elif activity.kind == "accompaniment" and rng.random() < 0.5:
            add(activity.guide_id, activity.date, "public_transport", 720, "GVH-EinzelTicket, Hin- und Rückfahrt",
                activity_id=activity.id)
    for user in ctx.guides.values():
        for offset in range(-3, 1):
            first = max(clock.month_start(offset), clock.first_day)
            if rng.random() < 0.6:
                add(user.id, first, "phone", 500, "Telefonpauschale")
            if rng.random() < 0.25 and first + dt.timedelta(days=10) <= clock.today:
                category, cents, description = rng.choice(data.SMALL_EXPENSES)
                add(user.id, first + dt.timedelta(days=10), category, cents, description)

    lagging = ctx.guides.get(lagging_guide)
    paid_month = clock.month_start(-3).strftime("%Y-%m")
    payout = None
    if any(offset == -3 for _guide, offset in by_month):
        export_day = clock.month_start(-1) + dt.timedelta(days=8)
        payout = Payout(organization_id=ctx.org.id, state="paid", reference=f"LB-{paid_month}",
                        message_id=f"LB-{ctx.org.id}-{paid_month}", execution_date=export_day + dt.timedelta(days=1),
                        paid_on=export_day + dt.timedelta(days=2),
                        created_by_id=ctx.approver.id, created_at=clock.at(export_day, 8),
                        exported_at=clock.at(export_day, 9), paid_at=clock.at(export_day + dt.timedelta(days=2), 10))
        ctx.payouts.append(payout)
        db.session.add(payout)
        db.session.flush()
    rejections = list(data.REJECTION_REASONS)
    for (guide_id, offset), expenses in sorted(by_month.items(), key=lambda item: (item[0][1], item[0][0])):
        state = _MONTH_STATES[offset]
        if offset == -1 and lagging is not None and guide_id == lagging.id:
            state = "open"  # this guide has not submitted last month yet
        claim = None
        if state != "open":
            submitted = clock.at(clock.month_start(offset + 1) + dt.timedelta(days=rng.randint(0, 4)), 18)
            decided = clock.at(submitted.date() + dt.timedelta(days=5), 10) if state != "submitted" else None
            claim = Claim(id=_uuid(rng), organization_id=ctx.org.id, guide_id=guide_id,
                          month=clock.month_start(offset).strftime("%Y-%m"),
                          state={"paid": "paid", "approved": "decided"}.get(state, "submitted"),
                          submitted_at=submitted, decided_at=decided,
                          payout_id=payout.id if payout is not None and state == "paid" else None,
                          created_at=submitted, updated_at=decided or submitted)
            ctx.claims.append(claim)
        for expense in expenses:
            expense.state = state
            if claim is not None:
                expense.claim_id = claim.id
                expense.updated_at = claim.updated_at
            if claim is not None and claim.decided_at is not None:
                expense.decided_at = claim.decided_at
                expense.decided_by_id = ctx.approver.id
        if state == "approved" and len(expenses) > 1:
            # At most one rejection per claim, with a reason that fits the expense.
            fitting = [(e, r) for r in rejections for e in expenses if e.category == r[0]]
            if fitting:
                rejected, reason = fitting[0]
                rejected.state = "rejected"
                rejected.rejection_reason = reason[1]
                rejections.remove(reason)
        ctx.expenses.extend(expenses)
    db.session.add_all(ctx.claims)
    db.session.flush()
    db.session.add_all(ctx.expenses)
    if payout is not None:
        _payout_items(ctx, payout)
    db.session.flush()
