"""Small things a guide noticed on a 360×640 phone (issue: a working month without dead ends): the
"…once you are online" notice only while offline; a submitted expense says it can no longer be
changed instead of offering "Edit"; the phone-costs category reads as the glossary's one word."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.test_expenses import add_expense, open_expenses, wait_for_states
from tests.browser.test_field_day import enrol, enrolled_guide

pytestmark = pytest.mark.browser

OFFLINE_WORDING = "sobald Sie online sind"


def test_saved_notice_says_offline_only_when_offline(phone, live_server) -> None:
    code, _guide_id, _org_id = enrolled_guide(live_server, f"small-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    context = phone("de-DE")
    page = enrol(context, code, "Amira Haddad")
    page.get_by_text("Alles synchronisiert").wait_for()

    open_expenses(page)
    add_expense(page, "phone", amount="5", description="Telefonpauschale")
    notice = page.get_by_role("status").filter(has_text="Auf diesem Handy gespeichert.")
    assert "Wird jetzt gesendet." in notice.inner_text()
    assert OFFLINE_WORDING not in page.locator("main").inner_text()

    context.set_offline(True)
    add_expense(page, "material", amount="2", description="Kopien")
    notice.filter(has_text=OFFLINE_WORDING).wait_for()
    # The word the glossary gives the category, the same the desk shows (msgid "Phone costs").
    assert page.get_by_text(re.compile(r"^Telefonkosten · 5,00\s€$")).count() == 1


def test_a_submitted_expense_says_it_can_no_longer_be_changed(phone, live_server) -> None:
    code, _guide_id, _org_id = enrolled_guide(live_server, f"small-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    context = phone("de-DE")
    page = enrol(context, code, "Amira Haddad")
    page.get_by_text("Alles synchronisiert").wait_for()
    open_expenses(page)
    add_expense(page, "phone", amount="5", description="Telefonpauschale")
    wait_for_states(page, {"Telefonkosten · 5,00 €": "Offen"})
    page.get_by_role("button", name=re.compile(r"^Abrechnung .* einreichen$")).click()
    page.get_by_role("button", name="Abrechnung einreichen", exact=True).click()
    wait_for_states(page, {"Telefonkosten · 5,00 €": "Eingereicht"})

    page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
    entry = page.get_by_test_id("history-entry").filter(has_text="Telefonkosten")
    entry.get_by_test_id("entry-readonly").wait_for()
    assert entry.get_by_test_id("entry-readonly").inner_text() == "Nicht mehr änderbar · antippen zum Ansehen"
    assert "Bearbeiten" not in entry.inner_text() and "Bearbeiten" not in (entry.text_content() or "")
    entry.get_by_role("button").click()
    page.get_by_role("heading", name="Auslage", exact=True).wait_for()
    page.get_by_text("Diese Auslage wurde eingereicht und kann nicht mehr geändert werden.").wait_for()
    assert page.get_by_role("button", name="Speichern").count() == 0
