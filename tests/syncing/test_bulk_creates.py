"""The bulk writer for batches of new records (`sync/push/bulk_writer.py`) writes exactly the rows the
ORM writer (`sync/push/orm_writer.py`) writes: records, versions, history, stored results, feed rows numbered from the counter at commit,
audit events. Two guides push the same batch (new ids each), one through each path, and the rows are
compared with the ids taken out."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from tests.syncing.conftest import activity_fields


def _batch(repeat: int = 1) -> list[dict[str, Any]]:
    """Mixed shapes: optional fields left out or set, a default-only record, invalid mutations."""
    fields = [
        activity_fields(),
        activity_fields(minutes=30, note="", district="linden-limmer", travel_km=12),
        {"date": "2026-10-01", "minutes": 45, "kind": "accompaniment"},  # everything else defaulted
        activity_fields(minutes=0),  # rejected: out of range
        activity_fields(needs_professional_help=True, travel_km=None),
        {"date": "2026-10-02", "minutes": 60, "kind": "accompaniment", "unknown": 1},  # rejected
    ] * repeat
    return [{"id": str(uuid.uuid4()), "type": "activity", "record_id": str(uuid.uuid4()), "op": "upsert",
             "base_version": None, "fields": f, "client_time": "2026-11-20T10:00:00Z"} for f in fields]


def _device(make_device: Any, guide: Any) -> Any:
    from server.accounts.models import Device
    from server.extensions import db

    make_device(guide).sync()
    return db.session.scalars(select(Device).where(Device.user_id == guide.id)).one()


def _push(device: Any, mutations: list[dict[str, Any]], bulk: bool) -> list[dict[str, Any]]:
    from server.api.auth import device_context
    from server.extensions import db
    from sync import engine
    from sync.push.plan import Attempt

    outcome = engine.sync(db.session, device_context(device), mutations, None, 500, attempt=Attempt(bulk=bulk))
    db.session.commit()
    return outcome.results


def _writer(ctx: Any, mutations: list[dict[str, Any]]) -> str:
    """The writer the plan gives this batch in an ordinary attempt (nothing written)."""
    from server.extensions import db
    from sync.push import plan
    from sync.push.batch import Batch

    return type(plan.writer_for(Batch(db.session, ctx, mutations), plan.Attempt())).__name__


def _rows(device: Any, mutations: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything the push wrote, in batch order, with this device's ids replaced by placeholders."""
    from server.activities.models import Activity
    from server.extensions import db
    from sync.tables import AppliedMutation, RecordHistory, SyncChange

    db.session.expire_all()
    record_ids = [m["record_id"] for m in mutations]
    names = {rid: f"record{i}" for i, rid in enumerate(record_ids)}
    names.update({m["id"]: f"mutation{i}" for i, m in enumerate(mutations)})
    names.update({device.id: "device", str(device.user_id): "guide"})

    def anonymous(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: anonymous(v) for k, v in value.items()}
        return names.get(value, value) if isinstance(value, str) else value

    skip = {"id", "guide_id", "created_at", "updated_at"}
    activities = {a.id: a for a in db.session.scalars(select(Activity).where(Activity.id.in_(record_ids)))}
    records = [None if rid not in activities else
               {c.key: getattr(activities[rid], c.key) for c in Activity.__table__.columns if c.key not in skip}
               for rid in record_ids]
    history = [(names[h.record_id], h.version, h.fields, h.author_role, h.author_user_id == device.user_id,
                anonymous(h.device_id), h.organization_id)
               for h in db.session.scalars(select(RecordHistory).where(RecordHistory.record_id.in_(record_ids)))]
    stored = {names[s.mutation_id]: (anonymous(s.device_id), s.organization_id, anonymous(s.result))
              for s in db.session.scalars(select(AppliedMutation).where(AppliedMutation.device_id == device.id))}
    feed = db.session.scalars(select(SyncChange).where(SyncChange.record_id.in_(record_ids))
                              .order_by(SyncChange.seq)).all()
    seqs = [f.seq for f in feed]
    return {
        "records": records,
        "history": sorted(history),
        "stored": stored,
        "feed": sorted((names[f.record_id], anonymous(f.audience), f.record_type, f.version, f.deleted) for f in feed),
        # numbered in one block from the counter at commit, in record id order, as `feed.publish` does
        "feed_contiguous": seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else None,
        "feed_order": [f.record_id for f in feed] == sorted(f.record_id for f in feed),
    }


