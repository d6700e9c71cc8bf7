"""The bare health check under load, next to the floor: what a trivial request costs in our stack.

`.venv/bin/python bench/health_bench.py [--quick]`: a throw-away PostgreSQL database; gunicorn with 4
sync workers (`server/gunicorn.conf.py`, the README's production command) on loopback; 50 concurrent
clients send REQUESTS `GET /healthz` in all (each its own TCP connection: sync workers close after
each answer); req/s and p95 latency, median of RUNS runs. The floor, in the same run and taken in
turn with the figure run after run (the shared machine's speed drifts), is a bare WSGI app returning
200 (bench/bare_wsgi.py) under the same gunicorn config and the same clients.

The clients are 5 processes of 10 threads (one Python process could not keep 4 workers busy): the
figures include their CPU, taken from the same 2 cores, for the floor as for the app.
"""

from __future__ import annotations

import http.client
import multiprocessing
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database, gunicorn  # noqa: E402

CLIENTS = 50
PROCESSES = 5
QUICK = "--quick" in sys.argv
RUNS = 3 if QUICK else 5
REQUESTS = 2_000 if QUICK else 6_000


def _client_process(host: str, port: int, path: str, per_thread: int, threads: int, start_at: float,
                    out: Any) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run() -> None:
        mine: list[float] = []
        failed = 0
        for _ in range(per_thread):
            began = time.monotonic()
            try:
                connection = http.client.HTTPConnection(host, port, timeout=30)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status != 200:
                    failed += 1
                    continue
            except (OSError, http.client.HTTPException):
                failed += 1
                continue
            mine.append(time.monotonic() - began)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    while time.monotonic() < start_at:  # every process starts at once
        time.sleep(0.001)
    workers = [threading.Thread(target=run) for _ in range(threads)]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put((latencies, errors[0], began, time.monotonic()))


def load(base: str, path: str) -> dict[str, float]:
    """REQUESTS GETs of `path` by CLIENTS concurrent clients: req/s, p50, p95, errors."""
    host, _sep, port = base.removeprefix("http://").partition(":")
    threads = CLIENTS // PROCESSES
    per_thread = REQUESTS // CLIENTS
    out: Any = multiprocessing.Queue()
    start_at = time.monotonic() + 0.5
    processes = [multiprocessing.Process(target=_client_process,
                                         args=(host, int(port), path, per_thread, threads, start_at, out))
                 for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    results = [out.get() for _ in processes]
    for process in processes:
        process.join()
    latencies = sorted(lat for result in results for lat in result[0])
    errors = sum(result[1] for result in results)
    elapsed = max(r[3] for r in results) - min(r[2] for r in results)
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies),
            "p95": latencies[int(len(latencies) * 0.95) - 1], "errors": errors}


def main() -> None:
    figures: dict[str, list[dict[str, float]]] = {"healthz": [], "floor": []}
    with fresh_database("lotsenbuch_bench_health") as url, \
            gunicorn(url) as app_base, \
            gunicorn(url, app="bench.bare_wsgi:app", ready_path="/") as floor_base:
        load(app_base, "/healthz")  # warm-up: every worker's pool has its connection
        load(floor_base, "/")
        for _ in range(RUNS):
            figures["healthz"].append(load(app_base, "/healthz"))
            figures["floor"].append(load(floor_base, "/"))
    app, floor = (summary(figures[name]) for name in ("healthz", "floor"))
    print(f"health benchmark: gunicorn (4 sync workers), {CLIENTS} clients, {REQUESTS:,} requests a run, "
          f"median of {RUNS}")
    print(f"  GET /healthz (database ping)   {app['rps']:7,.0f} req/s   p50 {app['p50'] * 1000:5.1f} ms   "
          f"p95 {app['p95'] * 1000:5.1f} ms   errors {app['errors']:.0f}")
    print(f"  floor: bare WSGI app, 200      {floor['rps']:7,.0f} req/s   p50 {floor['p50'] * 1000:5.1f} ms   "
          f"p95 {floor['p95'] * 1000:5.1f} ms   errors {floor['errors']:.0f}")
    print(f"  ratio                          {floor['rps'] / app['rps']:.2f}x the floor's time per request")
    print("  runs (req/s): healthz " + ", ".join(f"{f['rps']:,.0f}" for f in figures["healthz"])
          + "; floor " + ", ".join(f"{f['rps']:,.0f}" for f in figures["floor"]))


def summary(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p95", "errors")}


if __name__ == "__main__":
    main()
