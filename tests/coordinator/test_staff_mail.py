"""Staff accounts by mail, through a real SMTP server on loopback: invitations, forgotten passwords,
a reset an admin sends, changing a password. Links work once; nobody but the owner types a password."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.accounts.models import AccountToken, User, UserSession
from server.audit.models import AuditEvent
from server.extensions import db
from server.outbox.sender import send_due
from tests.coordinator.conftest import PASSWORD, sign_in

LINK = re.compile(r"http://[^/\s]+(/coordinator/password/[A-Za-z0-9_-]+)")


def mailed_link(smtp_server, address: str) -> str:
    send_due()
    (mail,) = smtp_server.to(address)[-1:]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    path = LINK.search(text).group(1)
    assert path in html
    return path


def test_an_invited_coordinator_chooses_her_password_through_the_mailed_link_once(
        app, smtp_server, signed_in, world):
    admin = signed_in(world.admin)
    page = admin.get(f"/coordinator/admin/organizations/{world.org_b.id}").get_data(as_text=True)
    assert 'type="password"' not in page and 'id="mail-off"' not in page
    response = admin.post(f"/coordinator/admin/organizations/{world.org_b.id}/staff",
                          data={"name": "Nora Neu", "email": "nora@example.org", "role": "coordinator"})
    assert response.status_code == 302
    path = mailed_link(smtp_server, "nora@example.org")
    (mail,) = smtp_server.to("nora@example.org")
    assert "AWO Region Hannover" in mail["Subject"] and mail["Content-Language"] == "de"
    assert mail["Message-ID"].startswith("<lotsenbuch.outbox.")
    token = path.rsplit("/", 1)[1]
    stored = db.session.scalars(select(AccountToken.token_hash)).all()
    assert token not in stored and len(stored) == 1  # only the hash

    nora = app.test_client()
    assert nora.get(path).status_code == 200
    assert nora.post(path, data={"password": "short", "confirmation": "short"}).status_code == 400
    assert nora.post(path, data={"password": "nora's own password", "confirmation": "different one!"}).status_code == 400
    assert nora.post(path, data={"password": "nora's own password",
                                 "confirmation": "nora's own password"}).status_code == 302
    again = nora.post(path, data={"password": "someone else's pw", "confirmation": "someone else's pw"})
    assert again.status_code == 410 and 'id="link-refused"' in again.get_data(as_text=True)
    assert nora.get(path).status_code == 410
    assert sign_in(nora, "nora@example.org", "nora's own password").status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nora@example.org"))
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all()
    assert {"staff.invited", "mail.queued", "mail.sent", "account.invitation_used"} <= set(actions)
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("mail.%"))):
        assert set(event.details) <= {"kind", "outbox_id", "attempts"}  # never the body


def test_an_invitation_expires_after_72_hours(app, smtp_server, signed_in, world, clock):
    clock("2026-12-04T09:00:00+01:00")
    admin = signed_in(world.admin)
    admin.post(f"/coordinator/admin/organizations/{world.org_b.id}/staff",
               data={"name": "Spät", "email": "late@example.org", "role": "admin"})
    path = mailed_link(smtp_server, "late@example.org")
    clock("2026-12-07T09:01:00+01:00")
    assert app.test_client().get(path).status_code == 410


def test_forgotten_password_answers_the_same_for_known_and_unknown_addresses(app, smtp_server, world):
    known = app.test_client().post("/coordinator/password/forgot", data={"email": world.coord_a.email})
    unknown = app.test_client().post("/coordinator/password/forgot", data={"email": "nobody@example.org"})
    guide = app.test_client().post("/coordinator/password/forgot", data={"email": world.guide_a.email})
    assert known.status_code == unknown.status_code == guide.status_code == 200
    strip = re.compile(r'name="csrf_token"[^>]*>')
    assert strip.sub("", known.get_data(as_text=True)) == strip.sub("", unknown.get_data(as_text=True)) \
        == strip.sub("", guide.get_data(as_text=True))
    send_due()
    assert [m["To"] for m in smtp_server.messages] == [world.coord_a.email]


def test_forgotten_password_does_the_same_work_for_known_and_unknown_addresses(app, smtp_server, world,
                                                                            monkeypatch):
    """Not a timing test: the computation is counted (tokens hashed, mails rendered, statements by kind),
    and the answer waits for the same floor on both paths; only a known address writes rows."""
    import time

    from sqlalchemy import event

    from server.accounts import invitations, tokens
    from server.outbox import render

    counts: dict[str, int] = {}

    def counting(name, original):
        def spy(*args, **kwargs):
            counts[name] = counts.get(name, 0) + 1
            return original(*args, **kwargs)
        return spy

    monkeypatch.setattr(tokens, "hash_secret", counting("hash", tokens.hash_secret))
    monkeypatch.setattr(invitations, "hash_secret", counting("hash", invitations.hash_secret))
    monkeypatch.setattr(render, "render_mail", counting("render", render.render_mail))
    monkeypatch.setattr(invitations, "render_mail", counting("render", invitations.render_mail))
    from server.outbox import batch_render  # queue_mails renders through it (imported once per process)

    monkeypatch.setattr(batch_render, "render_mail", counting("render", batch_render.render_mail))
    from server.coordinator.desk import password as password_views

    monkeypatch.setattr(password_views, "answer_floor", counting("floor", invitations.answer_floor))

    def statement(conn, cursor, sql, *args):
        kind = sql.lstrip().split(None, 1)[0].upper()
        if kind in ("UPDATE", "INSERT"):
            counts[kind] = counts.get(kind, 0) + 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", statement)
    try:
        work = {}
        for address in (world.coord_a.email, "nobody@example.org", world.guide_a.email):
            counts.clear()
            started = time.perf_counter()
            response = app.test_client().post("/coordinator/password/forgot", data={"email": address})
            assert response.status_code == 200
            assert time.perf_counter() - started >= invitations.RESET_ANSWER_FLOOR
            work[address] = dict(counts)
    finally:
        event.remove(engine, "before_cursor_execute", statement)
    known, unknown, guide = work.values()
    for part in ("hash", "render", "floor"):
        assert known[part] == unknown[part] == guide[part] == 1, (part, work)
    assert known.get("UPDATE", 0) >= unknown["UPDATE"] == guide["UPDATE"] >= 1
    assert known["INSERT"] >= 2 and "INSERT" not in unknown and "INSERT" not in guide  # token + outbox row
    send_due()
    assert [m["To"] for m in smtp_server.messages] == [world.coord_a.email]


def test_a_reset_ends_every_session_and_the_link_works_once(app, smtp_server, signed_in, world):
    office, home = signed_in(world.coord_a), signed_in(world.coord_a)
    assert app.test_client().post("/coordinator/password/forgot", data={"email": world.coord_a.email}).status_code == 200
    path = mailed_link(smtp_server, world.coord_a.email)
    browser = app.test_client()
    assert browser.post(path, data={"password": "a brand new password",
                                    "confirmation": "a brand new password"}).status_code == 302
    for old in (office, home):
        assert old.get("/coordinator/").status_code == 302  # signed out: back to the sign-in page
    db.session.expire_all()
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == world.coord_a.id,
                                                       UserSession.revoked_at.is_(None))) is None
    assert sign_in(app.test_client(), world.coord_a.email, PASSWORD).status_code == 401
    assert sign_in(app.test_client(), world.coord_a.email, "a brand new password").status_code == 302
    assert browser.post(path, data={"password": "and once more pls", "confirmation": "and once more pls"}
                        ).status_code == 410


def test_a_newer_reset_link_retires_the_older_one(app, smtp_server, world):
    client = app.test_client()
    client.post("/coordinator/password/forgot", data={"email": world.coord_b.email})
    first = mailed_link(smtp_server, world.coord_b.email)
    client.post("/coordinator/password/forgot", data={"email": world.coord_b.email})
    second = mailed_link(smtp_server, world.coord_b.email)
    assert first != second
    assert client.get(first).status_code == 410 and client.get(second).status_code == 200


def test_forgotten_password_is_throttled_per_address_alike_for_known_and_unknown(app, smtp_server, world):
    for n, email in enumerate((world.coord_a.email, "nobody@example.org")):
        # Each address from another network address: the limit per email address (account) decides.
        codes = [app.test_client().post("/coordinator/password/forgot", data={"email": email},
                                        environ_base={"REMOTE_ADDR": f"10.0.{n}.{i}"}).status_code
                 for i in range(4)]
        assert codes == [200, 200, 200, 429], email
    # And per network address, whatever the email: 5 a minute.
    codes = [app.test_client().post("/coordinator/password/forgot", data={"email": f"x{i}@example.org"},
                                    environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code for i in range(6)]
    assert codes == [200] * 5 + [429]
    send_due()
    assert len(smtp_server.to(world.coord_a.email)) == 3


def test_an_admin_sends_a_reset_link_and_never_sees_a_password(app, smtp_server, signed_in, world):
    admin = signed_in(world.admin)
    url = f"/coordinator/admin/organizations/{world.org_b.id}/staff/{world.coord_b.id}/reset-link"
    assert admin.post(url).status_code == 302
    path = mailed_link(smtp_server, world.coord_b.email)
    assert smtp_server.messages[0]["To"] == world.coord_b.email
    assert app.test_client().post(path, data={"password": "bruno's new secret",
                                              "confirmation": "bruno's new secret"}).status_code == 302
    # A staff member of another organization, or a coordinator asking: not found / forbidden.
    assert admin.post(f"/coordinator/admin/organizations/{world.org_b.id}/staff/{world.coord_a.id}/reset-link"
                      ).status_code == 404
    assert signed_in(world.coord_a).post(url).status_code == 403


def test_with_email_off_the_admin_gets_the_link_to_hand_over(app, signed_in, world):
    admin = signed_in(world.admin)
    url = f"/coordinator/admin/organizations/{world.org_b.id}/staff/{world.coord_b.id}/reset-link"
    page = admin.post(url).get_data(as_text=True)
    assert 'id="mail-off"' in page
    path = re.search(r'id="one-time-link" value="http://[^/"]+(/coordinator/password/[^"]+)"', page).group(1)
    assert app.test_client().get(path).status_code == 200
    forgot = app.test_client().get("/coordinator/password/forgot").get_data(as_text=True)
    assert 'id="mail-off"' in forgot


def test_changing_the_password_asks_for_the_current_one_and_ends_the_other_sessions(app, signed_in, world):
    here, elsewhere = signed_in(world.coord_a), signed_in(world.coord_a)
    assert 'id="change-password"' in here.get("/coordinator/account").get_data(as_text=True)
    wrong = here.post("/coordinator/account/password", data={
        "current": "not my password", "password": "my next password", "confirmation": "my next password"})
    assert wrong.status_code == 400
    assert here.post("/coordinator/account/password", data={
        "current": PASSWORD, "password": "my next password", "confirmation": "my next password"}).status_code == 302
    assert here.get("/coordinator/").status_code == 200
    assert elsewhere.get("/coordinator/").status_code == 302
    assert sign_in(app.test_client(), world.coord_a.email, "my next password").status_code == 302


def test_bad_links_get_a_clear_page(app, world):
    client = app.test_client()
    for path in ("/coordinator/password/not-a-token", "/coordinator/password/" + "A" * 43,
                 "/coordinator/password/%00%ff"):
        response = client.get(path)
        assert 400 <= response.status_code < 500, path
    assert client.post("/coordinator/password/" + "A" * 43, data={"password": "x" * 20,
                                                                  "confirmation": "x" * 20}).status_code == 410
