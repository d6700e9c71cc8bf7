"""The desk's one search box over HTTP: guides, requests, assignments, client codes and notes of the
signed-in organization only, grouped by kind and paged; LIKE wildcards typed by the user match literally."""

from __future__ import annotations

import datetime as dt

import pytest

from server.activities.models import Activity
from server.assignments.models import Assignment, AssignmentRequest, Client, PartnerInstitution
from server.extensions import db
from tests.money.pages import elements


@pytest.fixture
def records(world, make_user):
    a, b = world.org_a, world.org_b
    partner = PartnerInstitution(organization_id=a.id, name="Jobcenter Hannover Mitte")
    db.session.add(partner)
    db.session.flush()
    client = Client(organization_id=a.id, code="K-2026-014", language="tr")
    other_client = Client(organization_id=b.id, code="K-2026-099", language="ar")
    db.session.add_all([client, other_client])
    db.session.flush()
    db.session.add_all([
        AssignmentRequest(organization_id=a.id, partner_id=partner.id, description="Begleitung zur Ausländerbehörde"),
        AssignmentRequest(organization_id=b.id, description="Ausländerbehörde B, geheim"),
        Assignment(organization_id=a.id, title="Ausländerbehörde Termin", client_id=client.id,
                   starts_on=dt.date(2026, 11, 1)),
        Assignment(organization_id=b.id, title="Ausländerbehörde AWO", client_id=other_client.id,
                   starts_on=dt.date(2026, 11, 1)),
        Activity(organization_id=a.id, guide_id=world.guide_a.id, date=dt.date(2026, 11, 3), minutes=60,
                 kind="accompaniment", note="Mit Frau K. bei der Ausländerbehörde, 100% erledigt"),
        Activity(organization_id=a.id, guide_id=world.guide_a.id, date=dt.date(2026, 11, 4), minutes=60,
                 kind="phone", note="Rückruf 100 Prozent_sicher"),
        Activity(organization_id=b.id, guide_id=world.guide_b.id, date=dt.date(2026, 11, 3), minutes=60,
                 kind="phone", note="Ausländerbehörde bei AWO"),
    ])
    deleted = Activity(organization_id=a.id, guide_id=world.guide_a.id, date=dt.date(2026, 11, 5), minutes=60,
                       kind="phone", note="Ausländerbehörde gelöscht", deleted_at=dt.datetime(2026, 11, 6, tzinfo=dt.UTC))
    db.session.add(deleted)
    for n in range(12):
        make_user(a, "guide", f"lotsin{n:02d}@example.org", f"Lotsin Nummer {n:02d}")
    db.session.commit()


def _groups(html):
    return {e["id"].removeprefix("group-"): int(e["data-total"]) for e in elements(html, "section") if
            e.get("id", "").startswith("group-")}


def _keys(html, kind):
    return [e["data-key"] for e in elements(html, "li", data_kind=kind)]


def test_the_header_has_the_search_box_on_every_page(signed_in, world):
    html = signed_in(world.coord_a).get("/coordinator/guides").get_data(as_text=True)
    assert elements(html, "form", role="search", action="/coordinator/search", class_="top-search")
    assert elements(html, "input", id="desk-search", name="q")


def test_one_query_finds_every_kind_of_its_own_organization(signed_in, world, records):
    html = signed_in(world.coord_a).get("/coordinator/search?q=ausländerbehörde").get_data(as_text=True)
    assert _groups(html) == {"requests": 1, "assignments": 1, "notes": 1}
    assert "geheim" not in html and "AWO" not in html and "gelöscht" not in html
    client = signed_in(world.coord_a).get("/coordinator/search?q=k-2026").get_data(as_text=True)
    assert _groups(client) == {"clients": 1} and "K-2026-014" in client and "K-2026-099" not in client
    partner = signed_in(world.coord_a).get("/coordinator/search?q=Jobcenter").get_data(as_text=True)
    assert _groups(partner) == {"requests": 1}
    guides = signed_in(world.coord_a).get("/coordinator/search?q=ayş").get_data(as_text=True)
    assert _keys(guides, "guides") == [str(world.guide_a.id)]
    assert elements(guides, "a", href=f"/coordinator/guides/{world.guide_a.id}")


def test_wildcards_match_themselves(signed_in, world, records):
    browser = signed_in(world.coord_a)
    assert _groups(browser.get("/coordinator/search?q=100%25").get_data(as_text=True)) == {"notes": 1}
    assert _groups(browser.get("/coordinator/search?q=prozen__sicher").get_data(as_text=True)) == {}  # not "any two"
    assert _groups(browser.get("/coordinator/search?q=prozent_sicher").get_data(as_text=True)) == {"notes": 1}
    assert _groups(browser.get("/coordinator/search?q=%5C%25").get_data(as_text=True)) == {}


def test_results_are_paged_per_kind(signed_in, world, records):
    browser = signed_in(world.coord_a)
    first = browser.get("/coordinator/search?q=lotsin").get_data(as_text=True)
    assert _groups(first) == {"guides": 12} and len(_keys(first, "guides")) == 10
    second = browser.get("/coordinator/search?q=lotsin&guides_page=2").get_data(as_text=True)
    assert len(_keys(second, "guides")) == 2 and not set(_keys(first, "guides")) & set(_keys(second, "guides"))
    assert browser.get("/coordinator/search?q=lotsin&guides_page=999").status_code == 200


def test_bad_queries_are_clear_4xx_not_500(signed_in, world):
    browser = signed_in(world.coord_a)
    assert browser.get("/coordinator/search").status_code == 200
    short = browser.get("/coordinator/search?q=a")
    assert short.status_code == 400 and elements(short.get_data(as_text=True), id="search-error")
    assert browser.get("/coordinator/search?q=" + "x" * 5000).status_code == 200
    assert browser.get("/coordinator/search?q=ab&guides_page=abc").status_code == 200
