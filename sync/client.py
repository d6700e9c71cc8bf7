"""A reference sync client: what a second implementation (a native app) must do, in ~200 lines.

Local state lives in one SQLite file (or memory): the records as last known, an outbox of mutations
not yet acknowledged, and the cursor. The rules it follows are the protocol's (PROTOCOL.md):
* an edit is written to the local record and the outbox in one transaction;
* a mutation leaves the outbox only when the server acknowledged it (any status, including rejected);
* after a failed request the same mutations are sent again with the same ids (exactly once);
* a pulled change overwrites the local record unless the record still has unsent mutations, which
  the next round trip pushes and the server merges;
* a page of changes and its cursor are stored in one transaction;
* acknowledged mutations stay in a journal (`sent`) for JOURNAL_DAYS: when the server says it was
  restored from a backup (409 `feed_rewound`), they go back into the outbox with their ids, the cursor is
  dropped and everything is pulled again; what the re-pull does not bring back is gone from the server
  and is dropped here too (PROTOCOL.md §10).
Used by the tests (several simulated devices) and by the benchmark.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from sync import clock
from sync.envelope import base_version_of

# transport(method, path, json_body, token) -> (status, json_response); raises on network failure
Transport = Callable[[str, str, dict[str, Any] | None, str | None], tuple[int, Any]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS records (type TEXT, record_id TEXT, version INTEGER, deleted INTEGER, data TEXT,
                                    PRIMARY KEY (type, record_id));
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT, record_id TEXT, mutation TEXT);
CREATE INDEX IF NOT EXISTS outbox_record ON outbox (record_id);
CREATE TABLE IF NOT EXISTS rejections (mutation_id TEXT PRIMARY KEY, result TEXT);
CREATE TABLE IF NOT EXISTS sent (seq INTEGER PRIMARY KEY, mutation TEXT, acked_at TEXT);
CREATE TABLE IF NOT EXISTS unconfirmed (type TEXT, record_id TEXT, PRIMARY KEY (type, record_id));
"""

# How long acknowledged mutations are kept for a replay after a restore: a backup at most this old can
# be restored without losing what phones sent since (README, "Backup and restore").
JOURNAL_DAYS = 60


def _encode(value: Any) -> str:
    return orjson.dumps(value).decode()


