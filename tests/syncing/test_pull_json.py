"""On PostgreSQL a pull page renders plain records' changes as JSON in the database
(`sync/wire_sql.py`); the Python path renders them from the columns. Both must mean the same thing,
field by field: every field type of activities, nulls, awkward text, tombstones of deleted records and
of records that left the device's scope, mixed with types that always take the Python path."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import literal, select, update

from sync.db import UTCDateTime
from sync.tables import SyncChange
from tests.syncing.conftest import activity_fields

AWKWARD = 'Zitat "Amt" \\ Weg\nzweite Zeile\tTab \u00e4\u00f6\u00fc\u00df \u20ac \U0001f600 </script> \x01'


def _canonical(text: str) -> str:
    return json.dumps(json.loads(text), sort_keys=True)


def _page(guide: Any, in_database: bool) -> list[Any]:
    from server.accounts.models import Device
    from server.api.auth import device_context
    from server.extensions import db
    from sync.pull import pull

    device = db.session.scalars(select(Device).where(Device.user_id == guide.id)).first()
    changes, _last, has_more = pull(db.session, device_context(device), 0, 500, in_database=in_database)
    assert not has_more
    return changes


def test_database_built_page_means_the_same_as_python_built(app: Any, make_device: Any,
                                                            org: Any, guide: Any) -> None:
    from server.activities.models import Activity
    from server.extensions import db

    phone = make_device(guide)
    ids = [
        phone.upsert("activity", **activity_fields()),
        phone.upsert("activity", **activity_fields(note=AWKWARD, district="linden-limmer", travel_km=0,
                                                   needs_professional_help=True, minutes=1440)),
        phone.upsert("activity", **activity_fields(note="", travel_km=2000, date="2026-02-28")),
        phone.upsert("activity", **activity_fields(note="wird gelöscht")),
        phone.upsert("activity", **activity_fields(note="verlässt den Bereich")),
    ]
    phone.upsert("expense", date="2026-11-20", category="public_transport", amount_cents=290, description="Üstra")
    phone.sync()
    phone.delete("activity", ids[3])
    phone.sync()
    # A live record that left the guide's scope: publishing marks the guide's feed row deleted (as it
    # does when an assignment moves to another guide); the record itself stays live and joinable.
    db.session.execute(update(SyncChange).where(SyncChange.record_id == ids[4], SyncChange.audience == str(guide.id))
                       .values(deleted=True))
    db.session.commit()
    assert db.session.get(Activity, ids[4]).deleted_at is None

    in_database = _page(guide, in_database=True)
    in_python = _page(guide, in_database=False)
    assert [(c.type, c.record_id) for c in in_database] == [(c.type, c.record_id) for c in in_python]
    decoded = [json.loads(c.json) for c in in_database]
    # compared as canonical text: `0 == False` in Python, not on the wire
    assert [_canonical(c.json) for c in in_database] == [_canonical(c.json) for c in in_python]
    by_id = {c["record_id"]: c for c in decoded}
    assert by_id[ids[1]]["data"]["note"] == AWKWARD
    assert by_id[ids[1]]["data"]["travel_km"] == 0 and by_id[ids[0]]["data"]["travel_km"] is None
    assert by_id[ids[3]] == {"type": "activity", "record_id": ids[3], "version": by_id[ids[3]]["version"],
                             "deleted": True, "data": None}
    assert by_id[ids[4]]["deleted"] is True and by_id[ids[4]]["data"] is None
    assert {c["type"] for c in decoded} == {"activity", "expense", "profile", "organization"}
    # On PostgreSQL the database did write the activities (not the Python path twice): it leaves
    # non-ASCII as UTF-8 where `json.dumps` escapes it.
    awkward = [next(c.json for c in page if c.record_id == ids[1]) for page in (in_database, in_python)]
    assert "\\u00e4" in awkward[1]
    if db.session.get_bind().dialect.name == "postgresql":
        assert "\u00e4" in awkward[0] and "\\u00e4" not in awkward[0]
    else:
        assert awkward[0] == awkward[1]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
@pytest.mark.parametrize("moment", [
    dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 11, 25, 7, 0, 5, 123, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 29, 1, 30, 0, 500000, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
])
def test_timestamps_render_as_wire_value_does(app: Any, moment: dt.datetime) -> None:
    from server.extensions import db
    from sync import wire_sql
    from sync.spec import wire_value

    for zone in ("UTC", "Europe/Berlin", "America/New_York"):
        db.session.connection().exec_driver_sql(f"SET LOCAL TIME ZONE '{zone}'")
        value = wire_sql.json_value(literal(moment, UTCDateTime()))
        assert value is not None
        assert json.loads(db.session.scalar(select(value))) == wire_value(moment)
    assert db.session.scalar(select(wire_sql.json_value(literal(None, UTCDateTime())))) == "null"
    db.session.rollback()
