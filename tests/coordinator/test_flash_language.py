"""A desk flash message is shown in the language of the page that shows it, not of the request that made it:
she switches the language (or her setting decides) between the action and the next page."""

from __future__ import annotations

from server.extensions import db


def _send(browser, guide):
    response = browser.post("/coordinator/messages", data={"recipient": "all", "body": "Plenum am Donnerstag"})
    assert response.status_code == 302
    return response.headers["Location"]


def test_a_flash_message_follows_a_language_switch(signed_in, world):
    browser = signed_in(world.coord_a)
    target = _send(browser, world.guide_a)  # made on a German page (the default)
    page = browser.get(target + "?lang=ar").get_data(as_text=True)
    assert "أُرسلت الرسالة إلى مرشد/ة واحد/ة." in page  # Arabic's form for one
    assert "Die Nachricht wurde" not in page and 'dir="rtl"' in page
    # Shown once, then gone; the next one in English, plural and parameters kept.
    assert "أُرسلت الرسالة" not in browser.get(target).get_data(as_text=True)
    _send(browser, world.guide_a)
    assert "The message was sent to 1 guide." in browser.get(target + "?lang=en").get_data(as_text=True)


def test_a_flash_message_with_a_translated_parameter_and_the_users_own_language(signed_in, world):
    world.coord_a.locale = "en"
    db.session.commit()
    browser = signed_in(world.coord_a)
    # The language of the page, not the one of the request that made the message (a forced German POST).
    response = browser.post("/coordinator/messages?lang=de", data={"recipient": "all", "body": "Hallo"})
    assert "The message was sent to 1 guide." in browser.get(response.headers["Location"]).get_data(as_text=True)
