"""Push fixtures: the stand-in push service, guides' devices subscribed to it, sending what is due."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.api.conftest import auth
from tests.push.push_service import PushService, Subscription, start
from tests.syncing.conftest import (  # noqa: F401 - fixtures shared with the sync tests
    coordinator,
    enrol_code,
    guide,
    make_device,
    org,
)


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service, server = start()
    yield service
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribe(client: Any, push_service: PushService) -> Callable[[Any], Subscription]:
    """`subscribe(device)`: the device's browser subscribes and hands the subscription to the server."""

    def make(device: Any) -> Subscription:
        sub = push_service.subscribe()
        response = client.put("/api/v1/push-subscription", json=sub.as_json(), headers=auth(device.token))
        assert response.status_code == 200, response.get_json()
        return sub

    return make


@pytest.fixture
def send_due(app: Any) -> Callable[[], Any]:
    """What the `send-mail` loop does, once: deliver every due outbox row (mail and push)."""

    def run() -> Any:
        result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
        assert result.exit_code == 0, result.output
        return result

    return run


@pytest.fixture
def sync_expenses(make_device: Callable[..., Any], guide: Any) -> Callable[[int], tuple[str, list[str]]]:  # noqa: F811
    """`sync_expenses(n)`: the guide's other phone logs n November expenses and submits their claim."""

    def make(n: int) -> tuple[str, list[str]]:
        phone = make_device(guide, "claims phone")
        ids = [phone.upsert("expense", date=f"2026-11-{day + 1:02d}", category="public_transport",
                            amount_cents=320, description="GVH") for day in range(n)]
        phone.sync()
        claim_id = phone.upsert("claim", month="2026-11", state="submitted")
        phone.sync()
        return claim_id, ids

    return make


@pytest.fixture
def signed_desk(app: Any) -> Callable[[Any], Any]:
    """A test client signed in at the desk as `user` (CSRF is off in tests)."""
    from tests.coordinator.conftest import sign_in

    def make(user: Any) -> Any:
        browser = app.test_client()
        assert sign_in(browser, user.email).status_code == 302
        return browser

    return make


@pytest.fixture(autouse=True)
def english_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI speaks the shell's language; pin it so its messages are predictable (as tests/test_cli.py)."""
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
