"""Mails the desk sends: the enrolment link to a guide, "needs professional help" at once (from a sync
push, replayed or bulk), the daily digest; each in its recipient's language, only to the organization
concerned, only if wanted, audited without its body. A real SMTP server on loopback receives them."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from server.accounts.models import User
from server.assignments.models import Assignment, AssignmentRequest
from server.audit.models import AuditEvent
from server.expenses.models import Claim
from server.extensions import db
from server.outbox.models import OutboxMessage
from server.outbox.sender import send_due
from sync.client import SyncClient
from tests.syncing.conftest import activity_fields


def set_locale(user, locale: str) -> None:
    db.session.get(User, user.id).locale = locale
    db.session.commit()


# ---------------------------------------------------------------- enrolment link

def test_the_guide_page_mails_an_enrolment_link_that_enrols_once_in_the_guides_language(
        app, smtp_server, signed_in, world):
    set_locale(world.guide_a, "tr")
    browser = signed_in(world.coord_a)
    page = browser.get(f"/coordinator/guides/{world.guide_a.id}").get_data(as_text=True)
    assert 'id="enrolment-mail"' in page and 'id="mail-off"' not in page
    assert browser.post(f"/coordinator/guides/{world.guide_a.id}/enrolment-mail").status_code == 302
    # The QR code for in-person enrolment is still there.
    assert "<svg" in browser.post(f"/coordinator/guides/{world.guide_a.id}/enrolment-code").get_data(as_text=True)
    send_due()
    (mail,) = smtp_server.to(world.guide_a.email)
    assert mail["Content-Language"] == "tr"
    html = mail.get_body(("html",)).get_content()
    assert '<html lang="tr"' in html
    text = mail.get_body(("plain",)).get_content()
    code = re.search(r"#code=([A-Z0-9-]+)", text).group(1)
    assert code in html and "VHS Hannover" in text
    phone = SyncClient(lambda method, path, body, token: (lambda r: (r.status_code, r.get_json(silent=True)))(
        app.test_client().open(path, method=method, json=body,
                               headers={"Authorization": f"Bearer {token}"} if token else {})))
    phone.enroll(code, "Ayşes Handy")
    again = app.test_client().post("/api/v1/enroll", json={"code": code, "device_name": "second"})
    assert again.status_code in (400, 401, 403, 410)
    # Only to the guide of this organization: another organization's guide is not found.
    assert browser.post(f"/coordinator/guides/{world.guide_b.id}/enrolment-mail").status_code == 404
    assert smtp_server.to(world.guide_b.email) == []


def test_with_email_off_the_guide_page_says_so(app, signed_in, world):
    browser = signed_in(world.coord_a)
    page = browser.get(f"/coordinator/guides/{world.guide_a.id}").get_data(as_text=True)
    assert 'id="mail-off"' in page and 'id="enrolment-mail"' not in page
    assert browser.post(f"/coordinator/guides/{world.guide_a.id}/enrolment-mail").status_code == 409
    assert db.session.scalars(select(OutboxMessage)).all() == []


# ---------------------------------------------------------------- needs professional help

class RecordingTransport:
    """The phone's HTTP, keeping its last request so that it can be sent again (a lost response)."""

    def __init__(self, client) -> None:
        self.client, self.last = client, None

    def __call__(self, method, path, body, token):
        self.last = (method, path, body, token)
        response = self.client.open(path, method=method, json=body,
                                    headers={"Authorization": f"Bearer {token}"} if token else {})
        return response.status_code, response.get_json(silent=True)

    def replay(self):
        return self(*self.last)


def phone_of(app, guide):
    from server.accounts.operations import issue_enrolment_code

    code = issue_enrolment_code(guide)
    db.session.commit()
    transport = RecordingTransport(app.test_client())
    phone = SyncClient(transport)
    phone.enroll(code, "phone")
    return phone, transport


def test_a_flag_from_the_phone_mails_the_coordinators_once_even_when_replayed(app, smtp_server, world, make_user):
    set_locale(world.coord_a, "ar")
    opted_out = make_user(world.org_a, "coordinator", "quiet@example.org", "Quiet")
    db.session.get(User, opted_out.id).mail_opt_out = ["professional_help"]
    db.session.commit()
    phone, transport = phone_of(app, world.guide_a)
    activity_id = phone.upsert("activity", **activity_fields(needs_professional_help=True,
                                                             note="Familie Yilmaz, Schulden"))
    phone.sync_once()
    status, body = transport.replay()  # the response was lost: the same request again
    assert status == 200 and body["results"][0]["status"] == "applied"
    phone.sync_once()
    send_due()
    recipients = sorted(str(m["To"]) for m in smtp_server.messages)
    assert recipients == sorted([world.coord_a.email, world.admin.email])  # org A's staff, not B's, not opted out
    mail = smtp_server.to(world.coord_a.email)[0]
    assert mail["Content-Language"] == "ar"
    html = mail.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html and f"/coordinator/review/{activity_id}" in html
    for m in smtp_server.messages:  # no client data: the note stays on the desk
        assert "Yilmaz" not in m.as_string() and "Schulden" not in m.as_string()
        assert world.guide_a.name in m.get_body(("plain",)).get_content()
    # Changing something else of the flagged meeting mails nothing; unflag and flag again mails again.
    phone.upsert("activity", activity_id, minutes=45)
    phone.sync()
    phone.upsert("activity", activity_id, needs_professional_help=False)
    phone.sync()
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 2
    phone.upsert("activity", activity_id, needs_professional_help=True)
    phone.sync()
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 4


