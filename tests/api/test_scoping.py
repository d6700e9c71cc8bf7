"""Scope: a device receives and may change only its guide's records, the assignments offered to that
guide and its organization's reference data — checked for a colleague in the same organization and for
a guide of another organization."""

from __future__ import annotations

import pytest

from tests.api.conftest import activity, expense, mutation, pull_all, result_of
from tests.api.helpers import coordinator_author, make_assignment, snapshot


@pytest.fixture(params=["same_organization", "other_organization"])
def other(request, org, make_org, make_user):
    """Another guide (and a coordinator of theirs) in this or in another organization."""
    their_org = org if request.param == "same_organization" else make_org("andere", "Andere Organisation")
    return {"org": their_org, "guide": make_user(their_org, "guide"),
            "coordinator": make_user(their_org, "coordinator")}


@pytest.fixture
def their_records(other, make_device, sync):
    """The other guide's activity, expense, claim, profile and conflict, made over their own device."""
    from server.extensions import db
    from server.guides.models import GuideProfile
    from sync.coordinator import edit_record

    device = make_device(other["guide"], "their phone")
    act, claimed, open_exp = activity(), expense(), expense(date="2026-12-02")
    sync(device.token, [act, claimed, open_exp, mutation("claim", month="2026-11", state="submitted")])
    from server.expenses.models import Claim

    claim_id = db.session.query(Claim.id).filter_by(guide_id=other["guide"].id).scalar()
    edit_record(db.session, coordinator_author(other["coordinator"]), other["org"].id, "activity",
                act["record_id"], {"minutes": 60})
    db.session.commit()
    conflict = result_of(sync(device.token, [mutation("activity", act["record_id"], base_version=1, minutes=75)]))
    assert conflict["status"] == "conflict"
    profile_id = db.session.query(GuideProfile.id).filter_by(user_id=other["guide"].id).scalar()
    return {"activity": act["record_id"], "expense": open_exp["record_id"], "claimed_expense": claimed["record_id"],
            "claim": claim_id, "profile": profile_id, "conflict": conflict["conflict_id"], "token": device.token}


def test_device_never_receives_another_guides_records(sync, token, guide, org, other, their_records):
    mine = activity()
    sync(token, [mine])
    seen = pull_all(sync, token, limit=3)
    theirs = {v for k, v in their_records.items() if k != "token"}
    assert not theirs & {record_id for _type, record_id in seen}
    assert {rid for t, rid in seen if t == "activity"} == {mine["record_id"]}
    assert {t for t, _ in seen} == {"activity", "organization", "profile"}
    assert [rid for t, rid in seen if t == "organization"] == [str(org.id)]
    profile = next(c for (t, _), c in seen.items() if t == "profile")
    assert profile["data"]["email"] == guide.email
    # And the other guide sees theirs but nothing of mine.
    their_view = pull_all(sync, their_records["token"])
    assert ("activity", mine["record_id"]) not in their_view
    assert ("conflict", their_records["conflict"]) in their_view
    assert [rid for t, rid in their_view if t == "organization"] == [str(other["org"].id)]


def _rows(their_records):
    from server.activities.models import Activity
    from server.expenses.models import Claim, Expense
    from server.guides.models import GuideProfile
    from sync.tables import Conflict

    models = {"activity": Activity, "expense": Expense, "claimed_expense": Expense, "claim": Claim,
              "profile": GuideProfile, "conflict": Conflict}
    return {key: snapshot(model, their_records[key]) for key, model in models.items()}


