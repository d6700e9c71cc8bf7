"""Plausibility over sync and in review: a meeting's start time travels with it (and a malformed one is
refused like any bad field); a meeting in the future, over 12 hours, or overlapping another of the
guide's that day is accepted — never refused — and flagged on the coordinator's review list and detail."""

from __future__ import annotations

import re

from tests.syncing.conftest import activity_fields


def flags(html: str, record_id: str | None = None) -> set[str]:
    if record_id is not None:  # the list row of that activity
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{record_id}(?:(?!</tr>).)*</tr>", html, re.S)
        html = row.group(0) if row else ""
    return set(re.findall(r'data-flag="(\w+)"', html))


def test_flags_reach_review_and_nothing_is_refused(signed_in, world, make_device, clock) -> None:
    clock("2026-11-20T18:00+01:00")
    phone = make_device(world.guide_a)
    plain = phone.upsert("activity", **activity_fields(date="2026-11-20", minutes=60, start_time="08:00"))
    morning = phone.upsert("activity", **activity_fields(date="2026-11-20", minutes=120, start_time="09:30"))
    overlapping = phone.upsert("activity", **activity_fields(date="2026-11-20", minutes=60, start_time="11:00"))
    long = phone.upsert("activity", **activity_fields(date="2026-11-19", minutes=13 * 60))
    future = phone.upsert("activity", **activity_fields(date="2026-11-21", minutes=60))
    phone.sync()
    assert phone.rejections() == []  # warnings, never refusals
    assert phone.record("activity", morning)["start_time"] == "09:30"  # pulled back as stored
    assert phone.record("activity", long)["start_time"] is None

    browser = signed_in(world.coord_a)
    listing = browser.get("/coordinator/review").get_data(as_text=True)
    assert flags(listing, plain) == set()
    assert flags(listing, morning) == {"overlap"} and flags(listing, overlapping) == {"overlap"}
    assert flags(listing, long) == {"long"} and flags(listing, future) == {"future"}
    assert "überschneidet sich mit einem anderen Eintrag" in listing and "in der Zukunft" in listing

    detail = browser.get(f"/coordinator/review/{overlapping}").get_data(as_text=True)
    assert flags(detail) == {"overlap"} and "begonnen um 11:00" in detail
    assert flags(browser.get(f"/coordinator/review/{plain}").get_data(as_text=True)) == set()

    # The next day, "future" is past: the flag follows the one clock.
    clock("2026-11-21T09:00+01:00")
    assert flags(browser.get("/coordinator/review").get_data(as_text=True), future) == set()


def test_a_malformed_start_time_is_refused_and_changes_nothing(world, make_device) -> None:
    phone = make_device(world.guide_a)
    for bad in ("25:00", "9:30", "09:60", "0930", 930):
        record_id = phone.upsert("activity", **activity_fields(start_time=bad))
        trip = phone.sync_once()
        [result] = trip.results
        assert result["status"] == "rejected" and result["error"]["code"] == "invalid", bad
        assert "start_time" in result["error"]["fields"], bad
        phone.sync()
        assert phone.record("activity", record_id) is None
