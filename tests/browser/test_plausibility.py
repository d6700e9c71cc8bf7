"""Plausibility on a 360×640 phone: a meeting overlapping another of the day, or dated in the future,
gets a warning the guide confirms ("save anyway") or corrects — never a refusal; the start time of a
from–to entry is saved with it (the coordinator's review flags the same, tests/coordinator)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.browser.test_field_day import DUMP_DB, enrol, enrolled_guide

pytestmark = pytest.mark.browser


def log_span(page: Any, start: str, end: str, date: str | None = None) -> None:
    page.get_by_role("navigation").get_by_role("button", name="Eintragen").click()
    if date:
        page.get_by_label("Datum").fill(date)
    page.get_by_text("Von – bis").click()
    page.get_by_label("Von", exact=True).fill(start)
    page.get_by_label("Bis", exact=True).fill(end)
    page.get_by_role("button", name="Speichern").click()


def activities(page: Any) -> list[dict[str, Any]]:
    return [r["data"] for r in page.evaluate(DUMP_DB)["records"] if r["type"] == "activity"]


def test_overlap_and_future_are_warned_then_confirmed_or_corrected(phone, live_server) -> None:
    code, _guide_id, _org = enrolled_guide(live_server, f"plaus-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    context = phone("de-DE")
    page = enrol(context, code, "Amira Haddad")
    context.set_offline(True)
    log_span(page, "09:00", "10:00")
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    assert [(a["start_time"], a["minutes"]) for a in activities(page)] == [("09:00", 60)]

    # Overlapping: warned, nothing saved until the guide confirms.
    log_span(page, "09:30", "10:30")
    warning = page.get_by_test_id("plausibility")
    warning.wait_for()  # the warning replaces the save: read it once it is there
    assert warning.locator("[data-warning]").all_inner_texts() == [
        "Es überschneidet sich mit einem anderen Eintrag dieses Tages (09:00–10:00)."]
    assert len(activities(page)) == 1
    page.get_by_role("button", name="Trotzdem speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    assert sorted(a["start_time"] for a in activities(page)) == ["09:00", "09:30"]

    # In the future: warned; "correct it" goes back to the form, a changed date saves without a warning.
    tomorrow = (dt.date.fromisoformat(page.evaluate("new Date().toLocaleDateString('sv')")) + dt.timedelta(days=1))
    log_span(page, "14:00", "15:00", date=tomorrow.isoformat())
    page.get_by_test_id("plausibility").locator("[data-warning]").first.wait_for()
    assert page.get_by_test_id("plausibility").locator("[data-warning]").all_inner_texts() == [
        "Das Datum liegt in der Zukunft."]
    page.get_by_role("button", name="Korrigieren").click()
    assert page.get_by_test_id("plausibility").count() == 0 and len(activities(page)) == 2
    page.get_by_label("Datum").fill((tomorrow - dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    assert len(activities(page)) == 3
