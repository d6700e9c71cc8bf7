"""Kilometres once, on a 360×640 phone: a meeting's "Fahrtstrecke (km)" adds the mileage expense at the
organization's rate, linked to the meeting, offline and in one save (the form says so first); a later
change of the km follows into the open expense; a mileage expense linked to the meeting takes its km."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.test_expenses import open_expenses, server_expenses, set_rate, text
from tests.browser.test_field_day import DUMP_DB, enrol, enrolled_guide, server_activities

pytestmark = pytest.mark.browser


def records(page: Any, kind: str) -> list[dict[str, Any]]:
    return [r for r in page.evaluate(DUMP_DB)["records"] if r["type"] == kind and not r["deleted"]]


def test_the_meetings_km_become_its_mileage_expense(phone, live_server) -> None:
    code, guide_id, org_id = enrolled_guide(live_server, f"km-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    set_rate(live_server, org_id, 35)
    context = phone("de-DE")
    page = enrol(context, code, "Amira Haddad")
    page.get_by_text("Alles synchronisiert").wait_for()

    context.set_offline(True)
    page.get_by_role("navigation").get_by_role("button", name="Eintragen").click()
    page.get_by_label("Fahrtstrecke (km)").fill("12")
    plan = page.get_by_test_id("mileage-plan")
    assert text(plan) == ("Auch als Fahrtkosten (km) abrechnen\nBeim Speichern wird eine Auslage Fahrtkosten (km) über "
                          "12 km × 0,35 € = 4,20 € angelegt, verknüpft mit diesem Treffen.")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    [activity] = records(page, "activity")
    [expense] = records(page, "expense")
    assert {k: expense["data"][k] for k in ("category", "km", "amount_cents", "activity_id", "date")} == {
        "category": "mileage", "km": 12, "amount_cents": 420, "activity_id": activity["id"],
        "date": activity["data"]["date"]}
    outbox = page.evaluate(DUMP_DB)["outbox"]
    assert [row["type"] for row in outbox] == ["activity", "expense"]  # the meeting reaches the server first

    context.set_offline(False)
    page.get_by_role("navigation").get_by_role("button", name="Heute").click()
    page.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)
    [on_server] = server_expenses(live_server, guide_id)
    assert (on_server["category"], on_server["km"], on_server["amount_cents"]) == ("mileage", 12, 420)
    [(activity_id, *_rest)] = server_activities(live_server, guide_id)
    assert activity_id == activity["id"]

    # The km changed on the meeting: the open expense follows (the form says so before saving).
    page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
    page.get_by_test_id("history-entry").filter(has_text="Begleitung").get_by_role("button").click()
    page.get_by_test_id("mileage-plan").filter(has_text="Als Fahrtkosten (km) erfasst: 12 km, 4,20 €.").wait_for()
    page.get_by_label("Fahrtstrecke (km)").fill("15")
    assert text(page.get_by_test_id("mileage-plan")) == (
        "Beim Speichern wird die verknüpfte Auslage Fahrtkosten (km) auf 15 km × 0,35 € = 5,25 € geändert.")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    [expense] = records(page, "expense")
    assert (expense["data"]["km"], expense["data"]["amount_cents"]) == (15, 525)

    # A new mileage expense linked to the meeting takes its km, and says that they are claimed already.
    open_expenses(page)
    page.get_by_role("button", name="Auslage erfassen").click()
    page.get_by_label("Kategorie").select_option("mileage")
    page.get_by_label("Zu welchem Treffen (freiwillig)").select_option(activity["id"])
    assert page.get_by_label("Kilometer").input_value() == "15"
    assert page.get_by_test_id("km-from-meeting").inner_text() == "Kilometer aus dem Treffen übernommen."
    assert "schon in einer anderen Auslage" in page.get_by_test_id("km-claimed").inner_text()
    assert text(page.get_by_test_id("mileage-amount")) == "15 km × 0,35 € = 5,25 €"


def test_km_without_the_expense_when_the_guide_says_no(phone, live_server) -> None:
    code, _guide_id, _org_id = enrolled_guide(live_server, f"km-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    context = phone("de-DE")
    page = enrol(context, code, "Amira Haddad")
    context.set_offline(True)
    page.get_by_role("navigation").get_by_role("button", name="Eintragen").click()
    page.get_by_label("Fahrtstrecke (km)").fill("8")
    page.get_by_label("Auch als Fahrtkosten (km) abrechnen").uncheck()
    assert "Es wird keine Auslage angelegt" in page.get_by_test_id("mileage-plan").inner_text()
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    assert [r["data"]["travel_km"] for r in records(page, "activity")] == [8]
    assert records(page, "expense") == []
