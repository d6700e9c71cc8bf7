"""The demo is believable on any day: seeded at a spread of calendar days, it keeps every promise.

The days (tests/moments.py) are the ones where date code breaks: the first and last day of a month
and of a year (late at night, when UTC and Europe/Berlin disagree on the date), 29 February, both
daylight-saving switch days in Europe/Berlin, and a day in each quarter.
"""

from __future__ import annotations

import pytest

from server.demo.seed import seed_demo_data
from tests.demo_promises import assert_demo_promises
from tests.moments import MOMENTS


@pytest.mark.parametrize("moment", MOMENTS)
def test_demo_keeps_its_promises_on_any_day(app, clock, moment):
    clock(moment)
    assert seed_demo_data() is not None
    assert_demo_promises()
    assert seed_demo_data() is None  # a second run adds nothing
