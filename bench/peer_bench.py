"""Lotsenbuch next to the closest peer, TimeTagger (a Python server with an offline PWA), in one run.

Installs TimeTagger into a throw-away virtual environment under /tmp (`pip install timetagger`; nothing
of it enters the repository), starts it on its default storage (SQLite per user) and Lotsenbuch on
PostgreSQL behind gunicorn (4 sync workers, as `bench/sync_bench.py`), and measures both with the same
HTTP client (one kept `http.client` connection, JSON by orjson), the two taken in turn, median of 5:

  push 10,000 records in batches of 500            (each server's own sync calls; a new user/device each run)
  initial pull of 10,000 records to a new device
  incremental pull of 100 changed records
  pushing 100 edits of existing records

TimeTagger's client pushes with `PUT /api/v2/records` and pulls with `GET /api/v2/updates?since=`;
one run of it holds 10,000 records per user (a fresh user per push, from `--credentials`).

Usage: .venv/bin/python bench/peer_bench.py [--quick]   (--quick: 2 runs, 2,000 records)
PEER_VENV (default /tmp/lotsenbuch-peer-venv) is where TimeTagger is installed; BENCH_DB as sync_bench.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402

from bench.common import fmt, free_port, fresh_database, gunicorn, http_transport, medians_interleaved, timed  # noqa: E402
from bench.sync_bench import activity, setup_people  # noqa: E402
from sync.client import SyncClient  # noqa: E402

QUICK = "--quick" in sys.argv
RUNS = 2 if QUICK else 5
N = 2_000 if QUICK else 10_000
BATCH = 500
EDITS = 100
VENV = Path(os.environ.get("PEER_VENV", "/tmp/lotsenbuch-peer-venv"))
PASSWORD = "bench"


# ------------------------------------------------------------------ the peer

def install_peer() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if subprocess.run([str(python), "-c", "import timetagger"], capture_output=True).returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "timetagger"], check=True)
    return python


@contextlib.contextmanager
def timetagger(python: Path, users: list[str]) -> Iterator[str]:
    hashed = subprocess.run(
        [str(python), "-c", "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())",
         PASSWORD], check=True, capture_output=True, text=True).stdout.strip()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="lotsenbuch-peer-") as datadir:
        credentials = ",".join(f"{user}:{hashed}" for user in users)
        proc = subprocess.Popen([str(python), "-m", "timetagger", f"--bind=127.0.0.1:{port}", f"--datadir={datadir}",
                                 "--log_level=warning", f"--credentials={credentials}"],
                                cwd=datadir, start_new_session=True, stdout=subprocess.DEVNULL)
        base = f"127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    connection.request("GET", "/timetagger/status")
                    if connection.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("TimeTagger did not start")
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=20)


class PeerClient:
    """TimeTagger's sync as its web app does it, over one kept connection."""

    def __init__(self, base: str, user: str) -> None:
        host, _sep, port = base.partition(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=120)
        body = base64.b64encode(orjson.dumps({"method": "usernamepassword", "username": user, "password": PASSWORD}))
        status, answer = self._call("POST", "bootstrap_authentication", body, token=None)
        assert status == 200, answer
        self.token = answer["token"]
        self.since = 0.0
        self.records: dict[str, dict[str, Any]] = {}

    def _call(self, method: str, path: str, body: bytes | None, token: str | None = "") -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["authtoken"] = token or self.token
        for attempt in (1, 2):
            try:
                self.connection.request(method, f"/timetagger/api/v2/{path}", body, headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                # the server closed the kept connection (idle for longer than its keep-alive): again
                self.connection.close()
                if attempt == 2:
                    raise
        if response.will_close:
            self.connection.close()
        return response.status, orjson.loads(content) if content[:1] in (b"{", b"[") else content

    def push(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), BATCH):
            status, answer = self._call("PUT", "records", orjson.dumps(records[start:start + BATCH]))
            assert status == 200 and not answer["failed"], answer

    def pull(self) -> int:
        status, answer = self._call("GET", f"updates?since={self.since}", None)
        assert status == 200, answer
        self.since = answer["server_time"]
        for record in answer["records"]:
            self.records[record["key"]] = record
        return len(answer["records"])


def peer_record(i: int, mt: int) -> dict[str, Any]:
    t1 = 1_767_225_600 + i * 3_600  # 2026-01-01 on, one an hour
    return {"key": uuid.uuid4().hex[:8] + str(i), "mt": mt, "t1": t1, "t2": t1 + 60 * (30 + i % 120),
            "ds": f"#begleitung Termin {i}"}


# ------------------------------------------------------------------ the run

