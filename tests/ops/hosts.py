"""Real hosts for the operations tests: a PostgreSQL database of the test's own, gunicorn processes on
loopback ports serving it, the `flask --app server` command line, and the reference client over HTTP."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, _migrate, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class LostInTransit(ConnectionError):
    """The host died or was not there: the request may or may not have been applied."""


@contextlib.contextmanager
def pg_database(label: str, instance: Path) -> Iterator[str]:
    """A migrated PostgreSQL database of this test's own (dropped afterwards)."""
    base = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
                    if PG_URL.startswith("postgresql://") else PG_URL)
    name = f"lotsenbuch_{label}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here
        admin.dispose()
        skip_or_fail(f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}")
    url = base.set(database=name).render_as_string(hide_password=False)
    _migrate(url, instance)
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


def host_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="ops-test-secret", LOTSENBUCH_INSTANCE=str(instance),
                BLOB_DIR=str(instance / "blobs"), LOG_LEVEL="ERROR", PYTHONWARNINGS="ignore",
                VAPID_PRIVATE_KEY="hbE5OX724cirXjjqHqS6iUPuvHRnTaLDdxCfBbUSP2s",
                LANGUAGE="en", LANG="en_US.UTF-8", **extra)  # the command line speaks the shell's language


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "flask"), "--app", "server", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


class Host:
    """One gunicorn host (a master and `workers` sync workers) on a loopback port of its own."""

    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        self.env, self.workers = env, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Host:
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "server/gunicorn.conf.py", "-w", str(self.workers), "-b",
             f"127.0.0.1:{self.port}", "--log-level", "warning", "server:create_app()"],
            cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            assert self.process.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: a host that loses power."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)
            self.process = None

    def transport(self, method: str, path: str, body: dict[str, Any] | None, token: str | None) -> tuple[int, Any]:
        return request(self.base, method, path, body, token)


def request(base: str, method: str, path: str, body: dict[str, Any] | None, token: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Connection": "close"} if token else {"Connection": "close"}
    try:
        response = requests.request(method, base + path, json=body, headers=headers, timeout=30)
    except requests.RequestException as exc:
        raise LostInTransit(str(exc)) from exc
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None
