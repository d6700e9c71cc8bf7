"""Push in Chromium at 360×640: the service worker receives a push (CDP ServiceWorker.deliverPushMessage),
builds the notification from the phone's IndexedDB — syncing first when the record is new — in the
phone's language, and a tap opens the offer or the message. The inbox works offline and its read
state syncs back to the desk."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_assignments import nav, sync_now
from tests.browser.test_field_day import enrol, enrolled_guide

pytestmark = pytest.mark.browser

NOTIFICATIONS = """self.registration.getNotifications().then((ns) => ns.map((n) => (
    {title: n.title, body: n.body, lang: n.lang, tag: n.tag, url: n.data && n.data.url})))"""


def _wait_for(check: Callable[[], Any], timeout: float = 20.0, page: Any = None) -> Any:
    """Poll; with a page, wait through Playwright so its events (CDP) are delivered meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if page is not None:
            page.wait_for_timeout(200)
        else:
            time.sleep(0.2)
    raise AssertionError("timed out")


class Pusher:
    """Delivers pushes to the page's service worker over CDP, as the push service would."""

    def __init__(self, context: Any, page: Any, origin: str) -> None:
        self.cdp = context.new_cdp_session(page)
        self.origin = origin
        self.registrations: list[dict[str, Any]] = []
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: self.registrations.extend(e["registrations"]))
        self.cdp.send("ServiceWorker.enable")
        self.registration_id = _wait_for(lambda: next(
            (r["registrationId"] for r in self.registrations if not r.get("isDeleted")), None), page=page)

    def push(self, payload: dict[str, Any]) -> None:
        self.cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": self.origin, "registrationId": self.registration_id, "data": json.dumps(payload)})


def _office(live_server: Any) -> tuple[str, int, int, int, str]:
    """A guide (enrolment code), her coordinator, and an assignment offered to her."""
    from server.accounts.operations import create_user
    from server.assignments.operations import AgreementTerms, offer_assignment
    from server.extensions import db
    from sync.merge import Author

    code, guide_id, org_id = enrolled_guide(live_server, f"push-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    with live_server.app.app_context():
        from server.organizations.models import Organization

        org = db.session.get(Organization, org_id)
        coordinator = create_user(org, f"desk-{uuid.uuid4().hex[:8]}@example.org", "coordinator", "Clara Desk",
                                  "correct horse battery")
        assignment = offer_assignment(db.session, Author(role="coordinator", user_id=coordinator.id), org_id,
                                      AgreementTerms(title="Elterngespräch Grundschule",
                                                     starts_on=dt.date(2026, 12, 1)), [guide_id])
        db.session.commit()
        out = (code, guide_id, org_id, coordinator.id, assignment.id)
        db.session.remove()
    return out


def _send_message(live_server: Any, org_id: int, coordinator_id: int, guide_id: int, body: str) -> str:
    from server.accounts.models import User
    from server.extensions import db
    from server.messages.operations import send_message
    from sync.merge import Author

    with live_server.app.app_context():
        sender, guide = db.session.get(User, coordinator_id), db.session.get(User, guide_id)
        (message,) = send_message(db.session, Author(role="coordinator", user_id=coordinator_id), sender, org_id,
                                  [guide], body, to_all=False)
        db.session.commit()
        message_id = message.id
        db.session.remove()
    return message_id


def _read_at(live_server: Any, message_id: str) -> Any:
    from server.extensions import db
    from server.messages.models import Message

    with live_server.app.app_context():
        db.session.expire_all()
        value = db.session.get(Message, message_id).read_at
        db.session.remove()
    return value


def test_pushes_become_notifications_built_on_the_phone_and_a_tap_opens_the_screen(
        phone, live_server, artifacts: Path) -> None:
    code, guide_id, org_id, coordinator_id, assignment_id = _office(live_server)
    context = phone("de-DE", permissions=["notifications"])
    page = enrol(context, code, "Amira Haddad")
    sync_now(page)  # the offer is on the phone
    worker = _wait_for(lambda: context.service_workers and context.service_workers[0])
    pusher = Pusher(context, page, live_server.url)

    pusher.push({"category": "offer", "id": assignment_id})
    (shown,) = _wait_for(lambda: worker.evaluate(NOTIFICATIONS))
    assert shown["title"] == "Neues Angebot: Elterngespräch Grundschule"  # German, the title from IndexedDB
    assert shown["lang"] == "de" and shown["url"] == f"/assignments?id={assignment_id}"
    nav(page, "Heute")
    worker.evaluate("(url) => self.lotsenbuchOpen(url)", shown["url"])  # what a tap does
    page.wait_for_url(f"**/assignments?id={assignment_id}")
    page.locator(f"[data-testid=offer][data-id='{assignment_id}'].targeted").wait_for()

    # A message the phone has not synced yet: the worker syncs, then builds the text from the record.
    message_id = _send_message(live_server, org_id, coordinator_id, guide_id, "Das Plenum ist am Donnerstag.")
    pusher.push({"category": "message", "id": message_id})
    note = _wait_for(lambda: next((n for n in worker.evaluate(NOTIFICATIONS) if n["tag"] == f"message-{message_id}"),
                                  None))
    assert note["title"] == "Nachricht von Clara Desk" and note["body"] == "Das Plenum ist am Donnerstag."
    page.get_by_test_id("unread-count").wait_for()
    assert page.get_by_test_id("unread-count").inner_text() == "1"
    page.screenshot(path=str(artifacts / "push-unread-badge-360.png"))

    # Offline, the inbox still has it; opening it from the notification marks it read.
    context.set_offline(True)
    worker.evaluate("(url) => self.lotsenbuchOpen(url)", note["url"])
    page.wait_for_url("**/messages?id=*")
    card = page.locator(f"[data-testid=message][data-id='{message_id}']")
    card.get_by_text("Das Plenum ist am Donnerstag.").wait_for()
    page.get_by_test_id("unread-count").wait_for(state="detached")
    page.screenshot(path=str(artifacts / "push-inbox-360.png"))
    assert _read_at(live_server, message_id) is None  # still only on the phone
    context.set_offline(False)
    sync_now(page)
    assert _wait_for(lambda: _read_at(live_server, message_id)) is not None


def test_settings_explain_notifications_and_switch_reminders(phone, live_server, artifacts: Path) -> None:
    from server.extensions import db
    from server.guides.models import GuideProfile

    code, guide_id, *_rest = _office(live_server)
    context = phone("de-DE", permissions=["notifications"])
    page = enrol(context, code, "Amira Haddad")
    sync_now(page)
    nav(page, "Einstellungen")
    card = page.get_by_test_id("notifications")
    card.wait_for()
    assert "keine Namen, Texte oder Beträge" in card.inner_text()
    page.get_by_test_id("reminder-hours").uncheck()
    page.screenshot(path=str(artifacts / "push-settings-360.png"), full_page=True)
    sync_now(page)

    def muted() -> list[str]:
        with live_server.app.app_context():
            value = db.session.query(GuideProfile).filter_by(user_id=guide_id).one().muted_reminders
            db.session.remove()
        return list(value)

    assert _wait_for(muted) == ["hours"]
