"""The public request form over HTTP: complete, incomplete, abuse, switched off, unknown and foreign slugs."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from server.assignments.models import AssignmentRequest, PartnerInstitution
from server.extensions import db
from tests.public.conftest import NOTICE, complete_request


def _requests() -> list[AssignmentRequest]:
    db.session.expire_all()
    return list(db.session.scalars(select(AssignmentRequest).order_by(AssignmentRequest.id)))


def test_form_explains_every_field_and_shows_the_notice_in_german_by_default(client, make_org, open_form):
    org = make_org("vhs", "VHS Hannover")
    open_form(org)
    page = client.get("/request/vhs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="de"' in html
    assert "VHS Hannover" in html
    assert NOTICE in html
    for name in ("institution", "contact_name", "contact_email", "contact_phone", "field", "description", "language",
                 "district", "starts_on", "ends_on", "expected_hours", "people_count", "consent"):
        assert f'name="{name}"' in html
        if name != "consent":
            assert f'aria-describedby="{name}-hint"' in html
    assert 'class="trap"' in html  # the honeypot is there, hidden


def test_form_speaks_english_when_asked(client, make_org, open_form):
    open_form(make_org("vhs", "VHS Hannover"))
    html = client.get("/request/vhs?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Request an integration guide" in html
    assert 'value="ar"' in html  # the language switch lists every catalog
    assert 'dir="rtl"' in app_client_page(client, "/request/vhs?lang=ar")


def app_client_page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_complete_request_lands_on_the_desk_marked_from_the_web_form(client, open_form, world_signed_in):
    org, browser = world_signed_in
    open_form(org)
    response = client.post("/request/vhs", data=complete_request())
    assert response.status_code == 201, response.get_data(as_text=True)[:2000]
    assert "/request/status/" in response.get_data(as_text=True)  # the private link, also without email
    [row] = _requests()
    assert (row.organization_id, row.source, row.state) == (org.id, "web_form", "open")
    assert (row.field, row.language, row.dialect, row.district) == ("parents", "ar", "Syrisch", "linden-limmer")
    assert (row.expected_minutes, row.people_count, row.client_consents_to_contact) == (720, 2, True)
    assert row.missing_fields == []
    assert row.status_token_hash and len(row.status_token_hash) == 64
    partner = db.session.get(PartnerInstitution, row.partner_id)
    assert (partner.name, partner.contact_email) == ("Grundschule Am Lindener Markt", "schulz@gs-linden.example")
    desk = browser.get("/coordinator/requests").get_data(as_text=True)
    assert "aus dem Webformular" in desk
    assert "Grundschule Am Lindener Markt" in desk


def test_a_known_partner_is_found_again_and_never_changed(client, make_org, open_form):
    org = make_org("vhs", "VHS Hannover")
    open_form(org)
    assert client.post("/request/vhs", data=complete_request()).status_code == 201
    assert client.post("/request/vhs", data=complete_request(institution="grundschule am lindener markt",
                                                             contact_phone="0511 999999")).status_code == 201
    assert db.session.scalar(select(func.count()).select_from(PartnerInstitution)) == 1
    partner = db.session.scalar(select(PartnerInstitution))
    assert partner.contact_phone == "0511 123456"
    assert client.post("/request/vhs", data=complete_request(contact_email="other@example.org")).status_code == 201
    assert db.session.scalar(select(func.count()).select_from(PartnerInstitution)) == 2


def test_incomplete_request_is_refused_with_field_errors_and_kept_values(client, make_org, open_form):
    open_form(make_org("vhs", "VHS Hannover"))
    data = complete_request(description="", district="", ends_on="2027-01-01", contact_email="not-an-address")
    del data["consent"]
    response = client.post("/request/vhs?lang=en", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The request was not sent" in html
    assert html.count('class="error"') >= 5
    assert "The end lies before the start." in html
    assert "Please enter a valid email address." in html
    assert 'value="Grundschule Am Lindener Markt"' in html  # what was typed stays
    assert _requests() == []


def test_wrong_types_are_field_errors_not_500(client, make_org, open_form):
    open_form(make_org("vhs", "VHS Hannover"))
    ips = (f"10.9.0.{n}" for n in range(1, 50))
    for bad in ({"expected_hours": "viel"}, {"people_count": "2.5"}, {"starts_on": "next week"},
                {"field": "astrology"}, {"language": "<x>"}, {"district": "paris"}, {"people_count": "0"},
                {"consent": "maybe"}):
        # One address each: the per-address limit is not what this test is about.
        response = client.post("/request/vhs", data=complete_request(**bad), environ_base={"REMOTE_ADDR": next(ips)})
        assert response.status_code == 400, bad
    assert client.post("/request/vhs", data="{}", content_type="application/json",
                       environ_base={"REMOTE_ADDR": next(ips)}).status_code == 400
    assert _requests() == []


def test_honeypot_filled_is_refused_and_stores_nothing(client, make_org, open_form):
    open_form(make_org("vhs", "VHS Hannover"))
    response = client.post("/request/vhs?lang=en", data=complete_request(website="http://spam.example"))
    assert response.status_code == 400
    assert "This field must stay empty" in response.get_data(as_text=True)
    assert _requests() == []


def test_html_is_stored_as_plain_text_and_escaped_on_the_desk(client, open_form, world_signed_in):
    org, browser = world_signed_in
    open_form(org)
    script = "<script>alert('x')</script> Begleitung zum Jobcenter, bitte mit Geduld."
    assert client.post("/request/vhs", data=complete_request(description=script,
                                                             institution="<b>Schule</b>")).status_code == 201
    [row] = _requests()
    assert row.description == script  # kept as typed: plain text
    detail = browser.get(f"/coordinator/requests/{row.id}").get_data(as_text=True)
    assert "<script>alert" not in detail and "&lt;script&gt;" in detail
    listing = browser.get("/coordinator/requests").get_data(as_text=True)
    assert "<b>Schule</b>" not in listing and "&lt;b&gt;Schule&lt;/b&gt;" in listing


def test_oversized_body_is_413_and_stores_nothing(client, make_org, open_form):
    open_form(make_org("vhs", "VHS Hannover"))
    response = client.post("/request/vhs", data=complete_request(description="x" * 40_000))
    assert response.status_code == 413
    assert _requests() == []


def test_rate_limit_per_address(app, client, make_org, open_form):
    app.config["PUBLIC_REQUEST_LIMIT_PER_ADDRESS"] = "2 per hour"
    open_form(make_org("vhs", "VHS Hannover"))
    assert client.post("/request/vhs", data=complete_request()).status_code == 201
    assert client.post("/request/vhs", data=complete_request(description="")).status_code == 400  # counts too
    limited = client.post("/request/vhs?lang=en", data=complete_request())
    assert limited.status_code == 429
    assert "Too many attempts" in limited.get_data(as_text=True)
    assert len(_requests()) == 1
    other = app.test_client()
    assert other.post("/request/vhs", data=complete_request(), environ_base={"REMOTE_ADDR": "10.0.0.9"}
                      ).status_code == 201
    assert client.get("/request/vhs").status_code == 200  # reading the form is never limited


def test_rate_limit_per_organization(app, make_org, open_form):
    app.config["PUBLIC_REQUEST_LIMIT_PER_ORGANIZATION"] = "3 per day"
    open_form(make_org("vhs", "VHS Hannover"))
    open_form(make_org("awo", "AWO"))
    statuses = [app.test_client().post("/request/vhs", data=complete_request(),
                                       environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}).status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert app.test_client().post("/request/awo", data=complete_request(),
                                  environ_base={"REMOTE_ADDR": "10.0.2.1"}).status_code == 201


def test_switched_off_form_says_so_and_takes_nothing(client, make_org, open_form):
    org = make_org("vhs", "VHS Hannover")
    page = client.get("/request/vhs?lang=en")  # never set up
    assert page.status_code == 404
    assert "does not take requests through this form" in page.get_data(as_text=True)
    profile = open_form(org)
    profile.form_enabled = False
    db.session.commit()
    assert client.get("/request/vhs").status_code == 404
    assert client.post("/request/vhs", data=complete_request()).status_code == 404
    assert _requests() == []


def test_unknown_slug_is_a_friendly_404(client):
    page = client.get("/request/no-such-organization?lang=en")
    assert page.status_code == 404
    assert "All guide projects in the city" in page.get_data(as_text=True)
    assert client.post("/request/no-such-organization", data=complete_request()).status_code == 404
    assert client.get("/request/" + "x" * 5000).status_code == 404


def test_a_request_filed_for_one_organization_never_reaches_another(client, world_signed_in, make_org, open_form):
    org, browser = world_signed_in
    other = make_org("awo", "AWO Region Hannover")
    open_form(other)
    assert client.post("/request/awo", data=complete_request()).status_code == 201
    [row] = _requests()
    assert row.organization_id == other.id
    assert "Grundschule" not in browser.get("/coordinator/requests").get_data(as_text=True)
    assert browser.get(f"/coordinator/requests/{row.id}").status_code == 404


def test_desk_counts_requests_by_the_way_they_came_in(client, world_signed_in, open_form):
    org, browser = world_signed_in
    open_form(org)
    for _n in range(2):
        assert client.post("/request/vhs", data=complete_request()).status_code == 201
    typed = browser.post("/coordinator/requests/new", data={"partner_id": "", "field": "", "district": "nord",
                                                           "description": "Anruf vom Jobcenter"})
    assert typed.status_code == 302
    html = browser.get("/coordinator/requests?lang=en").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "From the web form: 2" in text and "At the desk: 1" in text, text


def _token_from(text: str) -> str:
    match = re.search(r"/request/status/([A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)