class SyncFailed(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


@dataclass
class RoundTrip:
    results: list[dict[str, Any]]
    changes: int
    has_more: bool


class SyncClient:
    # limit: the largest page the protocol allows; a new device catches up in fewer round trips
    def __init__(self, transport: Transport, path: str = ":memory:", batch: int = 500, limit: int = 1000) -> None:
        self.transport, self.batch, self.limit = transport, batch, limit
        # One device is used by one thread at a time, but not always the thread that made it (benchmarks).
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.executescript(SCHEMA)

    # -- local state ------------------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def _set_meta(self, key: str, value: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @property
    def token(self) -> str | None:
        return self._meta("token")

    @property
    def cursor(self) -> str | None:
        return self._meta("cursor")

    def record(self, record_type: str, record_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data, deleted FROM records WHERE type = ? AND record_id = ?",
                              (record_type, record_id)).fetchone()
        if row is None or row[1]:
            return None
        return dict(json.loads(row[0]))

    def version(self, record_type: str, record_id: str) -> int | None:
        row = self.db.execute("SELECT version FROM records WHERE type = ? AND record_id = ?",
                              (record_type, record_id)).fetchone()
        return None if row is None else int(row[0])

    def records(self, record_type: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        query = "SELECT type, record_id, data FROM records WHERE deleted = 0"
        args: tuple[Any, ...] = ()
        if record_type is not None:
            query += " AND type = ?"
            args = (record_type,)
        return {(t, r): json.loads(d) for t, r, d in self.db.execute(query, args)}

    def pending(self) -> list[dict[str, Any]]:
        return [json.loads(m) for (m,) in self.db.execute("SELECT mutation FROM outbox ORDER BY seq")]

    def _busy(self, changes: list[dict[str, Any]]) -> set[tuple[str, str]]:
        """Which of these changed records still have mutations in the outbox. Looked up by id (a
        10,000-entry outbox is consulted after every round trip; decoding each queued mutation for it
        took longer than the round trip)."""
        if not changes or not self.has_pending():
            return set()
        ids = _encode([c["record_id"] for c in changes])
        rows = self.db.execute("SELECT DISTINCT type, record_id FROM outbox"
                               " WHERE record_id IN (SELECT value FROM json_each(?))", (ids,))
        return {(str(t), str(r)) for t, r in rows}

    def has_pending(self) -> bool:
        return self.db.execute("SELECT 1 FROM outbox LIMIT 1").fetchone() is not None

    def rejections(self) -> list[dict[str, Any]]:
        return [json.loads(r) for (r,) in self.db.execute("SELECT result FROM rejections")]

    # -- enrolment --------------------------------------------------------------------------------
    def enroll(self, code: str, device_name: str = "reference client") -> dict[str, Any]:
        status, body = self.transport("POST", "/api/v1/enroll", {"code": code, "device_name": device_name}, None)
        if status != 201:
            raise SyncFailed(status, body)
        with self.db:
            self._set_meta("token", body["token"])
            self._set_meta("device_id", body["device_id"])
        return dict(body)

    # -- local edits ------------------------------------------------------------------------------
    def upsert(self, record_type: str, record_id: str | None = None, **fields: Any) -> str:
        """Change (or create) a record locally and queue the mutation; returns the record id."""
        record_id = record_id or str(uuid.uuid4())
        with self.db:
            current = self.record(record_type, record_id) or {}
            current.update(fields)
            self._queue(record_type, record_id, "upsert", fields)
            self.db.execute(
                "INSERT INTO records (type, record_id, version, deleted, data) VALUES (?, ?, 0, 0, ?) "
                "ON CONFLICT (type, record_id) DO UPDATE SET data = excluded.data, deleted = 0",
                (record_type, record_id, _encode(current)))
        return record_id

    def delete(self, record_type: str, record_id: str) -> None:
        with self.db:
            self._queue(record_type, record_id, "delete", {})
            self.db.execute("UPDATE records SET deleted = 1 WHERE type = ? AND record_id = ?", (record_type, record_id))

    def _queue(self, record_type: str, record_id: str, op: str, fields: dict[str, Any]) -> dict[str, Any]:
        mutation = {
            "id": str(uuid.uuid4()), "type": record_type, "record_id": record_id, "op": op,
            "base_version": base_version_of(self.version(record_type, record_id)), "fields": fields,
            "client_time": self.client_time().isoformat(),
        }
        self.db.execute("INSERT INTO outbox (type, record_id, mutation) VALUES (?, ?, ?)",
                        (record_type, record_id, _encode(mutation)))
        return mutation

    def client_time(self) -> dt.datetime:
        return clock.utcnow()

    # -- sync -------------------------------------------------------------------------------------
    def sync_once(self) -> RoundTrip:
        """One round trip. On any failure the outbox and cursor are untouched: call again to retry."""
        rows = self.db.execute("SELECT seq, mutation FROM outbox ORDER BY seq LIMIT ?", (self.batch,)).fetchall()
        mutations = [orjson.loads(m) for _seq, m in rows]
        body = {"cursor": self.cursor, "mutations": mutations, "limit": self.limit}
        status, response = self.transport("POST", "/api/v1/sync", body, self.token)
        if status == 409 and (response or {}).get("error", {}).get("code") == "feed_rewound":
            self.recover()
            return RoundTrip([], 0, True)
        if status != 200:
            raise SyncFailed(status, response)
        now = clock.utcnow()
        with self.db:
            acked = {r["id"]: r for r in response["results"]}
            done = []
            for (seq, _raw), mutation in zip(rows, mutations, strict=True):
                result = acked.get(mutation["id"])
                if result is None:
                    continue
                done.append((seq,))
                if result["status"] == "rejected":
                    self.db.execute("INSERT OR REPLACE INTO rejections VALUES (?, ?)",
                                    (mutation["id"], _encode(result)))
                    if result.get("version") is None:  # a refused create: nothing exists on the server
                        self.db.execute("DELETE FROM records WHERE type = ? AND record_id = ?",
                                        (mutation["type"], mutation["record_id"]))
            self.db.executemany("INSERT OR REPLACE INTO sent (seq, mutation, acked_at) SELECT seq, mutation, ?"
                                " FROM outbox WHERE seq = ?", [(now.isoformat(), seq) for (seq,) in done])
            self.db.execute("DELETE FROM sent WHERE acked_at < ?", ((now - dt.timedelta(days=JOURNAL_DAYS)).isoformat(),))
            self.db.executemany("DELETE FROM outbox WHERE seq = ?", done)
            busy = self._busy(response["changes"])
            # Records with unsent local edits keep them: the server merges them on the next push. The
            # page goes to SQLite in one executemany (faster than one JSON text unpacked by json_each).
            self.db.executemany(
                "INSERT INTO records (type, record_id, version, deleted, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT"
                " (type, record_id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted,"
                " data = excluded.data",  # an update in place; REPLACE deletes and inserts (a third slower)
                [(c["type"], c["record_id"], c["version"], c["deleted"], "{}" if c["data"] is None else _encode(c["data"]))
                 for c in response["changes"] if not busy or (c["type"], c["record_id"]) not in busy])
            self._set_meta("cursor", response["cursor"])
            if self._meta("recovering"):
                self._confirm(response, sent=bool(rows))
        return RoundTrip(response["results"], len(response["changes"]), response["has_more"])

    def recover(self) -> None:
        """The server was restored from a backup (409 `feed_rewound`): it may lack what this device sent
        since, and its feed restarted. Journal back into the outbox, ahead of what waits (it is older),
        with the same ids: what the server still has answers as a replay, the rest is applied. Then a
        pull from the start; every record it does not confirm is gone from the server."""
        with self.db:
            self.db.execute("CREATE TEMP TABLE waiting AS SELECT type, record_id, mutation FROM outbox ORDER BY seq")
            self.db.execute("DELETE FROM outbox")
            self.db.execute("INSERT INTO outbox (type, record_id, mutation) SELECT json_extract(mutation, '$.type'),"
                            " json_extract(mutation, '$.record_id'), mutation FROM sent ORDER BY seq")
            self.db.execute("INSERT INTO outbox (type, record_id, mutation) SELECT type, record_id, mutation"
                            " FROM waiting ORDER BY rowid")
            self.db.execute("DROP TABLE waiting")
            self.db.execute("DELETE FROM sent")
            self.db.execute("DELETE FROM unconfirmed")
            self.db.execute("INSERT INTO unconfirmed SELECT type, record_id FROM records WHERE version > 0")
            self._set_meta("cursor", None)
            self._set_meta("recovering", "1")

    def _confirm(self, response: dict[str, Any], sent: bool) -> None:
        """During a recovery: the records this page brought are confirmed; once the pull is complete and
        nothing waits, the unconfirmed ones (the server lost them, and no replay brought them back) go."""
        self.db.executemany("DELETE FROM unconfirmed WHERE type = ? AND record_id = ?",
                            [(c["type"], c["record_id"]) for c in response["changes"]])
        if not sent and not response["has_more"] and not self.has_pending():
            self.db.execute("DELETE FROM records WHERE (type, record_id) IN (SELECT type, record_id FROM unconfirmed)")
            self.db.execute("DELETE FROM unconfirmed")
            self._set_meta("recovering", None)

    def sync(self, max_round_trips: int = 1000) -> int:
        """Sync until the outbox is empty and the server has nothing more; returns round trips made.

        A round trip that pushed is followed by one more pull: the server publishes a request's own
        changes when it commits, so their server versions arrive on the next pull."""
        for count in range(1, max_round_trips + 1):
            trip = self.sync_once()
            if not trip.has_more and not self.has_pending() and not trip.results:
                return count
        raise RuntimeError("sync did not finish")
