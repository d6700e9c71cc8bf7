"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis, through WSGI).

Every documented operation is called with generated requests and a valid device token: no answer may be
a 5xx, and every answer must match the status codes and schemas the document declares.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig

load_all_checks()
CHECKS = REGISTRY.get_all()  # every check, as `st run --checks all`


@pytest.fixture
def backend() -> str:
    """SQLite only: the fuzzer tests the HTTP layer, not the database (overrides the conftest fixture)."""
    return "sqlite"


@pytest.fixture
def device_token(app: Any, make_org: Any, make_user: Any) -> str:
    from server.accounts.operations import issue_enrolment_code
    from server.extensions import db

    guide = make_user(make_org("vhs", "VHS Hannover"), "guide")
    code = issue_enrolment_code(guide)
    db.session.commit()
    response = app.test_client().post("/api/v1/enroll", json={"code": code, "device_name": "fuzzer"},
                                      environ_base={"REMOTE_ADDR": "10.99.0.1"})
    assert response.status_code == 201
    return str(response.get_json()["token"])


# A schema-valid request may still be refused for what it names, never for its shape (checked by
# `positive_data_acceptance`). One such answer is 400 by contract: a sync cursor is opaque, and one this
# server did not issue to this organization is `400 invalid_cursor` (sync/PROTOCOL.md §2), which the
# phones in the field act on by status and code. The other: a push subscription's keys must be a point
# on the P-256 curve and a 16-byte secret (sync/PROTOCOL.md §8), which no JSON schema can state, so a
# schema-valid but made-up key is `400 invalid`. Every other check runs as `st run --checks all`.
_REFUSED_BY_CONTENT = {"positive_data_acceptance": {"expected-statuses": [
    "2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]}}
CONFIG = SchemathesisConfig.from_dict({"operations": [
    {"include-path": "/api/v1/sync", "checks": _REFUSED_BY_CONTENT},
    {"include-path": "/api/v1/push-subscription", "checks": _REFUSED_BY_CONTENT},
]})


def operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    return [result.ok() for result in schema.get_all_operations()]


# The pytest plugin's lazy loader (`schemathesis.pytest.from_fixture`) does not run under pytest 9
# (it sets `node._nodeid`), so each operation's Hypothesis strategy is driven here directly.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_api_answers_as_documented(app: Any, device_token: str, mode: GenerationMode) -> None:
    found = operations(app)
    assert {f"{op.method.upper()} {op.path}" for op in found} >= {
        "POST /api/v1/enroll", "POST /api/v1/sync", "PUT /api/v1/blobs/{sha256}", "GET /api/v1/blobs/{sha256}"}
    # Plain JSON: the WSGI transport hands schemathesis the bytes as sent, and it would not unpack gzip
    # (tests/api/test_sync_compression.py covers the compressed answers).
    headers = {"Authorization": f"Bearer {device_token}", "Accept-Encoding": "identity"}
    for operation in found:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Unsatisfiable:
            # Nothing invalid can be made for an operation without parameters or body (GET /meta).
            assert mode is GenerationMode.NEGATIVE, operation.path
