"""Test helpers for the sync property, crash and late-commit tests: unreliable transports, skewed
clocks, devices enrolled without the (rate-limited) enrolment endpoint, and server-side views of what a
guide's device should hold."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.client import SyncClient

Transport = Callable[[str, str, dict[str, Any] | None, str | None], tuple[int, Any]]


class LostInTransit(ConnectionError):
    """The network ate the request or the response."""


class FlakyTransport:
    """Wraps a transport. `fate` decides what the next request suffers:

    * ok — delivered both ways;
    * drop_request — lost before it reaches the server;
    * drop_response — the server handles it (and commits), the answer is lost;
    * duplicate — the network delivers the request twice; the client sees the second answer.

    Every response that reaches the client is inspected: each mutation result it carries is remembered
    in `acked` (mutation id -> (mutation, result)); a result delivered twice must be identical.
    """

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.fate = "ok"
        self.acked: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.server_calls = 0

    def __call__(self, method: str, path: str, body: dict[str, Any] | None, token: str | None) -> tuple[int, Any]:
        fate, self.fate = self.fate, "ok"
        if fate == "drop_request":
            raise LostInTransit("request lost")
        status, response = self.inner(method, path, body, token)
        self.server_calls += 1
        if fate == "duplicate":
            status, response = self.inner(method, path, body, token)
            self.server_calls += 1
        if fate == "drop_response":
            raise LostInTransit("response lost")
        if status == 200 and path == "/api/v1/sync" and body is not None:
            by_id = {m["id"]: m for m in body["mutations"]}
            for result in response["results"]:
                known = self.acked.get(result["id"])
                if known is not None:
                    assert _comparable(known[1]) == _comparable(result), "a replay must return the original result"
                self.acked[result["id"]] = (by_id[result["id"]], result)
        return status, response


def _comparable(result: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(result, sort_keys=True))


class SkewedClient(SyncClient):
    """The reference client with a wrong clock (client_time is off by `skew`), remembering every
    mutation id it ever queued."""

    def __init__(self, transport: Transport, skew: dt.timedelta = dt.timedelta(0), **kwargs: Any) -> None:
        super().__init__(transport, **kwargs)
        self.skew = skew
        self.queued: list[str] = []

    def client_time(self) -> dt.datetime:
        return super().client_time() + self.skew

    def _queue(self, record_type: str, record_id: str, op: str, fields: dict[str, Any]) -> dict[str, Any]:
        mutation = super()._queue(record_type, record_id, op, fields)
        self.queued.append(mutation["id"])
        return mutation

    def snapshot(self) -> dict[tuple[str, str], tuple[int, dict[str, Any]]]:
        """Live records as (version, data)."""
        rows = self.db.execute("SELECT type, record_id, version, data FROM records WHERE deleted = 0")
        return {(t, r): (int(v), json.loads(d)) for t, r, v, d in rows}

    def versions(self) -> dict[tuple[str, str], int]:
        return {(t, r): int(v) for t, r, v in self.db.execute("SELECT type, record_id, version FROM records")}


def enrol_directly(session: Session, client: SyncClient, guide: Any, name: str = "phone") -> str:
    """Register a device row and hand its token to `client` (the enrolment endpoint is rate limited)."""
    from server.accounts.models import Device
    from server.api.auth import new_token, token_hash

    token = new_token()
    device = Device(user_id=guide.id, organization_id=_org_of(session, guide), name=name,
                    token_hash=token_hash(token))
    session.add(device)
    session.commit()
    with client.db:
        client.db.execute("INSERT OR REPLACE INTO meta VALUES ('token', ?)", (token,))
        client.db.execute("INSERT OR REPLACE INTO meta VALUES ('device_id', ?)", (device.id,))
    return str(device.id)


def _org_of(session: Session, user: Any) -> int:
    from server.accounts.models import Membership

    return int(session.scalar(select(Membership.organization_id).where(Membership.user_id == user.id)))


# ------------------------------------------------------------------------------ server-side views

def live_objects(session: Session, record_type: str, organization_id: int) -> list[Any]:
    from sync.registry import BINDINGS

    binding = BINDINGS[record_type]
    model = binding.model
    if record_type == "organization":
        obj = session.get(model, organization_id)
        return [obj] if obj is not None else []
    return list(session.scalars(select(model).where(model.organization_id == organization_id)))


def server_scope(session: Session, organization_id: int, guide_id: int) -> dict[tuple[str, str], tuple[int, Any]]:
    """What a device of this guide must hold after converging: (version, wire data) per live record."""
    from sync.registry import BINDINGS

    scope: dict[tuple[str, str], tuple[int, Any]] = {}
    for record_type, binding in BINDINGS.items():
        for obj in live_objects(session, record_type, organization_id):
            if getattr(obj, "deleted_at", None) is not None:
                continue
            if not binding.visible_to_guide(session, obj, guide_id):
                continue
            data = json.loads(json.dumps(binding.to_wire(session, obj, str(guide_id))))
            scope[(record_type, binding.record_id_of(obj))] = (int(obj.version), data)
    return scope


def history_problems(session: Session, organization_id: int) -> list[str]:
    """Every synced record's history versions are 1..version, once each (no double application)."""
    from sync.registry import BINDINGS
    from sync.tables import RecordHistory

    versions: dict[tuple[str, str], list[int]] = defaultdict(list)
    for record_type, record_id, version in session.execute(
        select(RecordHistory.record_type, RecordHistory.record_id, RecordHistory.version)
        .where(RecordHistory.organization_id == organization_id)
    ):
        versions[(record_type, record_id)].append(version)
    problems = []
    for record_type, binding in BINDINGS.items():
        if record_type == "organization":
            continue
        for obj in live_objects(session, record_type, organization_id):
            key = (record_type, binding.record_id_of(obj))
            found = sorted(versions.get(key, []))
            if found != list(range(1, int(obj.version) + 1)):
                problems.append(f"{key}: version {obj.version}, history versions {found}")
    return problems


def audit_mutation_counts(session: Session, organization_id: int) -> Counter[str]:
    """How often each mutation id appears among the audit log's applied sync mutations."""
    from server.audit.models import AuditEvent

    counts: Counter[str] = Counter()
    for action, details in session.execute(
        select(AuditEvent.action, AuditEvent.details).where(AuditEvent.organization_id == organization_id)
    ):
        if action.startswith("sync.") and isinstance(details, dict) and "mutation_id" in details:
            counts[details["mutation_id"]] += 1
    return counts
