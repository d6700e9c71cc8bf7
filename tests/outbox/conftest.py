"""The outbox's tests: the CLI's messages in English, whatever the machine's language."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def english_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI speaks the shell's language; pin it so its messages are predictable (as tests/test_cli.py)."""
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
