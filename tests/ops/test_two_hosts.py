"""Several hosts, proven (README "Production on PostgreSQL"): two gunicorn hosts on one PostgreSQL, receipts
in the database (BLOB_STORE=database), rate limits in Redis. A phone syncs through them in turn while one
host is SIGKILLed in the middle of a push and started again: nothing is lost, nothing applied twice. A
coordinator signed in on one host is signed in on the other, and failed sign-ins count across both."""

from __future__ import annotations

import hashlib
import io
import random
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from PIL import Image
from sqlalchemy import create_engine, text

from sync.client import SyncClient, SyncFailed
from tests.conftest import _config
from tests.ops.hosts import Host, LostInTransit, host_env, pg_database
from tests.syncing.harness import enrol_directly

pytestmark = pytest.mark.postgres
REDIS = "redis://127.0.0.1:6379"
PASSWORD = "correct horse battery"


class Alternating:
    """The load balancer: each request to the next host that is up."""

    def __init__(self, hosts: list[Host]) -> None:
        self.hosts, self.turn = hosts, 0
        self.used: list[int] = []

    def __call__(self, method: str, path: str, body: dict[str, Any] | None, token: str | None) -> tuple[int, Any]:
        for _ in self.hosts:
            self.turn = (self.turn + 1) % len(self.hosts)
            if self.hosts[self.turn].process is not None:
                self.used.append(self.turn)
                return self.hosts[self.turn].transport(method, path, body, token)
        raise LostInTransit("no host up")


def sync_through(phone: SyncClient) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            phone.sync()
            return
        except (LostInTransit, SyncFailed) as exc:
            assert not isinstance(exc, SyncFailed) or exc.status == 503, exc
            assert time.monotonic() < deadline
            time.sleep(0.05)


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', page)
    assert found, page[:500]
    return found.group(1) or found.group(2)


def sign_in(session: requests.Session, base: str, password: str) -> requests.Response:
    token = csrf(session.get(base + "/coordinator/login", timeout=10).text)
    return session.post(base + "/coordinator/login", timeout=10, allow_redirects=False,
                        data={"email": "coord@example.org", "password": password, "csrf_token": token})


def test_two_hosts_share_database_receipts_sessions_and_limits(tmp_path: Path) -> None:
    from server import create_app
    from server.accounts.operations import create_organization, create_user
    from server.extensions import db

    database = random.randint(1, 15)  # a Redis database of this test's own, emptied first
    try:
        redis.Redis.from_url(f"{REDIS}/{database}").flushdb()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is needed at {REDIS}: {exc}")
    instance = tmp_path / "instance"
    with pg_database("hosts", tmp_path) as url:
        app = create_app(_config(url, instance))
        with app.app_context():
            org = create_organization("hosts", "Zwei Hosts e.V.")
            guide = create_user(org, "guide@example.org", "guide", "Guide")
            create_user(org, "coord@example.org", "coordinator", "Coord", PASSWORD)
            db.session.commit()
            env = host_env(url, instance, BLOB_STORE="database", REDIS_URL=f"{REDIS}/{database}",
                           RATELIMIT_ENABLED="true")
            hosts = [Host(env), Host(env)]
            try:
                for host in hosts:
                    host.start()
                balancer = Alternating(hosts)
                phone = SyncClient(balancer, batch=200)
                enrol_directly(db.session, phone, guide)
                db.session.remove()
                drill(url, hosts, balancer, phone)
            finally:
                for host in hosts:
                    host.kill()
                db.session.remove()
                db.engine.dispose()
    redis.Redis.from_url(f"{REDIS}/{database}").flushdb()


def drill(url: str, hosts: list[Host], balancer: Alternating, phone: SyncClient) -> None:
    created: list[str] = []
    lost: list[Any] = []  # what each interrupted push got
    for round_ in range(3):
        created += [phone.upsert("activity", date="2026-11-20", minutes=30 + i, kind="meeting", note=f"r{round_}")
                    for i in range(200)]
        for record_id in created[:20]:
            phone.upsert("activity", record_id, note=f"edit {round_}")
        # The push goes to host 0 ("the next host" is 0); it dies while the request is in flight.
        balancer.turn = len(hosts) - 1
        push = threading.Thread(target=lambda: lost.append(_try(phone.sync_once)))
        push.start()
        time.sleep(0.02 + 0.05 * round_)
        hosts[0].kill()
        push.join(30)
        sync_through(phone)  # through the other host: the same mutations with the same ids
        hosts[0].start()
        sync_through(phone)
        assert not phone.pending()
    assert balancer.used.count(0) and balancer.used.count(1)
    assert any(isinstance(outcome, LostInTransit) for outcome in lost), "no push was interrupted"

    engine = create_engine(url)
    with engine.connect() as conn:
        on_server = {str(r.id): (r.note, r.version) for r in conn.execute(text(
            "SELECT id, note, version FROM activities"))}
        results = conn.execute(text("SELECT count(*) FROM sync_applied_mutations")).scalar_one()
    engine.dispose()
    assert len(created) == len(set(created)) == 600
    assert sorted(on_server) == sorted(created), "lost or extra records"  # nothing lost, nothing twice
    assert results == len(phone.db.execute("SELECT * FROM sent").fetchall())  # one stored result per mutation
    # The first 20 were edited in each round (versions 2, 3, 4), the others never: no edit applied twice.
    wrong = [(i, on_server[rid]) for i, rid in enumerate(created) if on_server[rid][1] != (4 if i < 20 else 1)]
    assert not wrong, wrong[:5]
    held = {rid: data["note"] for (_t, rid), data in phone.records("activity").items()}
    assert not [rid for rid, (note, _v) in on_server.items() if held.get(rid) != note], "the phone holds the server's state"

    # A receipt uploaded through one host is read through the other (BLOB_STORE=database).
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 200)).save(out, "PNG")
    digest = hashlib.sha256(out.getvalue()).hexdigest()
    phone.upsert("expense", date="2026-11-20", category="material", amount_cents=990, receipts=[digest])
    sync_through(phone)
    headers = {"Authorization": f"Bearer {phone.token}"}
    put = requests.put(f"{hosts[0].base}/api/v1/blobs/{digest}", data=out.getvalue(), timeout=10,
                       headers={**headers, "Content-Type": "image/png"})
    assert put.status_code == 201, put.text
    got = requests.get(f"{hosts[1].base}/api/v1/blobs/{digest}", headers=headers, timeout=10)
    assert got.status_code == 200 and got.headers["Content-Type"] == "image/png"

    # The coordinator signs in on one host; the session cookie works on the other.
    desk = requests.Session()
    assert sign_in(desk, hosts[0].base, PASSWORD).status_code == 302
    page = desk.get(hosts[1].base + "/coordinator/", timeout=10, allow_redirects=False)
    assert page.status_code == 200 and "Coord" in page.text
    # Wrong passwords count across both hosts: five, then the sixth is refused whichever host it reaches.
    guesser = requests.Session()
    statuses = [sign_in(guesser, hosts[i % 2].base, "wrong password!").status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]
    assert sign_in(requests.Session(), hosts[1].base, "wrong again").status_code == 429


def _try(step: Any) -> Any:
    try:
        return step()
    except (LostInTransit, SyncFailed) as exc:
        return exc
