"""Numbers larger than any id, in addresses, filters and forms, are "not found" or ignored, never a 500
(SQLite and PostgreSQL both refuse them as parameters: an overflow, not an empty result)."""

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
