"""The server dies (SIGKILL) at random moments while a device pushes; it restarts and the reference client
retries. Over many trials: no mutation lost, none applied twice, and the outbox empties.

A real server process serves HTTP on a port, against a database of its own (PostgreSQL: a dedicated
database, created, migrated and dropped here; SQLite: a file). Restarting a Python web server costs about
a second of imports, so `crash_server.py` builds the app once and forks a fresh serving process per
trial; the test kills that process with SIGKILL 0–200 ms after the client sent its batch, i.e. before,
during or after the transaction that applies it — and every third trial right after that transaction
committed (watching the database), where only the stored results prevent a second application. Each trial then checks the database: the batch was
applied entirely or not at all, and after the retry every mutation exists exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from sync.client import SyncFailed
from tests.conftest import PG_URL, _config, _migrate, skip_or_fail
from tests.syncing.harness import (
    LostInTransit,
    SkewedClient,
    audit_mutation_counts,
    enrol_directly,
    history_problems,
    server_scope,
)

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 50
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class KillableServer:
    """Drives `crash_server.py`: `start()` forks a serving process and waits until it answers."""

    def __init__(self, database_url: str, instance: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="crash-test", LOTSENBUCH_INSTANCE=str(instance),
                   BLOB_DIR=str(instance / "blobs"), LOG_LEVEL="ERROR", PYTHONWARNINGS="ignore")
        self.parent = subprocess.Popen(
            [sys.executable, "-m", "tests.syncing.crash_server", str(self.port)], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.pid: int | None = None

    def start(self) -> None:
        assert self.parent.stdin is not None and self.parent.stdout is not None
        self.parent.stdin.write("start\n")
        self.parent.stdin.flush()
        self.pid = int(self.parent.stdout.readline())
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{self.base}/api/v1/meta", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.01)

    def kill(self) -> None:
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                while True:  # gone once the kernel reaped it (the parent ignores SIGCHLD)
                    os.kill(self.pid, 0)
                    time.sleep(0.002)
            except ProcessLookupError:
                pass
            self.pid = None

    def close(self) -> None:
        self.kill()
        assert self.parent.stdin is not None and self.parent.stdout is not None
        try:
            self.parent.stdin.write("quit\n")
            self.parent.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.parent.wait(10)
        except subprocess.TimeoutExpired:
            self.parent.kill()
            self.parent.wait(10)
        self.parent.stdout.close()

    def transport(self, method: str, path: str, body: dict[str, Any] | None, token: str | None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}", "Connection": "close"} if token else {"Connection": "close"}
        try:
            response = requests.request(method, self.base + path, json=body, headers=headers, timeout=20)
        except requests.RequestException as exc:
            raise LostInTransit(str(exc)) from exc
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "sqlite"])
def crash_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of the crash test's own, migrated (what `flask db upgrade` does)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
        _migrate(url, tmp_path)
        yield url
        return
    base = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
                    if PG_URL.startswith("postgresql://") else PG_URL)
    name = f"lotsenbuch_crash_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here
        admin.dispose()
        skip_or_fail(f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}")
    url = base.set(database=name).render_as_string(hide_password=False)
    _migrate(url, tmp_path)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def queue_random_edits(device: SkewedClient, rng: random.Random) -> None:
    """A batch of creates, edits and deletes, as an offline day in the app would produce."""
    for _ in range(rng.randint(4, 20)):
        activities = sorted(rid for (_t, rid) in device.records("activity"))
        roll = rng.random()
        if roll < 0.45 or not activities:
            device.upsert("activity", date=f"2026-11-{rng.randint(1, 28):02d}", minutes=rng.randint(1, 600),
                          kind=rng.choice(["meeting", "phone", "accompaniment"]), note=rng.choice(["", "Kita", "Amt"]))
        elif roll < 0.6:
            device.upsert("expense", date=f"2026-11-{rng.randint(1, 28):02d}", category="phone",
                          amount_cents=rng.randint(0, 5000))
        elif roll < 0.9:
            device.upsert("activity", rng.choice(activities), minutes=rng.randint(1, 600),
                          note=rng.choice(["neu", "Schule", "Arzt"]))
        else:
            device.delete("activity", rng.choice(activities))


def sync_until_done(device: SkewedClient) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            device.sync()
            return
        except (LostInTransit, SyncFailed) as exc:
            if isinstance(exc, SyncFailed):
                assert exc.status == 503, exc  # "busy" is the only failure a retry may meet
            assert time.monotonic() < deadline, "the client could not finish its sync"
            time.sleep(0.05)


def test_server_killed_during_pushes_loses_and_duplicates_nothing(crash_database, tmp_path):
    from server import create_app
    from server.accounts.operations import create_organization, create_user
    from server.extensions import db
    from sync.tables import AppliedMutation

    app = create_app(_config(crash_database, tmp_path))
    server = KillableServer(crash_database, tmp_path)
    rng = random.Random(os.environ.get("CRASH_SEED", uuid.uuid4().hex))
    outcomes = {"answered": 0, "lost, not applied": 0, "lost, applied": 0}
    try:
        with app.app_context():
            org = create_organization("crash", "Crash e.V.")
            guide = create_user(org, "crash@example.org", "guide", "Guide")
            db.session.commit()
            device = SkewedClient(server.transport, batch=25, limit=50)
            device_id = enrol_directly(db.session, device, guide)
            db.session.commit()

            def applied_count(ids: list[str]) -> int:
                db.session.rollback()
                return int(db.session.scalar(select(func.count()).select_from(AppliedMutation).where(
                    AppliedMutation.device_id == device_id, AppliedMutation.mutation_id.in_(ids))) or 0)

            server.start()
            for trial in range(TRIALS):
                queue_random_edits(device, rng)
                batch = [m["id"] for m in device.pending()]
                answered = threading.Event()

                def push(answered: threading.Event = answered) -> None:
                    try:
                        device.sync_once()
                        answered.set()
                    except (LostInTransit, SyncFailed):
                        pass

                sender = threading.Thread(target=push)
                sent = time.monotonic()
                sender.start()
                if trial % 3 == 2:
                    # Kill right after the batch's transaction committed, before the answer is out: the
                    # case that needs the stored results (the retry must not apply it again).
                    while not answered.is_set() and not applied_count(batch) and time.monotonic() - sent < 2:
                        pass
                else:
                    delay = rng.uniform(0, 0.2)
                    while not answered.is_set() and time.monotonic() - sent < delay:
                        time.sleep(0.001)
                server.kill()
                sender.join(30)
                assert not sender.is_alive()
                # A batch is one transaction: the kill leaves all of it or none of it.
                applied = applied_count(batch)
                assert applied in (0, len(batch)), f"{applied} of {len(batch)} mutations survived the kill"
                if answered.is_set():
                    outcomes["answered"] += 1
                    assert applied == len(batch)
                else:
                    outcomes["lost, applied" if applied else "lost, not applied"] += 1
                server.start()
                sync_until_done(device)
                assert device.pending() == []
                assert applied_count(batch) == len(batch)

            # Everything the client ever created is on the server exactly once, with its history.
            db.session.rollback()
            stored = list(db.session.scalars(select(AppliedMutation.mutation_id).where(
                AppliedMutation.device_id == device_id)))
            assert sorted(stored) == sorted(device.queued)
            assert len(set(device.queued)) == len(device.queued)
            statuses = {r["status"] for r in db.session.scalars(select(AppliedMutation.result).where(
                AppliedMutation.device_id == device_id))}
            assert statuses <= {"applied", "merged"}, statuses
            counts = audit_mutation_counts(db.session, org.id)
            assert set(counts) == set(device.queued) and set(counts.values()) == {1}
            assert history_problems(db.session, org.id) == []
            device.sync()
            assert device.snapshot() == server_scope(db.session, org.id, guide.id)
    finally:
        server.close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    print(f"crash outcomes over {TRIALS} trials: {outcomes}")
    assert outcomes["lost, applied"] > 0 and outcomes["lost, not applied"] > 0, outcomes
