"""The one clock: every "now" and "today" of the server, the sync engine, the demo and the CLI.

Why one module: what a user calls "today" decides a claim's month, a tax-free limit's year, a report's
period, a retention cut-off and the demo's dates, and the test suite must pass on any day of the year.
So no code asks the system for the date itself (`date.today()` is banned by a test); it asks here.

* Stored timestamps are timezone-aware UTC (`utcnow`).
* A user's calendar day is the day in Europe/Berlin, where the organizations are (`today`): at 00:30
  on 1 January in Hannover the new year has begun although UTC still says 31 December.
* Tests move this clock with time-machine (`tests/conftest.py`: the `clock` fixture, and
  `LOTSENBUCH_TEST_NOW` for a whole run), which shifts every reading of the system time at once;
  nothing here is patched by hand.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Berlin")


def utcnow() -> dt.datetime:
    """Now, timezone-aware UTC (what the database stores)."""
    return dt.datetime.now(dt.UTC)


def local_now() -> dt.datetime:
    """Now on the organizations' wall clock (Europe/Berlin)."""
    return utcnow().astimezone(LOCAL_ZONE)


def today() -> dt.date:
    """Today's date in Europe/Berlin: the day a guide or coordinator sees on her calendar."""
    return local_now().date()


def current_month() -> str:
    """This month as YYYY-MM (the key of claims and allowance lines)."""
    return today().strftime("%Y-%m")


def local_date(moment: dt.datetime) -> dt.date:
    """The Europe/Berlin calendar day of a stored UTC timestamp."""
    return moment.astimezone(LOCAL_ZONE).date()
