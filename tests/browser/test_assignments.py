"""My assignments on a 360×640 phone against the live server: an offer with the client shown only by
pseudonym, accepted (the first acceptance wins; the other guide sees it taken), another declined (it
disappears), the active agreement with its end date, and the Log screen offering it."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

from sync import clock
from tests.browser.test_field_day import enrol, enrolled_guide, has_horizontal_scroll

pytestmark = pytest.mark.browser


def second_guide(live_server: Any, org_id: int, slug: str, name: str) -> tuple[str, int]:
    """Another guide of the same organization; returns (enrolment code, guide id)."""
    from server.accounts.operations import create_user, format_code, issue_enrolment_code
    from server.extensions import db
    from server.organizations.models import Organization

    with live_server.app.app_context():
        guide = create_user(db.session.get(Organization, org_id), f"{slug}-2@example.org", "guide", name, None)
        code = format_code(issue_enrolment_code(guide))
        db.session.commit()
        guide_id = guide.id
        db.session.remove()
    return code, guide_id


def offer(live_server: Any, org_id: int, title: str, guide_ids: list[int], *, ends_in_days: int | None,
          client: tuple[str, str, int] | None = None) -> str:
    """An assignment the coordination office offers to some guides (cf. tests/api/helpers.make_assignment)."""
    from server.assignments.models import Assignment, AssignmentOffer, Client
    from server.extensions import db

    today = clock.today()
    with live_server.app.app_context():
        client_id = None
        if client:
            row = Client(organization_id=org_id, code=client[0], language=client[1], household_size=client[2])
            db.session.add(row)
            db.session.flush()
            client_id = row.id
        assignment = Assignment(
            id=str(uuid.uuid4()), organization_id=org_id, title=title, state="offered", client_id=client_id,
            starts_on=today, ends_on=None if ends_in_days is None else today + dt.timedelta(days=ends_in_days),
            description="Begleitung zu Terminen beim Jobcenter und bei der Ausländerbehörde.",
            language="ar", district="linden-limmer", field="parents", planned_minutes=600)
        for guide_id in guide_ids:
            assignment.offers.append(AssignmentOffer(organization_id=org_id, guide_id=guide_id, state="offered"))
        db.session.add(assignment)
        db.session.commit()
        assignment_id = assignment.id
        db.session.remove()
    return assignment_id


def server_offers(live_server: Any, assignment_id: str) -> tuple[str, int | None, dict[int, str]]:
    from server.assignments.models import Assignment
    from server.extensions import db

    with live_server.app.app_context():
        db.session.expire_all()
        assignment = db.session.get(Assignment, assignment_id)
        out = (assignment.state, assignment.guide_id, {o.guide_id: o.state for o in assignment.offers})
        db.session.remove()
    return out


def nav(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("button", name=name).click()


def sync_now(page: Any) -> None:
    nav(page, "Heute")
    page.get_by_role("button", name="Jetzt synchronisieren").click()
    page.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)


def test_offer_accepted_declined_and_taken(phone, live_server, artifacts: Path) -> None:
    slug = f"asg-{uuid.uuid4().hex[:8]}"
    code_a, guide_a, org_id = enrolled_guide(live_server, slug, "Amira Haddad")
    code_b, guide_b = second_guide(live_server, org_id, slug, "Dilan Yıldız")
    jobcenter = offer(live_server, org_id, "Begleitung Jobcenter", [guide_a, guide_b], ends_in_days=10,
                      client=("K-2026-014", "ar", 4))
    school = offer(live_server, org_id, "Elternabend Grundschule", [guide_a], ends_in_days=None)

    page = enrol(phone("de-DE"), code_a, "Amira Haddad")
    page.get_by_text("Alles synchronisiert").wait_for()
    assert page.get_by_test_id("offer-count").inner_text() == "2"
    nav(page, "Einsätze")
    page.get_by_role("heading", name="Meine Einsätze").wait_for()
    card = page.get_by_test_id("offer").filter(has_text="Begleitung Jobcenter")
    details = card.inner_text()
    for fact in ("K-2026-014", "Arabisch", "Personen im Haushalt\n4", "Linden-Limmer", "Eltern", "10:00 h"):
        assert fact in details, fact
    assert page.get_by_test_id("offer").count() == 2
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "assignments-offers-360x640.png"), full_page=True)

    other = enrol(phone("de-DE"), code_b, "Dilan Yıldız")
    nav(other, "Einsätze")
    other.get_by_test_id("offer").filter(has_text="Begleitung Jobcenter").wait_for()

    # Guide A accepts: the server holds the offer accepted and the assignment active; B's offer is taken.
    card.get_by_role("button", name="Annehmen").click()
    page.get_by_text("Ihre Antwort ist auf diesem Handy gespeichert").wait_for()
    agreement = page.get_by_test_id("agreement").filter(has_text="Begleitung Jobcenter")
    agreement.wait_for(timeout=20_000)
    assert agreement.get_by_test_id("ends-in").inner_text() == "Endet in 10 Tagen"
    assert server_offers(live_server, jobcenter) == ("active", guide_a, {guide_a: "accepted", guide_b: "taken"})

    # Guide A declines the other offer: it leaves the phone (a tombstone) and the server records it.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("offer").filter(has_text="Elternabend").get_by_role("button", name="Ablehnen").click()
    page.get_by_test_id("offer").wait_for(state="detached", timeout=20_000)
    page.get_by_text("Zurzeit keine offenen Angebote.").wait_for()
    assert server_offers(live_server, school) == ("offered", None, {guide_a: "declined"})
    assert page.get_by_test_id("offer-count").count() == 0
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "assignments-active-360x640.png"), full_page=True)

    # The Log screen offers the active assignment (and only that one).
    nav(page, "Eintragen")
    picker = page.get_by_label("Einsatz", exact=True)
    picker.locator("option", has_text="Begleitung Jobcenter").wait_for(state="attached")
    options = picker.locator("option").all_inner_texts()
    assert options == ["Kein Einsatz", "Begleitung Jobcenter"]

    # Guide B, after the next sync, sees that another guide took it.
    sync_now(other)
    nav(other, "Einsätze")
    taken = other.get_by_test_id("taken").filter(has_text="Begleitung Jobcenter")
    taken.wait_for()
    assert "Eine andere Lotsin oder ein anderer Lotse hat diesen Einsatz übernommen." in taken.inner_text()
    assert other.get_by_test_id("offer").count() == 0
    assert not has_horizontal_scroll(other)
    other.screenshot(path=str(artifacts / "assignments-taken-360x640.png"), full_page=True)


def test_assignments_right_to_left(phone, live_server, artifacts: Path) -> None:
    slug = f"asg-rtl-{uuid.uuid4().hex[:8]}"
    code, guide_id, org_id = enrolled_guide(live_server, slug, "Amira Haddad")
    offer(live_server, org_id, "Begleitung Kinderarzt", [guide_id], ends_in_days=30, client=("K-7", "fa", 2))
    page = enrol(phone("de-DE"), code, "Amira Haddad")
    page.get_by_text("Alles synchronisiert").wait_for()
    nav(page, "Einstellungen")
    page.get_by_label("Sprache").select_option("ar")
    page.wait_for_function("() => document.documentElement.dir === 'rtl'")
    page.get_by_role("navigation").get_by_role("button").nth(3).click()
    page.get_by_test_id("offer").wait_for()
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "assignments-ar-360x640.png"), full_page=True)
    page.get_by_role("navigation").get_by_role("button").nth(2).click()
    page.locator("main.expenses").wait_for()
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "expenses-ar-360x640.png"), full_page=True)
