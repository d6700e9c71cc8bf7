"""Fixtures for the public pages: an organization whose request form is switched on, and a complete request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

NOTICE = "Die VHS Hannover verarbeitet Ihre Angaben nur zur Vermittlung (Art. 6 Abs. 1 lit. e DSGVO)."


def complete_request(**overrides: Any) -> dict[str, str]:
    values = {
        "institution": "Grundschule Am Lindener Markt", "contact_name": "Petra Schulz",
        "contact_email": "schulz@gs-linden.example", "contact_phone": "0511 123456",
        "field": "parents", "description": "Begleitung zu Elterngesprächen in der Schule, zweimal im Monat.",
        "language": "ar", "dialect": "Syrisch", "district": "linden-limmer",
        "starts_on": "2027-03-01", "ends_on": "2027-06-30", "expected_hours": "12", "people_count": "2",
        "consent": "yes", "website": "",
    }
    values.update(overrides)
    return values


@pytest.fixture
def open_form(app: Any) -> Callable[..., Any]:
    """Switch on an organization's public request form (with its data protection notice)."""
    from server.extensions import db
    from server.public.directory import profile_for

    def switch_on(org: Any, notice: str = NOTICE) -> Any:
        profile = profile_for(db.session, org.id)
        profile.privacy_notice = notice
        profile.form_enabled = True
        db.session.commit()
        return profile

    return switch_on


@pytest.fixture
def world_signed_in(app: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> tuple[Any, Any]:
    """Organization `vhs` and a browser signed in as its coordinator."""
    from tests.coordinator.conftest import PASSWORD, sign_in

    org = make_org("vhs", "VHS Hannover")
    coordinator = make_user(org, "coordinator", "coord@vhs.example", "Clara Coordinator", PASSWORD)
    browser = app.test_client()
    assert sign_in(browser, coordinator.email).status_code == 302
    return org, browser


@pytest.fixture(autouse=True)
def english_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI speaks the shell's language; pin it so its messages are predictable (as tests/test_cli.py)."""
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
