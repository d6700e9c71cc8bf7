"""The moments where date code breaks, for tests that set the clock (tests/conftest.py: `clock`).

`make test` runs the date-sensitive tests a second time with the whole clock set to one of them
(`python -m tests.moments` picks one by today's date, so over the days every moment gets its turn;
`TEST_NOW=… make test` chooses it).
"""

from __future__ import annotations

import datetime as dt

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


def pick(day: dt.date) -> str:
    return MOMENTS[day.toordinal() % len(MOMENTS)]


if __name__ == "__main__":
    from sync import clock

    print(pick(clock.today()))
