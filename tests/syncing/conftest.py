"""Sync fixtures: simulated devices (the reference client) talking to the app over the test client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sync.client import SyncClient


def test_client_transport(client: Any) -> Callable[..., tuple[int, Any]]:
    def transport(method: str, path: str, body: dict[str, Any] | None, token: str | None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.open(path, method=method, json=body, headers=headers)
        return response.status_code, response.get_json(silent=True)

    return transport


@pytest.fixture
def enrol_code(app: Any) -> Callable[[Any], str]:
    from server.accounts.operations import issue_enrolment_code
    from server.extensions import db

    def issue(user: Any) -> str:
        code = issue_enrolment_code(user)
        db.session.commit()
        return code

    return issue


@pytest.fixture
def make_device(client: Any, enrol_code: Callable[[Any], str]) -> Callable[..., SyncClient]:
    def make(guide: Any, name: str = "phone") -> SyncClient:
        device = SyncClient(test_client_transport(client))
        device.enroll(enrol_code(guide), name)
        return device

    return make


@pytest.fixture
def org(make_org: Callable[..., Any]) -> Any:
    return make_org("vhs", "VHS Hannover")


@pytest.fixture
def guide(make_user: Callable[..., Any], org: Any) -> Any:
    return make_user(org, "guide", "ayse@example.org", "Ayşe Demir")


@pytest.fixture
def coordinator(make_user: Callable[..., Any], org: Any) -> Any:
    return make_user(org, "coordinator", "koordination@example.org", "Maria Weber")


def activity_fields(**overrides: Any) -> dict[str, Any]:
    fields = {"date": "2026-11-20", "minutes": 90, "kind": "accompaniment", "note": "Jobcenter",
              "needs_professional_help": False}
    fields.update(overrides)
    return fields
