"""The guides and assignments lists in pages, over HTTP: each page its share, the count of all, the
filters kept on every page's link, a bad page number no error, and the exports complete whatever page
is shown."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from server.assignments.models import Assignment
from server.coordinator.common import paging
from server.extensions import db
from tests.coordinator.conftest import sign_in


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", 3)


def _names(html: str, endpoint: str) -> list[str]:
    return re.findall(rf'<th scope="row"><a href="/coordinator/{endpoint}/[^"]+">([^<]+)</a>', html)


def _next(html: str) -> str | None:
    match = re.search(r'href="([^"]+)" rel="next"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))[1:]


def test_the_guides_list_pages_with_its_filters(app, world, make_user, small_pages):
    for i in range(7):
        make_user(world.org_a, "guide", f"paged{i}@example.org", f"Paula Seite {i}")
    make_user(world.org_a, "guide", "other@example.org", "Otto Anders")
    desk = app.test_client()
    assert sign_in(desk, world.coord_a.email).status_code == 302

    first = desk.get("/coordinator/guides?q=seite").get_data(as_text=True)
    assert _names(first, "guides") == ["Paula Seite 0", "Paula Seite 1", "Paula Seite 2"]
    assert "7 Lotsinnen und Lotsen gefunden." in first  # the count of all found, not of the page
    seen = list(_names(first, "guides"))
    link = _next(first)
    while link:
        assert "q=seite" in link  # the search stays on every page
        page = desk.get(link).get_data(as_text=True)
        seen += _names(page, "guides")
        link = _next(page)
    assert seen == [f"Paula Seite {i}" for i in range(7)]
    assert 'rel="prev"' in page and "Seite 3 von 3" in page
    # Past the last page: the last page; nonsense: the first.
    assert _names(desk.get("/coordinator/guides?q=seite&page=99").get_data(as_text=True), "guides") == ["Paula Seite 6"]
    for bad in ("x", "0", "-2", "9" * 20):
        response = desk.get(f"/coordinator/guides?q=seite&page={bad}")
        assert response.status_code == 200 and _names(response.get_data(as_text=True), "guides")[0] == "Paula Seite 0"
    # The export takes every guide the filter finds, whatever page the list shows.
    rows = _csv_rows(desk.get("/coordinator/guides.csv?q=seite&page=2"))
    assert sorted(row[0] for row in rows) == [f"Paula Seite {i}" for i in range(7)]


def test_the_assignments_list_pages_with_its_filter(app, world, small_pages):
    for i in range(5):
        db.session.add(Assignment(organization_id=world.org_a.id, guide_id=world.guide_a.id, title=f"Aktiv {i}",
                                  language="ar", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 1 + i),
                                  state="active"))
    db.session.add(Assignment(organization_id=world.org_a.id, guide_id=world.guide_a.id, title="Beendet",
                              language="ar", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 6, 1),
                              state="ended"))
    db.session.add(Assignment(organization_id=world.org_b.id, guide_id=world.guide_b.id, title="Fremd",
                              language="ar", starts_on=dt.date(2026, 1, 1), state="active"))
    db.session.commit()
    desk = app.test_client()
    assert sign_in(desk, world.coord_a.email).status_code == 302

    first = desk.get("/coordinator/assignments?show=active").get_data(as_text=True)
    assert _names(first, "assignments") == ["Aktiv 4", "Aktiv 3", "Aktiv 2"]  # latest end first
    assert "5 Einsätze" in first
    link = _next(first)
    assert link and "show=active" in link and "page=2" in link
    second = desk.get(link).get_data(as_text=True)
    assert _names(second, "assignments") == ["Aktiv 1", "Aktiv 0"] and _next(second) is None
    every = desk.get("/coordinator/assignments").get_data(as_text=True)
    assert "6 Einsätze" in every and "Fremd" not in every
    rows = _csv_rows(desk.get("/coordinator/assignments.csv?show=active&page=2"))
    assert sorted(row[0] for row in rows) == [f"Aktiv {i}" for i in range(5)]
