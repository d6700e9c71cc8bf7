"""The dashboard counts what needs attention, for the coordinator's own organization only."""

from __future__ import annotations

import datetime as dt
import re

from server.assignments.models import Assignment, AssignmentRequest
from server.expenses.models import Claim
from server.extensions import db
from server.organizations.workload import last_twelve_months
from sync import clock
from sync.tables import Conflict


def _tiles(html: str) -> dict[str, int]:
    """Each tile's label → its count."""
    found = re.findall(r'<li class="tile[^"]*">\s*(?:<a href="[^"]*">)?<strong>(\d+)</strong> <span>([^<]+)</span>', html)
    return {label: int(count) for count, label in found}


def test_dashboard_counts(signed_in, world, make_user, add_activity):
    today = clock.today()
    a, b = world.org_a, world.org_b
    idle_guide = make_user(a, "guide", "idle@example.org", "Ida Idle")
    add_activity(idle_guide, a, today - dt.timedelta(days=90))
    add_activity(world.guide_a, a, today, needs_professional_help=True)
    add_activity(world.guide_a, a, today - dt.timedelta(days=40), minutes=120)
    add_activity(world.guide_b, b, today, needs_professional_help=True)  # the other organization
    db.session.add_all([
        Claim(organization_id=a.id, guide_id=world.guide_a.id, month=today.strftime("%Y-%m"), state="submitted"),
        Claim(organization_id=b.id, guide_id=world.guide_b.id, month=today.strftime("%Y-%m"), state="submitted"),
        Assignment(organization_id=a.id, guide_id=world.guide_a.id, title="Elternabend", state="active",
                   starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=10)),
        Assignment(organization_id=a.id, guide_id=world.guide_a.id, title="Later", state="active",
                   starts_on=today, ends_on=today + dt.timedelta(days=40)),
        AssignmentRequest(organization_id=a.id, state="open"),
        AssignmentRequest(organization_id=a.id, state="matched"),
        AssignmentRequest(organization_id=b.id, state="open"),
        Conflict(organization_id=a.id, guide_id=world.guide_a.id, record_type="activity",
                 record_id="00000000-0000-4000-8000-000000000001", field="minutes", kept_value=60, lost_value=90),
    ])
    db.session.commit()

    html = signed_in(world.coord_a).get("/coordinator/").get_data(as_text=True)
    assert _tiles(html) == {
        "Aktivitäten erfasst": 3,  # first sign-in: every activity of the organization
        "Abrechnungen warten auf Prüfung": 1,
        "offene Sync-Konflikte": 1,
        "Aktivitäten mit Hinweis „braucht professionelle Hilfe“": 1,
        "Vereinbarungen enden in den nächsten 14 Tagen": 1,
        "Anfragen ohne Lotsin oder Lotsen": 1,
        "Lotsinnen und Lotsen ohne Aktivität seit 60 Tagen": 1,
    }
    assert "/coordinator/guides?idle=1&amp;active=yes" in html
    # The chart's data is a table too (readable without JavaScript).
    assert html.count("data-month=") == 12 and 'data-hours="1.0"' in html


def test_new_activities_count_from_the_previous_sign_in(app, signed_in, world, add_activity):
    add_activity(world.guide_a, world.org_a)
    signed_in(world.coord_a)
    add_activity(world.guide_a, world.org_a)
    html = signed_in(world.coord_a).get("/coordinator/").get_data(as_text=True)
    assert _tiles(html)["neue Aktivitäten seit Ihrer letzten Anmeldung"] == 1


def test_twelve_months_include_empty_ones(app, world, add_activity):
    today = dt.date(2026, 3, 15)
    add_activity(world.guide_a, world.org_a, dt.date(2026, 3, 1), minutes=90)
    add_activity(world.guide_a, world.org_a, dt.date(2026, 3, 2), minutes=30)
    add_activity(world.guide_a, world.org_a, dt.date(2025, 4, 30), minutes=60)
    add_activity(world.guide_a, world.org_a, dt.date(2025, 3, 31), minutes=60)  # 13 months ago: left out
    add_activity(world.guide_b, world.org_b, dt.date(2026, 3, 1), minutes=600)  # other organization
    months = last_twelve_months(db.session, world.org_a.id, today)
    assert [m.month for m in months][0] == "2025-04" and months[-1].month == "2026-03"
    assert (months[0].hours, months[0].meetings) == (1.0, 1)
    assert (months[-1].hours, months[-1].meetings) == (2.0, 2)
    assert sum(m.meetings for m in months) == 3


def test_demo_dashboard_renders(app, client):
    from server.demo.seed import seed_demo_data

    seed_demo_data()
    response = client.post("/coordinator/login", data={"email": "koordination@vhs-hannover.example",
                                                        "password": "lotsenbuch-demo"})
    assert response.status_code == 302
    html = client.get("/coordinator/").get_data(as_text=True)
    tiles = _tiles(html)
    assert len(tiles) == 7 and tiles["Aktivitäten erfasst"] > 0
    assert tiles["Abrechnungen warten auf Prüfung"] >= 1
