"""What the demo's steps share: one organization's objects, and the dates the demo hangs on today."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from server.accounts.models import User
from server.activities.models import Activity
from server.assignments.models import Assignment, AssignmentRequest, Client, PartnerInstitution
from server.expenses.models import Claim, Expense
from server.money.models import Payout
from server.organizations.models import Organization
from sync import clock
from sync.clock import utcnow


@dataclass
class DemoOrg:
    """What one organization of the demo consists of, as the later steps need it."""

    org: Organization
    approver: User
    guides: dict[str, User] = field(default_factory=dict)
    partners: dict[str, PartnerInstitution] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    requests: dict[str, AssignmentRequest] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    expenses: list[Expense] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    payouts: list[Payout] = field(default_factory=list)


class DemoClock:
    """Today, now, and the dates the demo hangs on them."""

    def __init__(self) -> None:
        self.today = clock.today()
        self.now = utcnow()
        three_months_ago = self.month_start(-3)
        # At least three months back, and always into the month that the demo shows as paid.
        self.first_day = min(self.today - dt.timedelta(days=91), three_months_ago + dt.timedelta(days=7))

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def month_start(self, offset: int) -> dt.date:
        index = self.today.year * 12 + self.today.month - 1 + offset
        return dt.date(index // 12, index % 12 + 1, 1)

    def month_offset(self, day: dt.date) -> int:
        return (day.year - self.today.year) * 12 + day.month - self.today.month

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        """A UTC timestamp on `day`, never later than now."""
        return min(dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC), self.now)


def demo_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