def test_bulk_path_writes_the_same_rows_as_the_per_mutation_path(make_device, make_user, guide, org):
    from server.api.auth import device_context
    from server.extensions import db
    other = make_user(org, "guide", "lena@example.org", "Lena Vogel")
    fast_device, slow_device = _device(make_device, guide), _device(make_device, other)
    # 20 of each shape: enough rows per table for COPY on PostgreSQL (`bulk_insert.COPY_FROM_ROWS`)
    fast_batch, slow_batch = _batch(repeat=20), _batch(repeat=20)
    for fast, slow in zip(fast_batch, slow_batch, strict=True):
        slow["fields"] = dict(fast["fields"])
    assert _writer(device_context(fast_device), fast_batch) == "BulkWriter"
    db.session.rollback()

    fast_results = _push(fast_device, fast_batch, bulk=True)
    slow_results = _push(slow_device, slow_batch, bulk=False)

    def strip(results: list[dict[str, Any]], batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [dict(r, id=i, record_id=j) for r, i, j in zip(results, range(len(batch)), range(len(batch)),
                                                              strict=True)]

    assert strip(fast_results, fast_batch) == strip(slow_results, slow_batch)
    assert [r["status"] for r in fast_results] == ["applied", "applied", "applied", "rejected", "applied",
                                                   "rejected"] * 20
    fast_rows, slow_rows = _rows(fast_device, fast_batch), _rows(slow_device, slow_batch)
    assert fast_rows == slow_rows
    assert len(fast_rows["history"]) == 80 and len(fast_rows["feed"]) == 80 and fast_rows["feed_contiguous"]
    assert len(fast_rows["stored"]) == 120


def test_bulk_batch_over_http_is_exactly_once_and_audited(client, make_device, guide):
    from server.activities.models import Activity
    from server.audit.models import AuditEvent
    from server.extensions import db

    phone = make_device(guide)
    batch = _batch()
    headers = {"Authorization": f"Bearer {phone.token}"}
    first = client.post("/api/v1/sync", json={"mutations": batch}, headers=headers).get_json()
    # A retry of the same batch plus one new record: the replayed ones return their stored results.
    extra = _batch()[:1]
    again = client.post("/api/v1/sync", json={"mutations": batch + extra}, headers=headers).get_json()
    assert again["results"][:len(batch)] == first["results"]
    assert again["results"][-1]["status"] == "applied"
    created = db.session.scalars(select(Activity.id).where(Activity.guide_id == guide.id)).all()
    assert len(created) == 5  # four of the first batch, one extra; nothing twice
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sync.activity.upsert")).all()
    assert sorted(e.object_id for e in events) == sorted(created)
    assert {e.details["status"] for e in events} == {"applied"}
    # The next pull brings every created record with its server version.
    phone.sync()
    assert {rid for (_t, rid) in phone.records("activity")} == set(created)
    assert {phone.version("activity", rid) for rid in created} == {1}


def test_batch_with_an_edit_takes_the_per_mutation_path(make_device, guide):
    from server.api.auth import device_context
    from server.extensions import db
    device = _device(make_device, guide)
    existing = _batch()[:1]
    _push(device, existing, bulk=True)
    edit = dict(existing[0], id=str(uuid.uuid4()), base_version=1, fields={"minutes": 15})
    mixed = _batch()[:2] + [edit]
    assert _writer(device_context(device), mixed) == "OrmWriter"
    db.session.rollback()
    results = _push(device, mixed, bulk=True)
    assert [r["status"] for r in results] == ["applied", "applied", "applied"]
    assert results[-1]["version"] == 2


def test_record_changed_through_the_orm_before_commit_is_published_as_changed(make_device, guide):
    """Publishing trusts what the bulk path knew about a record only while the ORM has not loaded it."""
    from server.activities.models import Activity
    from server.api.auth import device_context
    from server.extensions import db
    from sync import engine
    from sync.tables import RecordHistory, SyncChange

    device = _device(make_device, guide)
    batch = _batch()[:2]
    engine.sync(db.session, device_context(device), batch, None, 500)
    changed = db.session.get(Activity, batch[0]["record_id"])
    changed.minutes = 15
    db.session.commit()
    feed = {f.record_id: f.version for f in db.session.scalars(
        select(SyncChange).where(SyncChange.record_id.in_([m["record_id"] for m in batch])))}
    assert feed == {batch[0]["record_id"]: 2, batch[1]["record_id"]: 1}
    versions = db.session.scalars(select(RecordHistory.version).where(
        RecordHistory.record_id == batch[0]["record_id"]).order_by(RecordHistory.version)).all()
    assert versions == [1, 2]


def _post(client: Any, token: str, mutations: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.post("/api/v1/sync", json={"mutations": mutations}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_new_looking_batch_with_an_existing_own_record_applies_it_as_an_edit(client, make_device, guide):
    """The first attempt does not look new records up (`assume_new`, sync/push/plan.py). A base-less upsert of a record
    that exists (the phone lost the answer to its create, then edited it) makes the database refuse
    the batch; the retry looks the records up and applies it as version 2, with the rest applied."""
    from server.activities.models import Activity
    from server.extensions import db
    from sync.tables import AppliedMutation

    phone = make_device(guide)
    created = _batch()[:2]
    _post(client, phone.token, created)
    edit = dict(created[0], id=str(uuid.uuid4()), base_version=None, fields=dict(created[0]["fields"], minutes=15))
    batch = _batch()[:3] + [edit]
    results = _post(client, phone.token, batch)["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "applied", "applied"]
    assert results[-1]["version"] == 2
    # Only some fields: invalid for a new record, a plain edit of an existing one; answered as an edit.
    partial = dict(created[1], id=str(uuid.uuid4()), base_version=None, fields={"note": "Nachtrag"})
    results = _post(client, phone.token, _batch()[:1] + [partial])["results"]
    assert [(r["status"], r["version"]) for r in results] == [("applied", 1), ("applied", 2)]
    db.session.expire_all()
    assert db.session.get(Activity, created[0]["record_id"]).minutes == 15
    assert db.session.get(Activity, created[1]["record_id"]).note == "Nachtrag"
    assert len(db.session.scalars(select(Activity.id).where(Activity.guide_id == guide.id)).all()) == 6
    stored = db.session.scalars(select(AppliedMutation.mutation_id).where(AppliedMutation.mutation_id.in_(
        [m["id"] for m in batch]))).all()
    assert len(stored) == len(batch)  # each remembered once, by the attempt that applied them


def test_new_looking_batch_naming_another_guides_or_organizations_record_rejects_only_that(
        client, make_device, make_org, make_user, guide, org):
    from server.activities.models import Activity
    from server.extensions import db

    other_guide = make_user(org, "guide")
    stranger = make_user(make_org(), "guide")
    theirs, foreign = _batch()[:1], _batch()[:1]
    _post(client, make_device(other_guide).token, theirs)
    _post(client, make_device(stranger).token, foreign)
    phone = make_device(guide)
    forged = [dict(m, id=str(uuid.uuid4()), fields={"date": "2026-10-03", "minutes": 5, "kind": "accompaniment"})
              for m in theirs + foreign]
    batch = _batch()[:2] + forged
    results = _post(client, phone.token, batch)["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "rejected", "rejected"]
    assert {r["error"]["code"] for r in results[2:]} == {"forbidden"}
    db.session.expire_all()
    for m in theirs + foreign:
        record = db.session.get(Activity, m["record_id"])
        assert (record.minutes, record.guide_id) == (m["fields"]["minutes"], record.guide_id)
        assert record.guide_id != guide.id
    mine = db.session.scalars(select(Activity.id).where(Activity.guide_id == guide.id)).all()
    assert sorted(mine) == sorted(m["record_id"] for m in batch[:2])


def test_a_request_that_never_gets_through_answers_busy_not_500(client, make_device, guide, monkeypatch):
    """Fault injection: every attempt meets a record taken for new that exists. After the engine's
    attempts the device gets 503 `busy` (its app retries later), never a 500, and nothing is written."""
    from server.activities.models import Activity
    from server.extensions import db
    from sync.push import bulk_writer, plan

    phone = make_device(guide)
    attempts = []

    def never(self: Any, batch: Any) -> Any:
        attempts.append(self.assume_new)
        raise bulk_writer.NotNew()

    monkeypatch.setattr(bulk_writer.BulkWriter, "write", never)
    response = client.post("/api/v1/sync", json={"mutations": _batch()[:2]},
                           headers={"Authorization": f"Bearer {phone.token}"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "busy"
    assert attempts == [True] + [False] * (plan.ATTEMPTS - 1)  # assumed new once, then looked up
    assert db.session.scalars(select(Activity.id).where(Activity.guide_id == guide.id)).all() == []
