"""The fast loader of a push's mutations (`MutationList`) loads and refuses exactly like marshmallow's
`List(Nested(MutationSchema))`, which it stands in for."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import Schema, ValidationError
from marshmallow import fields as ma

from server.api.schemas import MutationSchema, SyncRequestSchema

GOOD = {"id": "6f1c2c1e-0b9e-4c3a-9d7e-1234567890ab", "type": "activity",
        "record_id": "0b9e2c1e-6f1c-4c3a-9d7e-1234567890ab", "op": "upsert", "base_version": 3,
        "fields": {"minutes": 90, "note": "Jobcenter"}, "client_time": "2026-11-20T10:15:00+01:00"}


class ReferenceSchema(Schema):
    mutations = ma.List(ma.Nested(MutationSchema), load_default=list)


CASES: list[Any] = [
    [GOOD],
    [GOOD, {k: v for k, v in GOOD.items() if k not in ("base_version", "fields", "client_time")}],
    [dict(GOOD, base_version=None, client_time=None)],
    [dict(GOOD, record_id="not-a-uuid-but-short")],  # the engine rejects it per mutation, not here
    [dict(GOOD, id="NOT-A-UUID")],
    [dict(GOOD, id=None)],
    [dict(GOOD, base_version=True)],
    [dict(GOOD, base_version=1.5)],
    [dict(GOOD, base_version="1")],
    [dict(GOOD, fields=[1, 2])],
    [dict(GOOD, type="x" * 21)],
    [dict(GOOD, op=None)],
    [dict(GOOD, client_time="x" * 41)],
    [dict(GOOD, extra=1)],
    [{k: v for k, v in GOOD.items() if k != "type"}],
    ["not an object"],
    [GOOD, 5],
    "not a list",
    [],
]


def _load(schema: Schema, mutations: Any) -> Any:
    try:
        return ("ok", schema.load({"mutations": mutations})["mutations"])
    except ValidationError as exc:
        return ("error", exc.messages)


@pytest.mark.parametrize("mutations", CASES)
def test_fast_loader_matches_marshmallow(mutations: Any) -> None:
    assert _load(SyncRequestSchema(), mutations) == _load(ReferenceSchema(), mutations)
