"""Hours against plan, at fixed dates: each assignment (list and detail) shows the hours logged of the
planned ones; the matching list and the dashboard warn about guides at ≥ 80 % of their monthly hour
limit or over it, counting only this month's (Berlin) activities of the organization."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from server.assignments.models import Assignment
from server.extensions import db
from server.guides.hours import hour_limit_warnings, load_state
from server.guides.models import GuideProfile
from tests.money.pages import elements


def _limit(user, hours):
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == user.id))
    profile.monthly_hour_limit = hours
    db.session.commit()


def _log(add_activity, user, org, first_day, minutes):
    """`minutes` spread over days from `first_day` on, at most 8 hours a day (one activity each)."""
    day, rows = first_day, []
    while minutes > 0:
        rows.append(add_activity(user, org, day, min(minutes, 480)))
        minutes -= 480
        day += dt.timedelta(days=1)
    return rows


@pytest.fixture
def november(clock, world, make_user, add_activity):
    """20 November 2026. Ayşe: 17 of 20 h (85 %); Samir: 21 of 20 h; Lena: 10 of 20 h; Jonas: no limit.
    Not counted: October's hours, deleted activities, the first of December (Berlin time)."""
    clock("2026-11-20T10:00+01:00")
    org = world.org_a
    samir = make_user(org, "guide", "samir@example.org", "Samir Haddad")
    lena = make_user(org, "guide", "lena@example.org", "Lena Schulz")
    jonas = make_user(org, "guide", "jonas@example.org", "Jonas Berg")
    for user, hours in ((world.guide_a, 20), (samir, 20), (lena, 20), (world.guide_b, 10)):
        _limit(user, hours)
    _log(add_activity, world.guide_a, org, dt.date(2026, 11, 2), 16 * 60)
    add_activity(world.guide_a, org, dt.date(2026, 11, 19), 60)
    add_activity(world.guide_a, org, dt.date(2026, 10, 31), 400)  # last month
    add_activity(world.guide_a, org, dt.date(2026, 12, 1), 400)  # next month
    deleted = add_activity(world.guide_a, org, dt.date(2026, 11, 5), 400)
    deleted.deleted_at = dt.datetime(2026, 11, 6, tzinfo=dt.UTC)
    _log(add_activity, samir, org, dt.date(2026, 11, 3), 21 * 60)
    _log(add_activity, lena, org, dt.date(2026, 11, 3), 10 * 60)
    _log(add_activity, jonas, org, dt.date(2026, 11, 3), 40 * 60)
    _log(add_activity, world.guide_b, world.org_b, dt.date(2026, 11, 3), 12 * 60)  # another organization, over
    db.session.commit()
    return {"samir": samir, "lena": lena, "jonas": jonas}


def test_load_states():
    assert [load_state(m, 20) for m in (0, 959, 960, 1199, 1200, 1500)] == ["ok", "ok", "near", "near", "over", "over"]
    assert load_state(5000, None) == "" and load_state(5000, 0) == ""


def test_warnings_are_computed_for_this_month_only(app, world, november):
    loads = {w.guide_name: (w.minutes, w.state, w.percent) for w in hour_limit_warnings(db.session, world.org_a.id)}
    assert loads == {"Samir Haddad": (21 * 60, "over", 105), "Ayşe Guide-A": (17 * 60, "near", 85)}
    assert [w.guide_name for w in hour_limit_warnings(db.session, world.org_a.id)] == ["Samir Haddad", "Ayşe Guide-A"]
    assert [w.guide_name for w in hour_limit_warnings(db.session, world.org_b.id)] == ["Boris Guide-B"]


def test_dashboard_warns_about_hour_limits(signed_in, world, november):
    world.coord_a.locale = "en"
    db.session.commit()
    html = signed_in(world.coord_a).get("/coordinator/").get_data(as_text=True)
    section = html.split('id="hour-limit-warnings"')[1].split("</section>")[0]
    rows = {r["data-guide"]: r["data-state"] for r in elements(section, "tr") if "data-guide" in r}
    assert rows == {str(november["samir"].id): "over", str(world.guide_a.id): "near"}
    assert "17 h" in section and "21 h" in section and "near the limit (85 %)" in section
    assert "Boris" not in section and "Lena" not in section and "Jonas" not in section


def test_no_warning_card_when_nobody_is_near(signed_in, world, clock, make_user):
    clock("2026-11-20T10:00+01:00")
    assert 'id="hour-limit-warnings"' not in signed_in(world.coord_a).get("/coordinator/").get_data(as_text=True)


def _assignment(org, **fields):
    row = Assignment(organization_id=org.id, title=fields.pop("title", "Begleitung Jobcenter"),
                     starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 31), **fields)
    db.session.add(row)
    db.session.commit()
    return row


def test_matching_list_marks_guides_near_or_over_their_limit(signed_in, world, november):
    offered = _assignment(world.org_a, state="offered", title="Neue Begleitung")
    html = signed_in(world.coord_a).get(f"/coordinator/assignments/{offered.id}").get_data(as_text=True)
    ranking = html.split('class="ranking"')[1].split("</ol>")[0]
    by_guide = {}
    for chunk in ranking.split("data-candidate=")[1:]:
        item = chunk.split("</li></ul>")[0] if "</li></ul>" in chunk else chunk
        by_guide[chunk.split('"')[1]] = [t["data-load"] for t in elements(item, "span") if "data-load" in t]
    assert by_guide[str(november["samir"].id)] == ["over"]
    assert by_guide[str(world.guide_a.id)] == ["near"]
    assert by_guide[str(november["lena"].id)] == [] and by_guide[str(november["jonas"].id)] == []


def test_assignments_show_hours_logged_of_planned(signed_in, world, november, add_activity):
    planned = _assignment(world.org_a, state="active", guide_id=world.guide_a.id, planned_minutes=20 * 60)
    beyond = _assignment(world.org_a, state="active", guide_id=november["samir"].id, planned_minutes=2 * 60,
                         title="Kurz")
    unplanned = _assignment(world.org_a, state="active", guide_id=november["lena"].id, title="Offen")
    for day, minutes in ((3, 8 * 60), (10, 4 * 60)):
        add_activity(world.guide_a, world.org_a, dt.date(2026, 11, day), minutes, assignment_id=planned.id)
    gone = add_activity(world.guide_a, world.org_a, dt.date(2026, 11, 11), 400, assignment_id=planned.id)
    gone.deleted_at = dt.datetime(2026, 11, 12, tzinfo=dt.UTC)
    add_activity(november["samir"], world.org_a, dt.date(2026, 11, 4), 150, assignment_id=beyond.id)
    db.session.commit()
    world.coord_a.locale = "en"
    db.session.commit()
    browser = signed_in(world.coord_a)

    listing = browser.get("/coordinator/assignments").get_data(as_text=True)
    plans = {(p.get("data-logged-minutes"), p.get("data-planned-minutes")) for p in elements(listing, "span")
             if "data-logged-minutes" in p}
    assert plans == {("720", "1200"), ("150", "120"), ("0", None)}
    assert "12 of 20 h" in listing and "2.5 of 2 h" in listing and "0 h, none planned" in listing
    assert elements(listing, "meter", max="1200", value="720")
    assert elements(listing, "span", class_="plan over", data_logged_minutes="150")

    detail = browser.get(f"/coordinator/assignments/{planned.id}").get_data(as_text=True)
    assert "12 of 20 h" in detail.split('id="hours-against-plan"')[1].split("</dd>")[0]
    assert "none planned" in browser.get(f"/coordinator/assignments/{unplanned.id}").get_data(as_text=True)
