"""The demo is believable on any day: seeded at a spread of calendar days, it keeps every promise.

The days are the ones where date code breaks: the first and last day of a month and of a year (late
at night, when UTC and Europe/Berlin disagree on the date), 29 February, both daylight-saving switch
days in Europe/Berlin, and a day in each quarter.
"""

from __future__ import annotations

import pytest

from server.demo.seed import seed_demo_data
from tests.demo_promises import assert_demo_promises

MOMENTS = [
    "2027-01-01T00:30:00+01:00",  # new year in Hannover, still 31 December in UTC
    "2027-12-31T23:30:00+01:00",  # year-end night
    "2027-04-30T23:59:00+02:00",  # last day of a month
    "2027-06-01T00:05:00+02:00",  # first day of a month
    "2028-02-29T12:00:00+01:00",  # leap day
    "2027-03-28T03:30:00+02:00",  # summer time begins (02:00 → 03:00)
    "2027-10-31T02:30:00+01:00",  # summer time ends (the second 02:30)
    "2027-02-15T09:00:00+01:00",  # a day in each quarter
    "2027-05-14T09:00:00+02:00",
    "2027-08-16T09:00:00+02:00",
    "2027-11-15T09:00:00+01:00",
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_demo_keeps_its_promises_on_any_day(app, clock, moment):
    clock(moment)
    assert seed_demo_data() is not None
    assert_demo_promises()
    assert seed_demo_data() is None  # a second run adds nothing
