"""Shared helpers for the benchmarks: a throw-away PostgreSQL database, a gunicorn server, timing."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def median_of(runs: int, fn: Callable[[], float]) -> tuple[float, list[float]]:
    values = [fn() for _ in range(runs)]
    return statistics.median(values), values


def medians_interleaved(runs: int, fns: dict[str, Callable[[], float]]) -> dict[str, float]:
    """The median of each figure, the figures taken in turn run after run: a figure and its floor then
    see the same machine (the shared development machine's speed drifts by 30 % within minutes)."""
    values: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            values[name].append(fn())
    return {name: statistics.median(found) for name, found in values.items()}


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@contextlib.contextmanager
def fresh_database(name: str) -> Iterator[str]:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    env = dict(os.environ, DATABASE_URL=url)
    subprocess.run([str(BIN / "flask"), "--app", "server", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int = 4, threads: int = 1, app: str = "server:create_app()",
             ready_path: str = "/healthz") -> Iterator[str]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench", LOG_LEVEL="WARNING",
               RATELIMIT_ENABLED="false",
               BLOB_DIR=str(ROOT / "instance" / "bench-blobs"))
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "server/gunicorn.conf.py", "-w", str(workers), "--threads", str(threads),
         "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", app],
        cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + ready_path, timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def http_transport(base: str, stats: dict[str, Any] | None = None,
                   accept_gzip: bool = False) -> Callable[..., tuple[int, Any]]:
    """The reference client's HTTP: one kept connection (http.client), JSON by orjson; with
    `accept_gzip`, compressed answers as a browser asks for them (and unpacks them).

    Leaner than `requests`, which cost about 1 ms a round trip on its own (environment look-ups,
    reading a 310 KB page in 10 KB chunks): more than the server took for some of them."""
    host, _sep, port = base.removeprefix("http://").partition(":")
    connection = [http.client.HTTPConnection(host, int(port or 80), timeout=120)]

    def transport(method: str, path: str, body: dict[str, Any] | None, token: str | None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if accept_gzip:
            headers["Accept-Encoding"] = "gzip"
        data = None if body is None else orjson.dumps(body)
        for attempt in (1, 2):
            try:
                connection[0].request(method, path, data, headers)
                response = connection[0].getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                # the server closed the kept connection (gunicorn's sync workers close after each
                # response): open a new one and send again
                connection[0].close()
                if attempt == 2:
                    raise
        if response.will_close:
            connection[0].close()
        if stats is not None:
            stats["bytes"] = stats.get("bytes", 0) + len(content)
            stats.setdefault("first_body", content)
        if response.getheader("Content-Encoding") == "gzip":
            content = gzip.decompress(content)
        return response.status, orjson.loads(content)

    return transport


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms" if seconds < 10 else f"{seconds:8.2f} s"