def test_flags_on_the_bulk_write_path_are_mailed_too(app, smtp_server, world):
    phone, _transport = phone_of(app, world.guide_b)
    for day in range(1, 31):  # many new records in one push: the bulk writer (sync/push/bulk_writer.py)
        phone.upsert("activity", **activity_fields(date=f"2026-11-{day:02d}", needs_professional_help=day in (3, 17)))
    phone.sync()
    send_due()
    assert [str(m["To"]) for m in smtp_server.messages] == [world.coord_b.email, world.coord_b.email]
    assert smtp_server.to(world.coord_a.email) == []


# ---------------------------------------------------------------- daily digest

def test_the_daily_digest_counts_what_waits_once_a_day_for_each_coordinator(
        app, smtp_server, world, make_user, add_activity, signed_in, clock):
    clock("2026-12-04T06:30:00+01:00")
    today = dt.date(2026, 12, 4)
    a = world.org_a
    silent = make_user(a, "guide", "silent@example.org", "Silvia Silent")
    add_activity(silent, a, today - dt.timedelta(days=61))
    add_activity(world.guide_a, a, today - dt.timedelta(days=59))
    add_activity(world.guide_b, world.org_b, today - dt.timedelta(days=3))  # org B: nothing waits
    db.session.add_all([
        Claim(organization_id=a.id, guide_id=world.guide_a.id, month="2026-11", state="submitted"),
        Claim(organization_id=a.id, guide_id=world.guide_a.id, month="2026-10", state="submitted"),
        Assignment(organization_id=a.id, guide_id=world.guide_a.id, title="Elternabend Familie K.", state="active",
                   starts_on=dt.date(2026, 9, 1), ends_on=today + dt.timedelta(days=14)),
        Assignment(organization_id=a.id, guide_id=world.guide_a.id, title="Later", state="active",
                   starts_on=dt.date(2026, 9, 1), ends_on=today + dt.timedelta(days=15)),
        AssignmentRequest(organization_id=a.id, state="open"),
    ])
    db.session.commit()
    set_locale(world.admin, "tr")
    browser = signed_in(world.coord_a)
    assert browser.post("/coordinator/account/mail", data={"kinds": ["professional_help"]}).status_code == 302
    runner = app.test_cli_runner()
    assert runner.invoke(args=["send-digest"]).exit_code == 0
    assert runner.invoke(args=["send-digest"]).exit_code == 0  # cron ran twice: still one per person
    send_due()
    # Coordinator A turned the digest off; the admin of A gets it; org B has nothing waiting: no mail.
    assert [str(m["To"]) for m in smtp_server.messages] == [world.admin.email]
    mail = smtp_server.messages[0]
    assert mail["Content-Language"] == "tr"
    html = mail.get_body(("html",)).get_content()
    counts = dict(re.findall(r'href="http://[^"]+(/coordinator/[a-z]+)[^"]*"[^>]*>[^<]+</a></td>\s*<td[^>]*>(\d+)<', html))
    assert counts == {"/coordinator/claims": "2", "/coordinator/conflicts": "0", "/coordinator/requests": "1",
                      "/coordinator/assignments": "1", "/coordinator/guides": "1"}
    # Dashboard labels that are translated already: the Turkish ones are in the mail.
    assert "Masraf" in html or "inceleme" in html or "bekleyen" in html
    assert "Elternabend" not in mail.as_string()
    # The next day: a new digest.
    clock("2026-12-05T06:30:00+01:00")
    runner.invoke(args=["send-digest"])
    send_due()
    assert len(smtp_server.messages) == 2
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mail.queued")).all()
    assert [(e.object_id, e.details["kind"]) for e in events] == [(str(world.admin.id), "daily_digest")] * 2


def test_mail_preferences_are_kept_under_my_account(app, signed_in, world):
    browser = signed_in(world.coord_b)
    page = browser.get("/coordinator/account").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="professional_help"', page)
    assert re.search(r'<input checked[^>]*value="daily_digest"', page)
    assert browser.post("/coordinator/account/mail", data={"kinds": ["daily_digest"]}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.coord_b.id).mail_opt_out == ["professional_help"]
    page = browser.get("/coordinator/account").get_data(as_text=True)
    assert not re.search(r'<input checked[^>]*value="professional_help"', page)
    assert browser.post("/coordinator/account/mail", data={"kinds": ["nonsense"]}).status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(User, world.coord_b.id).mail_opt_out == ["professional_help"]
