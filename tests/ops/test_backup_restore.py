"""Backup and restore, drilled on PostgreSQL (README "Backup and restore", sync/PROTOCOL.md §10).

A host serves two phones (the reference client over HTTP); `flask --app server backup` takes a backup;
the phones push more, the desk writes them a message; the host stops, `flask --app server restore` puts
the backup back, the host starts again. The phones' cursors are now ahead of the restored feed: the
server says so (409 `feed_rewound`), the phones replay their journal and pull from the start. Afterwards
the server holds everything the phones held (nothing twice), the phones hold what the server holds
(the message the restore took away is gone from them too), and every receipt matches its checksum.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import create_engine, func, select, text

from sync.client import SyncClient
from tests.conftest import _config
from tests.ops.hosts import Host, flask, host_env, pg_database, request
from tests.syncing.harness import enrol_directly

pytestmark = pytest.mark.postgres

GUIDE_TYPES = ("activity", "expense")


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def server_records(url: str, guide_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = {("activity", str(r.id)): {"minutes": r.minutes, "note": r.note} for r in conn.execute(text(
            "SELECT id, minutes, note FROM activities WHERE guide_id = :g AND deleted_at IS NULL"), {"g": guide_id})}
        rows |= {("expense", str(r.id)): {"amount_cents": r.amount_cents} for r in conn.execute(text(
            "SELECT id, amount_cents FROM expenses WHERE guide_id = :g AND deleted_at IS NULL"), {"g": guide_id})}
    engine.dispose()
    return rows


def versions(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {str(r[0]): int(r[1]) for r in conn.execute(text(
            "SELECT id, version FROM activities UNION ALL SELECT id, version FROM expenses"))}
    engine.dispose()
    return found


def held(phone: SyncClient) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for (record_type, record_id), data in phone.records().items():
        if record_type == "activity":
            out[(record_type, record_id)] = {"minutes": data["minutes"], "note": data.get("note", "")}
        elif record_type == "expense":
            out[(record_type, record_id)] = {"amount_cents": data["amount_cents"]}
    return out


def test_restore_rewinds_the_feed_and_phones_ahead_of_it_lose_nothing(tmp_path: Path) -> None:
    from server import create_app
    from server.accounts.operations import create_organization, create_user
    from server.extensions import db

    instance = tmp_path / "instance"
    with pg_database("restore", tmp_path) as url:
        app = create_app(_config(url, instance))
        with app.app_context():
            org = create_organization("drill", "Drill e.V.")
            guide = create_user(org, "guide@example.org", "guide", "Guide")
            coordinator = create_user(org, "coord@example.org", "coordinator", "Coord", "correct horse battery")
            db.session.commit()
            org_id = org.id
            host = Host(host_env(url, instance, RATELIMIT_ENABLED="false"))
            try:
                drill(url, instance, tmp_path, host, org_id, guide, coordinator)
            finally:
                host.kill()
                db.session.remove()
                db.engine.dispose()


def drill(url: str, instance: Path, tmp_path: Path, host: Host, org_id: int, guide: Any, coordinator: Any) -> None:
    from server.extensions import db
    from server.messages.operations import send_message
    from sync.merge import Author
    from sync.tables import AppliedMutation

    guide_id, coordinator_id = guide.id, coordinator.id
    host.start()
    phone, tablet = SyncClient(host.transport), SyncClient(host.transport)
    enrol_directly(db.session, phone, guide, "phone")
    enrol_directly(db.session, tablet, guide, "tablet")

    # Before the backup: entries on both devices, an expense with its receipt uploaded.
    kept = [phone.upsert("activity", date="2026-11-02", minutes=60, kind="meeting", note=f"vor {i}")
            for i in range(3)]
    receipt = photo()
    digest = hashlib.sha256(receipt).hexdigest()
    phone.upsert("expense", date="2026-11-02", category="phone", amount_cents=500, receipts=[digest])
    tablet.upsert("activity", date="2026-11-03", minutes=30, kind="phone")
    phone.sync(), tablet.sync()
    status, _body = request(host.base, "PUT", f"/api/v1/blobs/{digest}", None, None)  # (no token: 401)
    assert status == 401
    import requests

    put = requests.put(f"{host.base}/api/v1/blobs/{digest}", data=receipt, timeout=10,
                       headers={"Authorization": f"Bearer {phone.token}", "Content-Type": "image/jpeg"})
    assert put.status_code == 201, put.text
    phone.sync(), tablet.sync()

    backup_dir = tmp_path / "backup"
    done = flask(host.env, "backup", str(backup_dir))
    assert done.returncode == 0, done.stderr
    assert "1 receipt" in done.stdout
    assert (backup_dir / "database.dump").stat().st_size > 0

    # After the backup: more entries, an edit, a delete, a message from the desk; all synced.
    after = [phone.upsert("activity", date="2026-11-10", minutes=45, kind="phone", note=f"nach {i}")
             for i in range(4)]
    phone.upsert("activity", kept[0], minutes=120, note="nach der Sicherung geändert")
    phone.delete("activity", kept[1])
    tablet.upsert("expense", date="2026-11-11", category="material", amount_cents=1234)
    send_message(db.session, Author(role="coordinator", user_id=coordinator_id), coordinator, org_id,
                 [guide], "Bis Donnerstag!", to_all=False)
    db.session.commit()
    phone.sync(), tablet.sync()
    assert tablet.records("message") and phone.records("message")
    # One more edit waits in the tablet's outbox when the server goes down.
    tablet.upsert("activity", after[0], note="vom Tablet, noch nicht gesendet")
    before_restore = {"phone": held(phone), "tablet": held(tablet)}
    server_before = server_records(url, guide_id)
    versions_before = versions(url)
    sent_total = sum(d.db.execute("SELECT count(*) FROM sent").fetchone()[0] for d in (phone, tablet))
    host.stop()

    done = flask(host.env, "restore", str(backup_dir), "--yes")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "1 receipt verified" in done.stdout
    # The restored server lacks what came after the backup.
    assert len(server_records(url, guide_id)) == 5
    host.start()

    # The first sync meets the rewound feed; the phone replays and re-pulls on its own.
    status, body = request(host.base, "POST", "/api/v1/sync", {"cursor": phone.cursor}, phone.token)
    assert status == 409 and body["error"]["code"] == "feed_rewound"
    phone.sync()
    tablet.sync(), phone.sync()

    expected = dict(server_before)
    expected[("activity", after[0])] = {**expected[("activity", after[0])],
                                        "note": "vom Tablet, noch nicht gesendet"}
    assert not tablet.rejections() and not phone.rejections(), (tablet.rejections(), phone.rejections())
    assert server_records(url, guide_id) == expected  # nothing lost, nothing twice
    assert held(phone) == held(tablet) == expected
    # Everything either device held before the restore is there (the phone's copy of the entry
    # the tablet edited offline is older than the tablet's).
    assert before_restore["tablet"].items() <= expected.items()
    del before_restore["phone"][("activity", after[0])]
    assert before_restore["phone"].items() <= expected.items()
    assert not phone.records("message") and not tablet.records("message")  # gone with the restore
    assert not phone.pending() and not tablet.pending() and not phone.rejections()
    # Each replayed mutation was applied once: every record is at the version it had before the restore
    # (the one the tablet edited offline one further), and each mutation has one stored result.
    after_versions = versions(url)
    assert after_versions == {**versions_before, after[0]: versions_before[after[0]] + 1}
    with create_engine(url).connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AppliedMutation.__table__)) == sent_total + 1

    # The receipt is back, byte for byte; a damaged one is reported.
    got = requests.get(f"{host.base}/api/v1/blobs/{digest}", timeout=10,
                       headers={"Authorization": f"Bearer {phone.token}"})
    assert got.status_code == 200
    assert flask(host.env, "verify-receipts", str(backup_dir)).returncode == 0
    (stored,) = (instance / "blobs").rglob(digest)
    stored.write_bytes(stored.read_bytes()[:-10])
    broken = flask(host.env, "verify-receipts", str(backup_dir))
    assert broken.returncode == 1 and "checksum differs" in broken.stderr
