"""A partner institution that files often is remembered by its email: a one-time link, mailed through the
outbox, opens the form with its details filled in — once; nobody learns which addresses are known."""

from __future__ import annotations

import re

from server.outbox.sender import send_due
from tests.public.conftest import complete_request


def test_a_known_partner_gets_a_one_time_link_that_fills_in_its_details(app, client, smtp_server, make_org,
                                                                         open_form):
    open_form(make_org("vhs", "VHS Hannover"))
    assert client.post("/request/vhs?lang=en", data=complete_request()).status_code == 201
    send_due()
    smtp_server.messages.clear()

    asked = client.post("/request/vhs/link?lang=en", data={"email": "Schulz@GS-Linden.example"})
    assert asked.status_code == 200
    assert "If a request was filed here from this address before, a link is on its way" in asked.get_data(
        as_text=True)
    assert send_due().sent == 1
    [mail] = smtp_server.to("schulz@gs-linden.example")
    assert mail["Subject"] == "Your link to the request form of VHS Hannover"
    link = re.search(r"http://localhost(/request/vhs\?key=[A-Za-z0-9_-]+)",
                     mail.get_body(preferencelist=("plain",)).get_content())
    assert link

    opened = client.get(link.group(1) + "&lang=en")
    page = opened.get_data(as_text=True)
    assert opened.status_code == 200 and opened.headers["Cache-Control"] == "no-store"
    assert "Your institution’s details are filled in." in page
    for value in ("Grundschule Am Lindener Markt", "Petra Schulz", "schulz@gs-linden.example", "0511 123456"):
        assert f'value="{value}"' in page
    # Once only: the same link again fills in nothing.
    again = client.get(link.group(1) + "&lang=en")
    assert again.status_code == 410 and "Petra Schulz" not in again.get_data(as_text=True)
    assert "This link was used already or has expired." in again.get_data(as_text=True)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app, client, smtp_server, make_org, open_form):
    open_form(make_org("vhs", "VHS Hannover"))
    other = make_org("awo", "AWO Region Hannover")
    open_form(other)
    assert client.post("/request/awo", data=complete_request()).status_code == 201  # filed with another one
    send_due()
    smtp_server.messages.clear()
    unknown = client.post("/request/vhs/link?lang=en", data={"email": "schulz@gs-linden.example"})
    assert unknown.status_code == 200 and "a link is on its way" in unknown.get_data(as_text=True)
    assert send_due().handled == 0 and smtp_server.messages == []
    assert client.post("/request/vhs/link?lang=en", data={"email": "no address"}).status_code == 400
    assert client.get("/request/vhs?key=made-up").status_code == 410
    assert client.post("/request/nobody/link", data={"email": "a@b.example"}).status_code == 404
