"""A pull page reads plain records (activities) from columns joined to the feed and encodes them with
orjson; the binding's own wire form (`to_wire`, as for every other type) must mean the same thing,
field by field: every field type of activities, nulls, awkward text, tombstones of deleted records and
of records that left the device's scope, mixed with types that always go through their binding."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select, update

from sync.tables import SyncChange
from tests.syncing.conftest import activity_fields

AWKWARD = 'Zitat "Amt" \\ Weg\nzweite Zeile\tTab \u00e4\u00f6\u00fc\u00df \u20ac \U0001f600 </script> \x01'


def _canonical(text: str) -> str:
    return json.dumps(json.loads(text), sort_keys=True)


def _page(guide: Any) -> list[Any]:
    from server.accounts.models import Device
    from server.api.auth import device_context
    from server.extensions import db
    from sync.pull import pull

    device = db.session.scalars(select(Device).where(Device.user_id == guide.id)).first()
    changes, _last, has_more = pull(db.session, device_context(device), 0, 500)
    assert not has_more
    return changes


def _through_bindings(guide: Any, page: list[Any]) -> list[str]:
    """Each change of the page as the binding renders it (`to_wire`), or a tombstone, in stdlib JSON."""
    from server.extensions import db
    from sync.registry import BINDINGS

    rendered = []
    for change in page:
        kind, record_id = change["type"], change["record_id"]
        obj = db.session.get(BINDINGS[kind].model, record_id)
        if change["deleted"]:
            rendered.append(json.dumps({"type": kind, "record_id": record_id, "version": change["version"],
                                        "deleted": True, "data": None}, sort_keys=True))
        else:
            rendered.append(json.dumps({"type": kind, "record_id": record_id, "version": obj.version,
                                        "deleted": False, "data": BINDINGS[kind].to_wire(db.session, obj, str(guide.id))},
                                       sort_keys=True))
    return rendered


def test_page_from_joined_columns_means_what_the_bindings_say(app: Any, make_device: Any,
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

    page = _page(guide)
    from sync.db import json_text

    encoded = [json_text(c) for c in page]
    decoded = [json.loads(text) for text in encoded]
    # compared as canonical text: `0 == False` in Python, not on the wire
    assert [_canonical(text) for text in encoded] == _through_bindings(guide, page)
    by_id = {c["record_id"]: c for c in decoded}
    assert by_id[ids[1]]["data"]["note"] == AWKWARD
    assert by_id[ids[1]]["data"]["travel_km"] == 0 and by_id[ids[0]]["data"]["travel_km"] is None
    assert by_id[ids[1]]["data"]["needs_professional_help"] is True and by_id[ids[1]]["data"]["minutes"] == 1440
    assert by_id[ids[2]]["data"]["date"] == "2026-02-28"
    assert by_id[ids[3]] == {"type": "activity", "record_id": ids[3], "version": by_id[ids[3]]["version"],
                             "deleted": True, "data": None}
    assert by_id[ids[4]]["deleted"] is True and by_id[ids[4]]["data"] is None
    assert {c["type"] for c in decoded} == {"activity", "expense", "profile", "organization"}
    # UTF-8 as it is, not escaped: fewer bytes on the wire
    assert "\\u00e4" not in next(text for text, c in zip(encoded, decoded, strict=True) if c["record_id"] == ids[1])


@pytest.mark.parametrize("moment", [
    dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 11, 25, 7, 0, 5, 123, tzinfo=dt.UTC),
    dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
    dt.date(2026, 2, 28),
])
def test_dates_and_utc_timestamps_encode_as_wire_value_does(moment: dt.date) -> None:
    from sync.db import json_text
    from sync.spec import wire_value

    assert json.loads(json_text({"at": moment})) == {"at": wire_value(moment)}