def main() -> None:
    python = install_peer()
    peer_users = [f"push{i}" for i in range(RUNS + 2)]
    with fresh_database(os.environ.get("BENCH_DB", "lotsenbuch_peer_bench")) as url, \
            timetagger(python, peer_users) as peer, gunicorn(url) as base:
        _org_id, guide_ids, code_for = setup_people(url, RUNS + 2)
        ours_guides, peer_pushers = iter(guide_ids[2:]), iter(peer_users[2:])

        def ours_push() -> float:
            device = SyncClient(http_transport(base))
            device.enroll(code_for(next(ours_guides)))
            for i in range(N):
                device.upsert("activity", **activity(i))
            return timed(device.sync)

        def peer_push() -> float:
            client = PeerClient(peer, next(peer_pushers))
            records = [peer_record(i, int(time.time())) for i in range(N)]
            return timed(lambda: client.push(records))

        # the stores the pulls read: 10,000 records of one guide, and of one peer user
        source = SyncClient(http_transport(base))
        source.enroll(code_for(guide_ids[0]))
        for i in range(N):
            source.upsert("activity", **activity(i))
        source.sync()
        peer_source = PeerClient(peer, peer_users[0])
        peer_source.push([peer_record(i, int(time.time())) for i in range(N)])

        def ours_pull() -> float:
            device = SyncClient(http_transport(base, accept_gzip=True), limit=1000)
            device.enroll(code_for(guide_ids[0]))
            elapsed = timed(device.sync)
            assert len(device.records("activity")) == N
            return elapsed

        def peer_pull() -> float:
            client = PeerClient(peer, peer_users[0])
            elapsed = timed(client.pull)
            assert len(client.records) == N, len(client.records)
            return elapsed

        # incremental pull and edits: a writer and a reader per server, 100 records edited per run
        writer, reader = SyncClient(http_transport(base)), SyncClient(http_transport(base))
        for device in (writer, reader):
            device.enroll(code_for(guide_ids[0]))
            device.sync()
        edited = [rid for (_t, rid) in writer.records("activity")][:EDITS]
        peer_writer, peer_reader = PeerClient(peer, peer_users[0]), PeerClient(peer, peer_users[0])
        peer_writer.pull()
        peer_reader.pull()
        peer_edited = list(peer_writer.records.values())[:EDITS]
        values = iter(range(1, 100_000))

        def ours_edits() -> float:
            value = next(values)
            for rid in edited:
                writer.upsert("activity", rid, minutes=1 + value % 1440)
            return timed(writer.sync)

        def peer_edits() -> float:
            value = next(values)
            changed = [dict(r, ds=f"#begleitung edit {value}", mt=r["mt"] + value) for r in peer_edited]
            return timed(lambda: peer_writer.push(changed))

        def ours_incremental() -> float:
            ours_edits()
            start = time.perf_counter()
            trip = reader.sync_once()
            elapsed = time.perf_counter() - start
            assert trip.changes >= EDITS, trip
            return elapsed

        def peer_incremental() -> float:
            peer_edits()
            time.sleep(0.3)  # TimeTagger answers "nothing new" for 0.2 s after a write (its mtime margin)
            start = time.perf_counter()
            count = peer_reader.pull()
            elapsed = time.perf_counter() - start
            assert count >= EDITS, count
            return elapsed

        figures = medians_interleaved(RUNS, {
            "ours_push": ours_push, "peer_push": peer_push,
            "ours_pull": ours_pull, "peer_pull": peer_pull,
            "ours_incremental": ours_incremental, "peer_incremental": peer_incremental,
            "ours_edits": ours_edits, "peer_edits": peer_edits,
        })
    print(f"Lotsenbuch (PostgreSQL, gunicorn -w 4) next to TimeTagger (SQLite), median of {RUNS}, interleaved")
    print(f"  {'measure':44} {'Lotsenbuch':>11}   {'TimeTagger':>11}   ratio (ours / peer's time)")
    for label, key, count in (
        (f"push {N:,} records, batches of {BATCH}", "push", N),
        (f"initial pull of {N:,}", "pull", N),
        (f"incremental pull of {EDITS} changed", "incremental", None),
        (f"pushing {EDITS} edits of existing records", "edits", None),
    ):
        ours, theirs = figures[f"ours_{key}"], figures[f"peer_{key}"]
        rate = f"   ({count / ours:,.0f} vs {count / theirs:,.0f} rec/s)" if count and key == "push" else ""
        print(f"  {label:44} {fmt(ours)}   {fmt(theirs)}   {ours / theirs:.2f}x{rate}")


if __name__ == "__main__":
    main()
