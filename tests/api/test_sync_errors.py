"""Every status and error code of `POST /api/v1/sync`, per-mutation rejections, paging and tombstones."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import activity, auth, expense, mutation, new_id, pull_all, result_of
from tests.api.helpers import coordinator_author, make_assignment, table_counts


def error_of(response):
    assert response.is_json, response.data[:200]
    return response.get_json()["error"]


# ----------------------------------------------------------------------------- request-level errors

def test_malformed_json_is_400_and_changes_nothing(client, token):
    before = table_counts()
    response = client.post("/api/v1/sync", data=b'{"mutations": [', content_type="application/json",
                           headers=auth(token))
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
    assert table_counts() == before


@pytest.mark.parametrize(("data", "content_type", "status", "code"), [
    (None, None, 415, "unsupported_media_type"),  # no body at all: not "pull everything"
    (b"", "application/json", 400, "bad_request"),
    (b'{"cursor": null}', "text/plain", 415, "unsupported_media_type"),
    (b"cursor=", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
])
def test_a_body_that_is_not_json_is_refused_and_pulls_nothing(client, token, data, content_type, status, code):
    before = table_counts()
    response = client.post("/api/v1/sync", data=data, content_type=content_type, headers=auth(token))
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert "changes" not in response.get_json()
    assert table_counts() == before


def test_an_empty_push_is_an_empty_json_object(client, token):
    response = client.post("/api/v1/sync", json={}, headers=auth(token))
    assert response.status_code == 200
    assert response.get_json()["results"] == []


@pytest.mark.parametrize("path", ["/api/v1/sync", "/api/v1/enroll"])
def test_options_and_wrong_methods_name_only_post(client, path):
    """The app's catch-all GET route does not reach under /api/: its methods are the API's own."""
    allowed = client.options(path).headers["Allow"]
    assert set(allowed.split(", ")) == {"POST", "OPTIONS"}
    response = client.get(path)
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


@pytest.mark.parametrize("shape", [
    "mutations_not_a_list", "mutation_not_an_object", "missing_mutation_id", "mutation_id_not_uuid",
    "limit_zero", "limit_too_big", "limit_not_int", "unknown_top_level_field", "body_is_a_list",
    "fields_not_an_object", "base_version_string",
])
def test_wrong_shape_is_400_and_nothing_is_applied(client, token, shape):
    good = activity()
    body = {"cursor": None, "mutations": [good]}
    if shape == "mutations_not_a_list":
        body["mutations"] = {"0": good}
    elif shape == "mutation_not_an_object":
        body["mutations"] = [good, "upsert activity"]
    elif shape == "missing_mutation_id":
        body["mutations"] = [good, {k: v for k, v in activity().items() if k != "id"}]
    elif shape == "mutation_id_not_uuid":
        body["mutations"] = [good, dict(activity(), id="1")]
    elif shape == "limit_zero":
        body["limit"] = 0
    elif shape == "limit_too_big":
        body["limit"] = 1001
    elif shape == "limit_not_int":
        body["limit"] = "7"
    elif shape == "unknown_top_level_field":
        body["since"] = 0
    elif shape == "body_is_a_list":
        body = [good]
    elif shape == "fields_not_an_object":
        body["mutations"] = [good, dict(activity(), fields=[1, 2])]
    elif shape == "base_version_string":
        body["mutations"] = [good, dict(activity(), base_version="1")]
    before = table_counts()
    response = client.post("/api/v1/sync", json=body, headers=auth(token))
    assert response.status_code == 400, response.get_json()
    assert error_of(response)["code"] in ("bad_request", "invalid")
    assert table_counts() == before


def test_body_larger_than_the_limit_is_413(app, client, token):
    limit = app.config["SYNC_MAX_BODY_BYTES"]
    body = {"mutations": [activity(note="x" * 1000)] * 1, "padding": "y" * limit}
    before = table_counts()
    response = client.post("/api/v1/sync", data=json.dumps(body), content_type="application/json",
                           headers=auth(token))
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert table_counts() == before


def test_too_many_mutations_is_413(app, client, token):
    count = app.config["SYNC_MAX_MUTATIONS"] + 1
    before = table_counts()
    response = client.post("/api/v1/sync", json={"mutations": [activity() for _ in range(count)]},
                           headers=auth(token))
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_many_mutations"
    assert table_counts() == before


@pytest.mark.parametrize("cursor", ["garbage!", "", "djE6MQ", "djE6OTk6MQ", "=" * 8, "x" * 200, "djI6MToxMg", "djE6MTotMQ"])
def test_bad_cursor_is_400_and_nothing_is_applied(client, token, cursor):
    before = table_counts()
    response = client.post("/api/v1/sync", json={"cursor": cursor, "mutations": [activity()]}, headers=auth(token))
    assert response.status_code == 400
    assert error_of(response)["code"] in ("invalid_cursor", "bad_request")
    assert table_counts() == before


def test_cursor_of_another_organization_is_invalid(client, sync, make_device, guide, make_org, make_user):
    other_org = make_org("andere", "Andere Organisation")
    stranger = make_device(make_user(other_org, "guide"))
    sync(stranger.token, [activity()])
    foreign_cursor = sync(stranger.token).get_json()["cursor"]
    mine = make_device(guide)
    response = sync(mine.token, [activity()], cursor=foreign_cursor)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_cursor"
    # The device's own cursor works.
    own = sync(mine.token).get_json()["cursor"]
    assert sync(mine.token, cursor=own).status_code == 200


def test_request_errors_are_translated(client, token):
    def message(lang):
        response = client.post("/api/v1/sync", json={"cursor": "garbage"},
                               headers=auth(token, lang))
        return error_of(response)["message"]

    assert message("en") == "The sync position is not valid; start again without it."
    assert message("de") != message("en")


# ----------------------------------------------------------------------------- per-mutation rejections

BAD_ACTIVITY_FIELDS = [
    ("minutes", "90", "Enter a whole number."),
    ("minutes", 90.0, "Enter a whole number."),
    ("minutes", 90.5, "Enter a whole number."),
    ("minutes", True, "Enter a whole number."),
    ("minutes", 1441, "This value is outside the allowed range."),
    ("minutes", 0, "This value is outside the allowed range."),
    ("minutes", -5, "This value is outside the allowed range."),
    ("minutes", None, "This field may not be empty."),
    ("kind", "swimming", "Choose one of the offered values."),
    ("kind", 3, "Enter text."),
    ("note", "x" * 2001, "This text is too long."),
    ("date", "2026-13-01", "Enter a date as YYYY-MM-DD."),
    ("date", "20.11.2026", "Enter a date as YYYY-MM-DD."),
    ("date", "2026-02-30", "Enter a date as YYYY-MM-DD."),
    ("needs_professional_help", "yes", "Choose yes or no."),
    ("needs_professional_help", 1, "Choose yes or no."),
    ("assignment_id", "not-a-uuid", "Not a valid id."),
    ("district", "berlin", "Choose one of the offered values."),
    ("colour", "blue", "This field does not exist."),
    ("state", "approved", "You may not change this field."),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_ACTIVITY_FIELDS,
                         ids=[f"{n}={str(v)[:12]!s}" for n, v, _ in BAD_ACTIVITY_FIELDS])
def test_bad_field_is_rejected_alone_on_create_and_on_edit(sync, token, name, value, message):
    from server.activities.models import Activity
    from server.extensions import db

    existing = activity()
    assert result_of(sync(token, [existing]))["status"] == "applied"
    bad_new, good, bad_edit = activity(**{name: value}), activity(), mutation("activity", existing["record_id"],
                                                                              base_version=1, **{name: value})
    response = sync(token, [bad_new, good, bad_edit], lang="en")
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "applied", "rejected"]
    for result in (results[0], results[2]):
        assert result["error"]["code"] == "invalid"
        assert result["error"]["fields"] == {name: [message]}
    assert results[0]["version"] is None
    assert results[2]["version"] == 1
    db.session.expire_all()
    assert db.session.get(Activity, bad_new["record_id"]) is None
    assert db.session.get(Activity, good["record_id"]) is not None
    assert db.session.get(Activity, existing["record_id"]).version == 1


@pytest.mark.parametrize(("key", "value", "field"), [
    ("type", "banana", "type"), ("type", "organization", "type"), ("type", "conflict", "type"),
    ("op", "patch", "op"), ("op", "DELETE", "op"),
    ("record_id", "42", "record_id"), ("record_id", "0B9E1F3C-1111-4222-8333-944455556666", "record_id"),
    ("record_id", "", "record_id"),
])
def test_bad_envelope_is_rejected_alone(sync, token, key, value, field):
    bad, good = dict(activity(), **{key: value}), activity()
    results = sync(token, [bad, good]).get_json()["results"]
    assert results[0]["status"] == "rejected"
    assert results[0]["error"]["code"] == "invalid"
    assert field in results[0]["error"]["fields"]
    assert results[1]["status"] == "applied"


def test_create_without_required_fields_is_rejected(sync, token):
    result = result_of(sync(token, [mutation("activity", minutes=30)], lang="en"))
    assert result["status"] == "rejected"
    assert set(result["error"]["fields"]) == {"date", "kind"}


def test_assignment_of_another_guide_or_organization_is_a_field_error(sync, token, guide, org, make_user,
                                                                      make_org):
    colleague = make_user(org, "guide")
    other_org = make_org("andere", "Andere Organisation")
    stranger = make_user(other_org, "guide")
    mine = make_assignment(org, guide_id=guide.id)
    colleagues = make_assignment(org, guide_id=colleague.id)
    foreign = make_assignment(other_org, guide_id=stranger.id)
    only_offered = make_assignment(org, offered_to=(guide,))
    results = [result_of(sync(token, [activity(assignment_id=a)], lang="en"))
               for a in (mine, colleagues, foreign, only_offered, new_id())]
    assert results[0]["status"] == "applied"
    for result in results[1:]:
        assert result["status"] == "rejected"
        assert result["error"]["fields"] == {"assignment_id": ["This record is not available to you."]}


def test_activity_of_another_guide_on_an_expense_is_a_field_error(sync, token, make_device, make_user, org):
    other = make_device(make_user(org, "guide"))
    theirs = activity()
    sync(other.token, [theirs])
    result = result_of(sync(token, [expense(activity_id=theirs["record_id"])]))
    assert result["status"] == "rejected"
    assert set(result["error"]["fields"]) == {"activity_id"}


def test_delete_of_a_record_that_never_existed_changes_nothing(sync, token):
    before = table_counts()
    record_id = new_id()
    response = sync(token, [mutation("activity", record_id, op="delete")])
    result = result_of(response)
    assert result["status"] == "applied"  # idempotent: gone is gone
    assert result["version"] is None  # PROTOCOL: null when no record exists
    after = table_counts()
    changed = {t for t in after if after[t] != before[t]}
    assert changed <= {"sync_applied_mutations"}
    assert all(c["record_id"] != record_id for c in response.get_json()["changes"])


def test_guide_may_not_delete_profile_or_create_assignment(sync, token, guide):
    from server.extensions import db
    from server.guides.models import GuideProfile

    profile_id = db.session.query(GuideProfile.id).filter_by(user_id=guide.id).scalar()
    results = sync(token, [mutation("profile", profile_id, op="delete"),
                           mutation("assignment", new_id(), response="accepted"),
                           mutation("profile", new_id(), phone="0511 123")]).get_json()["results"]
    assert [r["error"]["code"] for r in results] == ["forbidden", "not_found", "not_found"]


def submitted_expense(sync, token, coordinator, org, final_state):
    from server.expenses.operations import set_expense_state
    from server.extensions import db

    item = expense()
    sync(token, [item, mutation("claim", month="2026-11", state="submitted")])
    author = coordinator_author(coordinator)
    for state in {"submitted": [], "approved": ["approved"], "paid": ["approved", "paid"]}[final_state]:
        set_expense_state(db.session, author, org.id, item["record_id"], state)
    db.session.commit()
    return item["record_id"]


@pytest.mark.parametrize("state", ["submitted", "approved", "paid"])
@pytest.mark.parametrize("op", ["upsert", "delete"])
def test_edit_of_locked_expense_is_rejected_with_the_servers_version(sync, token, coordinator, org, state, op):
    from server.expenses.models import Expense
    from server.extensions import db

    record_id = submitted_expense(sync, token, coordinator, org, state)
    cursor = sync(token).get_json()["cursor"]  # past every change: the server's version comes anyway
    version = db.session.get(Expense, record_id).version
    fields = {"amount_cents": 9999} if op == "upsert" else {}
    locked = mutation("expense", record_id, op=op, base_version=1, **fields)
    response = sync(token, [locked], cursor=cursor, lang="en")
    result = result_of(response)
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "locked"
    assert result["error"]["state"] == state
    assert result["error"]["message"] == "This record is locked: it has been submitted, approved or paid."
    assert result["version"] == version
    change = next(c for c in response.get_json()["changes"] if c["record_id"] == record_id)
    assert change["deleted"] is False
    assert change["data"]["state"] == state and change["data"]["amount_cents"] == 320
    assert change["version"] == version
    db.session.expire_all()
    stored = db.session.get(Expense, record_id)
    assert (stored.amount_cents, stored.deleted_at, stored.version) == (320, None, version)


def test_replayed_batch_returns_identical_results(sync, token, coordinator, org):
    from server.activities.models import Activity
    from server.extensions import db

    existing = activity()
    sync(token, [existing])
    batch = [activity(), activity(minutes="x"), mutation("activity", existing["record_id"], base_version=1,
                                                         minutes=45),
             mutation("activity", new_id(), op="delete"), mutation("banana", new_id())]
    first = sync(token, batch, lang="en").get_json()
    before = table_counts()
    again = sync(token, batch, lang="en").get_json()
    assert again["results"] == first["results"]
    assert table_counts() == before
    db.session.expire_all()
    assert db.session.get(Activity, existing["record_id"]).version == 2


def test_rejection_messages_are_translated(sync, token):
    batch = [activity(minutes=0), mutation("activity", "nope")]
    english = sync(token, batch, lang="en").get_json()["results"]
    german = sync(token, batch, lang="de").get_json()["results"]  # a replay, told in German
    for en, de in zip(english, german, strict=True):
        assert en["error"]["code"] == de["error"]["code"] == "invalid"
        assert en["error"]["message"] == "Some fields are not valid."
        assert de["error"]["message"] != en["error"]["message"]
        for field, messages in en["error"]["fields"].items():
            assert de["error"]["fields"][field] != messages


@pytest.mark.parametrize("code", ["forbidden", "locked", "not_found", "taken", "not_offered", "duplicate",
                                  "no_open_expenses", "invalid"])
def test_every_rejection_code_has_a_german_message(app, code):
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from sync.engine import ERRORS

    with app.test_request_context(), force_locale("de"):
        assert _(ERRORS[code]) != ERRORS[code]


def test_every_field_message_has_a_german_message(app):
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from sync.spec import MSG

    with app.test_request_context(), force_locale("de"):
        untranslated = [m for m in MSG.values() if _(m) == m]
    assert untranslated == []


# ----------------------------------------------------------------------------- paging and tombstones

def test_paging_delivers_every_record_exactly_once(sync, make_device, guide):
    writer = make_device(guide)
    ids = set()
    for start in range(0, 23, 10):
        batch = [activity() for _ in range(min(10, 23 - start))]
        ids |= {m["record_id"] for m in batch}
        sync(writer.token, batch)
    reader = make_device(guide, "tablet")
    cursor, pages, seen = None, [], []
    while True:
        body = sync(reader.token, cursor=cursor, limit=7).get_json()
        pages.append((len(body["changes"]), body["has_more"]))
        seen += [(c["type"], c["record_id"]) for c in body["changes"]]
        assert isinstance(body["cursor"], str) and body["cursor"]
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert len(seen) == len(set(seen))  # exactly once
    assert {rid for t, rid in seen if t == "activity"} == ids
    assert {t for t, _ in seen} == {"activity", "organization", "profile"}
    assert all(count == 7 and more for count, more in pages[:-1])
    assert pages[-1][1] is False and 0 < pages[-1][0] <= 7
    assert len(pages) == -(-len(seen) // 7)
    # Nothing new: the last cursor gives an empty page.
    last = sync(reader.token, cursor=cursor, limit=7).get_json()
    assert (last["changes"], last["has_more"], last["cursor"]) == ([], False, cursor)


def test_deleted_record_arrives_as_tombstone(sync, make_device, guide):
    phone, tablet = make_device(guide), make_device(guide, "tablet")
    item = activity()
    sync(phone.token, [item])
    cursor = sync(tablet.token).get_json()["cursor"]
    sync(phone.token, [mutation("activity", item["record_id"], op="delete", base_version=1)])
    changes = sync(tablet.token, cursor=cursor).get_json()["changes"]
    assert changes == [{"type": "activity", "record_id": item["record_id"], "version": 2, "deleted": True,
                        "data": None}]
    # A new device never learns of it at all, or only as a tombstone.
    fresh = pull_all(sync, make_device(guide, "new").token)
    assert fresh.get(("activity", item["record_id"]), {"deleted": True})["deleted"] is True


def test_withdrawn_offer_arrives_as_tombstone(sync, token, guide, org):
    from server.assignments.models import AssignmentOffer
    from server.extensions import db

    assignment_id = make_assignment(org, offered_to=(guide,))
    body = sync(token).get_json()
    offered = next(c for c in body["changes"] if c["record_id"] == assignment_id)
    assert (offered["deleted"], offered["data"]["offer_state"]) == (False, "offered")
    offer = db.session.query(AssignmentOffer).filter_by(assignment_id=assignment_id, guide_id=guide.id).one()
    offer.state = "withdrawn"
    db.session.commit()
    changes = sync(token, cursor=body["cursor"]).get_json()["changes"]
    tomb = [c for c in changes if c["record_id"] == assignment_id]
    assert len(tomb) == 1 and tomb[0]["deleted"] is True and tomb[0]["data"] is None
    # Answering a withdrawn offer is refused, and changes nothing.
    result = result_of(sync(token, [mutation("assignment", assignment_id, response="accepted")]))
    assert result["status"] == "rejected" and result["error"]["code"] in ("forbidden", "not_offered")


def test_declining_after_accepting_reopens_the_assignment_for_the_others(sync, token, guide, org, make_user,
                                                                           make_device):
    """The release rule (server/assignments/operations.py: release_assignment) from the phone: the
    guide who accepted declines after all; the assignment is open again and the guide it was taken
    from is asked again."""
    from server.assignments.models import Assignment, AssignmentOffer
    from server.extensions import db

    other = make_user(org, "guide")
    other_token = make_device(other, "other phone").token
    assignment_id = make_assignment(org, offered_to=(guide, other))
    sync(token)
    accepted = result_of(sync(token, [mutation("assignment", assignment_id, base_version=1, response="accepted")]))
    assert accepted["status"] == "applied"
    db.session.expire_all()
    offers = {o.guide_id: o.state for o in db.session.query(AssignmentOffer).filter_by(assignment_id=assignment_id)}
    assert offers == {guide.id: "accepted", other.id: "taken"}
    version = db.session.get(Assignment, assignment_id).version
    declined = result_of(sync(token, [mutation("assignment", assignment_id, base_version=version,
                                               response="declined")]))
    assert declined["status"] == "applied"
    db.session.expire_all()
    assignment = db.session.get(Assignment, assignment_id)
    assert (assignment.state, assignment.guide_id) == ("offered", None)
    offers = {o.guide_id: o.state for o in db.session.query(AssignmentOffer).filter_by(assignment_id=assignment_id)}
    assert offers == {guide.id: "declined", other.id: "offered"}
    seen = pull_all(sync, other_token)[("assignment", assignment_id)]
    assert (seen["deleted"], seen["data"]["offer_state"]) == (False, "offered")
