"""Every "now" and "today" comes from sync/clock.py, so that tests can set it and a user's day is the
day in Europe/Berlin (a claim made at 00:30 on 1 January belongs to the new year)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sync import clock as one_clock

ROOT = Path(__file__).resolve().parents[1]
# Asking the system directly: the machine's zone (not Berlin's) and a clock the tests cannot set.
FORBIDDEN = re.compile(r"\b(date\.today\(\)|datetime\.(now|utcnow|today)\(|time\.time\(\))")


def test_no_code_asks_the_system_for_the_date():
    offenders = []
    for folder in ("server", "sync", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name in ("clock.py", "test_one_clock.py") or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if FORBIDDEN.search(line.split("#")[0]):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "use sync.clock (utcnow, today) instead:\n" + "\n".join(offenders)


def test_the_calendar_day_follows_europe_berlin(clock):
    clock_set = clock
    clock_set("2027-12-31T23:30:00+00:00")  # 00:30 on 1 January in Hannover
    assert one_clock.utcnow().date() == dt.date(2027, 12, 31)
    assert one_clock.today() == dt.date(2028, 1, 1) and one_clock.current_month() == "2028-01"
    clock_set("2028-03-26T00:59:00+00:00")  # summer time begins at 01:00 UTC
    assert one_clock.local_now().utcoffset() == dt.timedelta(hours=1)
    clock_set("2028-03-26T01:01:00+00:00")
    assert one_clock.local_now().utcoffset() == dt.timedelta(hours=2)
    assert one_clock.local_date(dt.datetime(2028, 10, 28, 22, 30, tzinfo=dt.UTC)) == dt.date(2028, 10, 29)
