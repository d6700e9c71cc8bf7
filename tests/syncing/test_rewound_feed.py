"""A cursor from a feed history the server no longer has (sync/PROTOCOL.md §10): another epoch (a restore
drew a new one) or a position beyond the feed's end is 409 `feed_rewound`, applies nothing, and the
reference client recovers from it on its own: replays its journal with the same ids and re-pulls."""

from __future__ import annotations

from sqlalchemy import func, select, update

from sync.pull import encode_cursor, read_cursor
from tests.syncing.conftest import activity_fields


def _rotate_epoch() -> None:
    from server.extensions import db
    from sync.tables import SyncCounter, new_epoch

    db.session.execute(update(SyncCounter).values(epoch=new_epoch()))
    db.session.commit()


def _activities() -> int:
    from server.activities.models import Activity
    from server.extensions import db

    return int(db.session.scalar(select(func.count()).select_from(Activity)) or 0)


def test_a_cursor_of_another_epoch_or_beyond_the_feed_is_409_and_applies_nothing(client, make_device, guide, org):
    phone = make_device(guide)
    phone.upsert("activity", **activity_fields())
    phone.sync()
    seq, epoch = read_cursor(phone.cursor, org.id)
    assert epoch is not None and seq > 0
    mutation = {"id": "7d0c7c55-1f77-4b8e-9d8e-2b1f3c4d5e6f", "type": "activity",
                "record_id": "0c1f7c55-1f77-4b8e-9d8e-2b1f3c4d5e6f", "op": "upsert", "base_version": None,
                "fields": activity_fields()}
    headers = {"Authorization": f"Bearer {phone.token}", "Accept-Language": "de"}
    for cursor in (encode_cursor(org.id, seq + 1000, epoch), encode_cursor(org.id, seq + 1000)):
        response = client.post("/api/v1/sync", json={"cursor": cursor, "mutations": [mutation]}, headers=headers)
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "feed_rewound"
        assert "Sicherung" in response.get_json()["error"]["message"]
    assert _activities() == 1
    _rotate_epoch()
    response = client.post("/api/v1/sync", json={"cursor": phone.cursor, "mutations": [mutation]}, headers=headers)
    assert response.status_code == 409 and _activities() == 1
    # A v1 cursor (no epoch) within the feed still works.
    assert client.post("/api/v1/sync", json={"cursor": encode_cursor(org.id, seq)}, headers=headers).status_code == 200


def test_the_reference_client_replays_and_re_pulls_after_a_new_epoch(make_device, guide, org):
    phone = make_device(guide)
    entries = [phone.upsert("activity", **activity_fields(minutes=10 + i)) for i in range(3)]
    phone.sync()
    versions = {rid: phone.version("activity", rid) for rid in entries}
    _rotate_epoch()
    phone.upsert("activity", entries[0], minutes=99)
    phone.sync()
    # Replayed mutations were answered from their stored results: nothing applied twice.
    assert _activities() == 3
    assert {rid: phone.version("activity", rid) for rid in entries} == {**versions, entries[0]: versions[entries[0]] + 1}
    assert phone.record("activity", entries[0])["minutes"] == 99
    assert read_cursor(phone.cursor, org.id)[1] is not None and not phone.pending() and not phone.rejections()
