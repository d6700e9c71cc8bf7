"""The accompaniment timer on a 360×640 phone: a stop opens a review of start, end, kind, assignment
and note before anything is logged (kept across closing the app); a run under a minute is taken for an
accidental tap and booked only if the guide says so."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.browser.test_field_day import DUMP_DB, enrol, enrolled_guide, has_horizontal_scroll

pytestmark = pytest.mark.browser

BERLIN = dt.timezone(dt.timedelta(hours=1))  # December: the context runs in Europe/Berlin, CET


def local(page: Any) -> dict[str, Any]:
    dump = page.evaluate(DUMP_DB)
    return {"timer": next((r["value"] for r in dump["meta"] if r["key"] == "timer"), None),
            "activities": [r["data"] for r in dump["records"] if r["type"] == "activity"],
            "outbox": dump["outbox"]}


def test_a_stopped_run_is_reviewed_before_it_is_logged(phone, live_server, artifacts) -> None:
    code, _guide_id, _org = enrolled_guide(live_server, f"timer-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    context = phone("de-DE", timezone_id="Europe/Berlin")
    page = enrol(context, code, "Amira Haddad")
    context.set_offline(True)
    day = dt.date(2026, 12, 3)
    page.clock.set_system_time(dt.datetime(2026, 12, 3, 10, 0, tzinfo=BERLIN))
    page.get_by_role("button", name="Begleitung beginnt").click()
    page.get_by_test_id("timer-running").wait_for()
    page.clock.set_system_time(dt.datetime(2026, 12, 3, 11, 35, tzinfo=BERLIN))
    page.get_by_role("button", name="Begleitung beendet").click()

    # The review: prefilled from the timer, nothing logged yet.
    page.get_by_test_id("timer-review").wait_for()
    assert page.get_by_role("heading", name="Begleitung prüfen").is_visible()
    assert page.get_by_label("Datum").input_value() == day.isoformat()
    assert (page.get_by_label("Von", exact=True).input_value(), page.get_by_label("Bis", exact=True).input_value()) \
        == ("10:00", "11:35")
    assert page.get_by_label("Art", exact=True).input_value() == "accompaniment"
    assert page.get_by_label("Einsatz").is_visible()
    assert local(page)["activities"] == [] and local(page)["timer"]["ended_at"]
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "timer-review-360x640.png"), full_page=True)

    # Closed before saving: the stopped run waits on Today, still not logged.
    page.close()
    page = context.new_page()
    page.goto("/")
    assert page.get_by_test_id("timer-ended").inner_text() == "Begleitung 10:00–11:35, noch nicht eingetragen."
    page.get_by_role("button", name="Prüfen und speichern").click()
    page.get_by_label("Bis", exact=True).fill("11:20")
    page.get_by_label("Art", exact=True).select_option("meeting")
    page.get_by_label("Notiz").fill("Jobcenter, Antrag abgegeben")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    after = local(page)
    assert after["timer"] is None
    [activity] = after["activities"]
    assert (activity["date"], activity["minutes"], activity["kind"], activity["note"]) == (
        day.isoformat(), 80, "meeting", "Jobcenter, Antrag abgegeben")
    assert len(after["outbox"]) == 1
    page.get_by_role("button", name="Begleitung beginnt").wait_for()  # the timer is free again


def test_a_run_under_a_minute_is_not_booked_without_asking(phone, live_server) -> None:
    code, _guide_id, _org = enrolled_guide(live_server, f"timer-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    context = phone("de-DE")
    page = enrol(context, code, "Amira Haddad")
    page.get_by_role("button", name="Begleitung beginnt").click()
    page.get_by_role("button", name="Begleitung beendet").click()
    short = page.get_by_test_id("timer-short")
    assert "weniger als eine Minute" in short.inner_text() and "nichts eingetragen" in short.inner_text()
    assert local(page)["activities"] == []

    # "Continue": the same run goes on from its start; "Discard": gone, nothing logged or queued.
    started = local(page)["timer"]["started_at"]
    page.get_by_role("button", name="Stoppuhr weiterlaufen lassen").click()
    page.get_by_test_id("timer-running").wait_for()
    assert local(page)["timer"] == {"started_at": started}
    page.get_by_role("button", name="Begleitung beendet").click()
    page.get_by_role("button", name="Verwerfen").click()
    page.get_by_role("button", name="Begleitung beginnt").wait_for()
    assert local(page) == {"timer": None, "activities": [], "outbox": []}
