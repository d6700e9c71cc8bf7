"""The confirmation mail, through the outbox to a real SMTP server on loopback: one per filed request,
in the form's language, with the private status link that opens the request's state."""

from __future__ import annotations

import re

from server.outbox.sender import send_due
from tests.public.conftest import complete_request


def test_the_filer_gets_one_mail_with_a_working_status_link(app, client, smtp_server, make_org, open_form):
    open_form(make_org("vhs", "VHS Hannover"))
    response = client.post("/request/vhs?lang=en", data=complete_request())
    assert response.status_code == 201
    assert "We are sending a confirmation to schulz@gs-linden.example" in response.get_data(as_text=True)
    assert smtp_server.messages == []  # queued with the request, sent by the outbox's sender
    assert send_due().sent == 1
    assert send_due().handled == 0
    [mail] = smtp_server.to("schulz@gs-linden.example")
    assert mail["Subject"] == "Your request to VHS Hannover was received"
    assert mail["Content-Language"] == "en"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://localhost(/request/status/[A-Za-z0-9_-]+)", body)
    assert link, body
    status = client.get(link.group(1) + "?lang=en")
    assert status.status_code == 200 and '<li aria-current="step">Received</li>' in status.get_data(as_text=True)
    for private in ("Petra Schulz", "0511 123456", "Syrisch", "Elterngespräche"):
        assert private not in body


def test_german_by_default_and_the_public_address_in_the_link(app, client, smtp_server, make_org, open_form):
    app.config["PUBLIC_URL"] = "https://lotsen.hannover.example/"
    open_form(make_org("vhs", "VHS Hannover"))
    assert client.post("/request/vhs", data=complete_request()).status_code == 201
    send_due()
    [mail] = smtp_server.messages
    assert mail["Content-Language"] == "de"
    assert "https://lotsen.hannover.example/request/status/" in mail.get_body(preferencelist=("plain",)).get_content()


def test_refused_requests_send_nothing(app, client, smtp_server, make_org, open_form):
    open_form(make_org("vhs", "VHS Hannover"))
    assert client.post("/request/vhs", data=complete_request(website="spam")).status_code == 400
    assert client.post("/request/vhs", data=complete_request(description="")).status_code == 400
    assert send_due().handled == 0 and smtp_server.messages == []


def test_without_email_the_page_still_gives_the_link(client, make_org, open_form):
    open_form(make_org("vhs", "VHS Hannover"))
    response = client.post("/request/vhs?lang=en", data=complete_request())
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    assert "no confirmation email is sent from here" in html and "/request/status/" in html
