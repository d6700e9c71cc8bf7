"""HTTP-level fixtures: devices enrolled over the API and a small helper to call `/api/v1/sync`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.syncing.conftest import (  # noqa: F401 - fixtures shared with the sync tests
    coordinator,
    enrol_code,
    guide,
    make_device,
    org,
)


def new_id() -> str:
    return str(uuid.uuid4())


def mutation(record_type: str, record_id: str | None = None, op: str = "upsert", base_version: int | None = None,
             **fields: Any) -> dict[str, Any]:
    return {"id": new_id(), "type": record_type, "record_id": record_id or new_id(), "op": op,
            "base_version": base_version, "fields": fields, "client_time": "2026-11-20T10:00:00Z"}


def activity(record_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    fields = {"date": "2026-11-20", "minutes": 90, "kind": "accompaniment", "note": "Jobcenter",
              "needs_professional_help": False}
    fields.update(overrides)
    return mutation("activity", record_id, **fields)


def expense(record_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    fields = {"date": "2026-11-03", "category": "public_transport", "amount_cents": 320,
              "description": "GVH Einzelfahrt"}
    fields.update(overrides)
    return mutation("expense", record_id, **fields)


def auth(token: str, lang: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if lang:
        headers["Accept-Language"] = lang
    return headers


@pytest.fixture
def token(make_device: Callable[..., Any], guide: Any) -> str:  # noqa: F811 - the imported fixtures
    return str(make_device(guide).token)


@pytest.fixture
def sync(client: Any) -> Callable[..., Any]:
    """POST /api/v1/sync; returns the response (`body` replaces the whole JSON body when given)."""

    def call(token: str, mutations: list[dict[str, Any]] | None = None, cursor: str | None = None,
             limit: int | None = None, lang: str | None = None, body: Any = None, **extra: Any) -> Any:
        if body is None:
            body = {"cursor": cursor, "mutations": mutations or []}
            if limit is not None:
                body["limit"] = limit
            body.update(extra)
        return client.post("/api/v1/sync", json=body, headers=auth(token, lang))

    return call


def pull_all(sync: Callable[..., Any], token: str, limit: int = 500) -> dict[tuple[str, str], dict[str, Any]]:
    """Every change this device receives from the start, by (type, record_id)."""
    cursor, seen = None, {}
    for _ in range(1000):
        body = sync(token, cursor=cursor, limit=limit).get_json()
        for change in body["changes"]:
            seen[(change["type"], change["record_id"])] = change
        cursor = body["cursor"]
        if not body["has_more"]:
            return seen
    raise AssertionError("pull did not end")


def result_of(response: Any, index: int = 0) -> dict[str, Any]:
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json()["results"][index])


@pytest.fixture
def referenced(sync: Callable[..., Any], token: str) -> Callable[..., str]:
    """Sync an expense that references `data`'s hash; returns the expense id."""
    import hashlib

    def make(*blobs: bytes, device_token: str | None = None) -> str:
        item = expense(receipts=[hashlib.sha256(b).hexdigest() for b in blobs])
        response = sync(device_token or token, [item])
        assert response.get_json()["results"][0]["status"] == "applied", response.get_json()
        return str(item["record_id"])

    return make
