"""Input the database cannot even be asked about gets a clear answer, never a 500: numbers larger than any
id (SQLite and PostgreSQL raise an overflow) are "not found" or ignored, and a NUL character
(PostgreSQL refuses it in text) is a 400 before any query runs."""

from __future__ import annotations

import pytest

HUGE = "9" * 30


@pytest.mark.parametrize("path", [
    f"/coordinator/guides/{HUGE}", f"/coordinator/guides/{2**31}/privacy", f"/coordinator/requests/{HUGE}",
    f"/coordinator/partners/{HUGE}", f"/coordinator/plenum/{HUGE}", f"/coordinator/payouts/{HUGE}",
    f"/coordinator/payouts/{HUGE}/sepa.xml", f"/coordinator/receipts/{HUGE}", f"/coordinator/certificates/{HUGE}.pdf",
    f"/coordinator/guides/{HUGE}/year-statement.pdf?year=2026", f"/coordinator/admin/organizations/{HUGE}",
])
def test_an_id_beyond_the_database_range_is_not_found(signed_in, world, path):
    assert signed_in(world.admin).get(path).status_code == 404


def test_filters_and_forms_with_huge_numbers(signed_in, world):
    browser = signed_in(world.coord_a)
    assert browser.get(f"/coordinator/audit?actor={HUGE}").status_code == 200
    assert browser.get(f"/coordinator/claims?guide={HUGE}").status_code in (200, 400)
    response = browser.post("/coordinator/certificates", data={"guide_id": HUGE, "period_from": "2026-01-01",
                                                              "period_to": "2026-06-30"})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/coordinator/guides?q=%00", "/coordinator/guides?language=%00",
                                  "/coordinator/audit?action=%00", "/coordinator/claims/%00",
                                  "/coordinator/review/%00", "/coordinator/assignments/%00"])
def test_a_nul_character_in_an_address_is_a_clear_400(signed_in, world, path):
    """PostgreSQL refuses NUL in a text parameter; the page says so before any query runs."""
    response = signed_in(world.coord_a).get(path)
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_changes_nothing(signed_in, world):
    from server.extensions import db
    from server.guides.models import GuideProfile

    browser = signed_in(world.coord_a)
    response = browser.post(f"/coordinator/guides/{world.guide_a.id}/profile",
                            data={"availability": "Montags\x00", "languages-0-language": ""})
    assert response.status_code == 400
    db.session.expire_all()
    profile = db.session.scalar(db.select(GuideProfile).where(GuideProfile.user_id == world.guide_a.id))
    assert "Montags" not in (profile.availability or "")


def test_a_nul_character_in_an_api_address_is_a_json_400(client):
    response = client.get("/api/v1/blobs/%00")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
