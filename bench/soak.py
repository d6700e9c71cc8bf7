"""A soak (bench/README.md "Soak"): 50 devices (the reference client) sync small edits while a coordinator
browses the desk, for a bounded time against gunicorn on a throw-away PostgreSQL database, loopback only.
Prints errors, p95 per minute and every worker's memory (RSS) at the start and the end. Not part of CI.

    .venv/bin/python -m bench.soak --minutes 5
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import signal
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

from bench.common import BIN, ROOT, free_port, fresh_database, http_transport
from bench.sync_bench import setup_people
from sync.client import SyncClient

DESK_PAGES = ["/coordinator/", "/coordinator/guides", "/coordinator/assignments", "/coordinator/review",
              "/coordinator/claims", "/coordinator/conflicts", "/coordinator/messages", "/coordinator/audit",
              "/coordinator/requests", "/coordinator/reports"]
PASSWORD = "soak soak soak soak"


@contextlib.contextmanager
def gunicorn(url: str, workers: int) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="soak", LOG_LEVEL="WARNING", RATELIMIT_ENABLED="false",
               BLOB_DIR=str(ROOT / "instance" / "soak-blobs"))
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "server/gunicorn.conf.py", "-w", str(workers), "-b",
                             f"127.0.0.1:{port}", "--log-level", "warning", "server:create_app()"],
                            cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(requests.RequestException):
                if requests.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            time.sleep(0.1)
        yield base, proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def worker_rss(master: int) -> dict[int, int]:
    """KiB of resident memory per worker process (the master's children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    rss = {}
    for pid in map(int, children):
        with contextlib.suppress(FileNotFoundError):
            found = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
            rss[pid] = int(found.group(1)) if found else 0
    return rss


def signed_in_desk(base: str) -> requests.Session:
    desk = requests.Session()
    page = desk.get(base + "/coordinator/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    answer = desk.post(base + "/coordinator/login", timeout=30, allow_redirects=False,
                       data={"email": "coord@soak.example", "password": PASSWORD, "csrf_token": token.group(1)})
    assert answer.status_code == 302, answer.status_code
    return desk


class Recorder:
    def __init__(self, began: float) -> None:
        self.began, self.lock = began, threading.Lock()
        self.latencies: dict[tuple[str, int], list[float]] = defaultdict(list)
        self.errors: dict[tuple[str, int], int] = defaultdict(int)
        self.first_errors: list[str] = []

    def minute(self) -> int:
        return int((time.monotonic() - self.began) // 60)

    def ok(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[(kind, self.minute())].append(seconds)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors[(kind, self.minute())] += 1
            if len(self.first_errors) < 5:
                self.first_errors.append(f"{kind}: {what[:200]}")


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(0, int(len(values) * 0.95) - 1)] if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    with fresh_database("lotsenbuch_soak") as url:
        org_id, guides, code_for = setup_people(url, args.devices)
        from server.accounts.operations import create_user
        from server.extensions import db

        create_user(_org(org_id), "coord@soak.example",
                    "coordinator", "Soak Coordinator", PASSWORD)
        db.session.commit()
        with gunicorn(url, args.workers) as (base, master):
            devices = []
            for guide_id in guides:
                device = SyncClient(http_transport(base, accept_gzip=True), batch=50, limit=500)
                device.enroll(code_for(guide_id))
                devices.append(device)
            desk = signed_in_desk(base)
            for page in DESK_PAGES:
                assert desk.get(base + page, timeout=30).status_code == 200, page
            rss_start = worker_rss(master)
            began = time.monotonic()
            stop = began + args.minutes * 60
            record = Recorder(began)

            def device_loop(device: SyncClient, seed: int) -> None:
                rng = random.Random(seed)
                mine: list[str] = []
                while time.monotonic() < stop:
                    for _ in range(rng.randint(1, 3)):
                        if mine and rng.random() < 0.4:
                            device.upsert("activity", rng.choice(mine), minutes=rng.randint(5, 300))
                        else:
                            mine.append(device.upsert("activity", date="2026-11-20", minutes=rng.randint(5, 300),
                                                      kind="meeting", note="soak"))
                    start = time.perf_counter()
                    try:
                        device.sync()
                        record.ok("sync", time.perf_counter() - start)
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        record.error("sync", repr(exc))
                    time.sleep(rng.uniform(0.5, 2.0))  # a guide's pause between saves

            def desk_loop() -> None:
                turn = 0
                while time.monotonic() < stop:
                    page = DESK_PAGES[turn % len(DESK_PAGES)]
                    turn += 1
                    start = time.perf_counter()
                    try:
                        answer = desk.get(base + page, timeout=60)
                        if answer.status_code != 200:
                            raise RuntimeError(f"{page}: {answer.status_code}")
                        record.ok("desk", time.perf_counter() - start)
                    except Exception as exc:  # noqa: BLE001
                        record.error("desk", repr(exc))
                    time.sleep(1.0)  # a coordinator reads the page

            threads = [threading.Thread(target=device_loop, args=(d, i)) for i, d in enumerate(devices)]
            threads.append(threading.Thread(target=desk_loop))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rss_end = worker_rss(master)
        minutes = sorted({m for _k, m in record.latencies} | {m for _k, m in record.errors})
        print(f"soak: {args.devices} devices + 1 coordinator, {args.minutes:g} min, gunicorn -w {args.workers}, PostgreSQL")
        print("| minute | syncs | sync p95 | desk pages | desk p95 | errors |")
        print("| --- | --- | --- | --- | --- | --- |")
        for m in minutes:
            syncs, pages = record.latencies[("sync", m)], record.latencies[("desk", m)]
            errors = record.errors[("sync", m)] + record.errors[("desk", m)]
            print(f"| {m + 1} | {len(syncs)} | {p95(syncs) * 1000:.0f} ms | {len(pages)} | {p95(pages) * 1000:.0f} ms | {errors} |")
        total_errors = sum(record.errors.values())
        print(f"errors: {total_errors}", *record.first_errors, sep="\n  ")
        print("worker RSS (KiB) start → end:", ", ".join(
            f"{pid}: {rss_start[pid]} → {rss_end.get(pid, 'gone')}" for pid in sorted(rss_start)))
        replaced = sorted(set(rss_end) - set(rss_start))
        if replaced:
            print("workers started during the soak:", replaced)


def _org(org_id: int) -> Any:
    from server.extensions import db
    from server.organizations.models import Organization

    return db.session.get(Organization, org_id)


if __name__ == "__main__":
    main()