def test_pushing_to_another_guides_records_is_forbidden_and_changes_nothing(sync, token, their_records):
    before = _rows(their_records)
    attempts = [
        mutation("activity", their_records["activity"], base_version=2, minutes=5),
        mutation("activity", their_records["activity"], op="delete", base_version=2),
        mutation("expense", their_records["expense"], base_version=1, amount_cents=99999),
        mutation("expense", their_records["expense"], op="delete", base_version=1),
        mutation("expense", their_records["claimed_expense"], base_version=1, description="mine now"),
        mutation("claim", their_records["claim"], month="2026-11", state="submitted"),
        mutation("profile", their_records["profile"], phone="0511 666"),
        mutation("profile", their_records["profile"], op="delete"),
    ]
    response = sync(token, attempts, lang="en")
    results = response.get_json()["results"]
    assert [(r["status"], r["error"]["code"]) for r in results] == [("rejected", "forbidden")] * len(attempts)
    for result in results:
        assert result["version"] is None  # not even the version leaks
        assert result["error"]["message"] == "You may not change this record."
    touched = {m["record_id"] for m in attempts}
    assert not touched & {c["record_id"] for c in response.get_json()["changes"]}
    assert _rows(their_records) == before
    # A conflict record is not writable over sync at all.
    conflict = result_of(sync(token, [mutation("conflict", their_records["conflict"], resolved=True)]))
    assert conflict["status"] == "rejected" and conflict["error"]["code"] in ("invalid", "forbidden")
    assert _rows(their_records) == before


def test_assignment_visible_only_while_offered_and_first_acceptance_wins(sync, make_device, guide, org, make_user,
                                                                        make_org):
    second, outsider = make_user(org, "guide"), make_user(org, "guide")
    foreign = make_user(make_org("andere", "Andere Organisation"), "guide")
    mine, theirs = make_device(guide), make_device(second, "second")
    outsider_phone, foreign_phone = make_device(outsider, "outsider"), make_device(foreign, "foreign")
    assignment_id = make_assignment(org, offered_to=(guide, second))
    for device in (outsider_phone, foreign_phone):
        assert ("assignment", assignment_id) not in pull_all(sync, device.token)
    for device in (mine, theirs):
        seen = pull_all(sync, device.token)
        assert seen[("assignment", assignment_id)]["data"]["offer_state"] == "offered"
    # A guide it was not offered to cannot answer it.
    for device in (outsider_phone, foreign_phone):
        result = result_of(sync(device.token, [mutation("assignment", assignment_id, response="accepted")]))
        assert result["status"] == "rejected" and result["error"]["code"] in ("forbidden", "not_offered")
        assert result["version"] is None
    cursor = sync(theirs.token).get_json()["cursor"]
    won = result_of(sync(mine.token, [mutation("assignment", assignment_id, response="accepted")]))
    assert won["status"] == "applied"
    body = sync(theirs.token, cursor=cursor).get_json()
    change = next(c for c in body["changes"] if c["record_id"] == assignment_id)
    assert change["data"]["offer_state"] == "taken"
    late = result_of(sync(theirs.token, [mutation("assignment", assignment_id, response="accepted")]))
    assert late["status"] == "rejected" and late["error"]["code"] == "taken"
    from server.assignments.models import Assignment
    from server.extensions import db

    db.session.expire_all()
    assert db.session.get(Assignment, assignment_id).guide_id == guide.id
    assert pull_all(sync, mine.token)[("assignment", assignment_id)]["data"]["offer_state"] == "accepted"
    for device in (outsider_phone, foreign_phone):
        assert ("assignment", assignment_id) not in pull_all(sync, device.token)


def test_a_guide_cannot_write_assignment_details(sync, token, guide, org):
    assignment_id = make_assignment(org, offered_to=(guide,))
    result = result_of(sync(token, [mutation("assignment", assignment_id, title="Meins", planned_minutes=1)],
                            lang="en"))
    assert result["status"] == "rejected" and result["error"]["code"] == "invalid"
    assert set(result["error"]["fields"]) == {"title", "planned_minutes"}


def test_assignment_given_to_another_guide_is_invisible(sync, token, guide, org, make_user):
    colleague = make_user(org, "guide")
    assignment_id = make_assignment(org, guide_id=colleague.id)
    assert ("assignment", assignment_id) not in pull_all(sync, token)
    result = result_of(sync(token, [mutation("assignment", assignment_id, response="accepted")]))
    assert result["error"]["code"] == "forbidden"
