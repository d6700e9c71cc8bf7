"""The database itself refuses bad rows, on SQLite and PostgreSQL alike.

The application validates first; these constraints are the last line when a bug, a script or a
concurrent request slips past it. Each case builds one valid row (which must be accepted, so the
refusal is really about the one bad value), then the bad variant, which must raise and leave every
table as it was.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from server.accounts.models import User
from server.activities.models import Activity
from server.assignments.models import Assignment
from server.audit.log import record_event
from server.audit.models import AuditEvent
from server.expenses.models import Expense
from server.extensions import db

TODAY = dt.date(2026, 3, 2)


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def refused(row) -> None:
    """Adding `row` must fail in the database; afterwards nothing has changed."""
    before = row_counts()
    db.session.add(row)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert row_counts() == before


def accepted(row) -> None:
    db.session.add(row)
    db.session.commit()


@pytest.fixture
def world(make_org, make_user):
    """Two organizations, each with a guide and an assignment."""
    vhs, awo = make_org("vhs-hannover"), make_org("awo-region-hannover")
    guide, awo_guide = make_user(vhs, "guide"), make_user(awo, "guide")
    assignments = {}
    for org, user in ((vhs, guide), (awo, awo_guide)):
        assignments[org.slug] = Assignment(organization_id=org.id, title="Begleitung", starts_on=TODAY,
                                           guide_id=user.id, state="active")
    db.session.add_all(assignments.values())
    db.session.commit()
    return {"vhs": vhs, "awo": awo, "guide": guide, "awo_guide": awo_guide,
            "assignment": assignments["vhs-hannover"], "awo_assignment": assignments["awo-region-hannover"]}


def activity(world, **fields) -> Activity:
    values = {"organization_id": world["vhs"].id, "guide_id": world["guide"].id, "date": TODAY, "minutes": 60,
              "kind": "accompaniment", "assignment_id": world["assignment"].id} | fields
    return Activity(**values)


def expense(world, **fields) -> Expense:
    values = {"organization_id": world["vhs"].id, "guide_id": world["guide"].id, "date": TODAY,
              "category": "public_transport", "amount_cents": 360} | fields
    return Expense(**values)


def test_duplicate_email_is_refused(world):
    refused(User(email=world["guide"].email, name="Doppelgänger"))


def test_email_must_be_lowercase(world):
    accepted(User(email="neu@example.org", name="Neu"))
    refused(User(email="Neu2@Example.org", name="Gross"))


def test_negative_expense_is_refused(world):
    accepted(expense(world, amount_cents=0))
    refused(expense(world, amount_cents=-1))


@pytest.mark.parametrize("minutes", [0, 1441, -5])
def test_minutes_outside_a_day_are_refused(world, minutes):
    accepted(activity(world, minutes=1))
    accepted(activity(world, minutes=1440))
    refused(activity(world, minutes=minutes))


def test_unknown_activity_kind_is_refused(world):
    accepted(activity(world, kind="plenum", assignment_id=None))
    refused(activity(world, kind="party"))


def test_activity_on_another_organizations_assignment_is_refused(world):
    """The composite foreign key (assignment_id, organization_id) keeps tenants apart."""
    refused(activity(world, assignment_id=world["awo_assignment"].id))


def test_activity_of_a_guide_from_another_organization_is_refused(world):
    refused(activity(world, guide_id=world["awo_guide"].id, assignment_id=None))


def test_expense_of_a_non_member_is_refused(world):
    refused(expense(world, guide_id=world["awo_guide"].id))


def test_expense_claimed_for_another_organizations_activity_is_refused(world):
    other = activity(world, organization_id=world["awo"].id, guide_id=world["awo_guide"].id,
                     assignment_id=world["awo_assignment"].id)
    accepted(other)
    refused(expense(world, activity_id=other.id))


def test_unknown_expense_state_and_category_are_refused(world):
    refused(expense(world, state="forgotten"))
    refused(expense(world, category="champagne"))


# ------------------------------------------------------------------ audit log

@pytest.fixture
def audit_event(world):
    event = record_event("test.event", world["vhs"].id, object_type="organization", object_id=world["vhs"].id)
    db.session.commit()
    return event.id


def _audit_rows() -> list[tuple]:
    db.session.expire_all()
    return [tuple(r) for r in db.session.execute(select(AuditEvent.id, AuditEvent.action, AuditEvent.object_id))]


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'rewritten' WHERE id = :id",
    "DELETE FROM audit_events WHERE id = :id",
    "DELETE FROM audit_events",
])
def test_audit_log_is_append_only(audit_event, statement):
    before = _audit_rows()
    assert before
    # SQLite's RAISE(ABORT) arrives as IntegrityError, PostgreSQL's RAISE EXCEPTION as InternalError.
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement), {"id": audit_event})
    db.session.rollback()
    assert _audit_rows() == before


def test_audit_log_orm_update_is_refused(audit_event):
    event = db.session.get(AuditEvent, audit_event)
    event.action = "rewritten"
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, audit_event).action == "test.event"
