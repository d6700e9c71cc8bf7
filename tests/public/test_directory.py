"""The city's directory over HTTP: opt-in only, guides counted but never named, filters, JSON, the desk's
draft → preview → publish, and the nightly recount."""

from __future__ import annotations

import gzip

from sqlalchemy import select

from server.extensions import db
from server.guides.models import GuideLanguage, GuideProfile
from tests.coordinator.conftest import PASSWORD, sign_in

PROFILE = {
    "offer": "Ehrenamtliche Lotsinnen begleiten zu Ämtern, Schulen und Ärzten.",
    "districts": ["linden-limmer", "mitte"], "specialisations": ["parents", "sport"],
    "how_to_get_help": "Anruf genügt: 0511 1684000, Mo–Do 9–12 Uhr.",
    "how_to_become_guide": "Qualifizierung an zehn Abenden, Start im März.",
    "contact": "VHS Hannover, Burgstraße 14, lotsen@vhs.example",
}


def _speak(guide, *languages: str) -> None:
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    profile.languages = [GuideLanguage(language=code, level="C1", dialect="", position=i)
                         for i, code in enumerate(languages)]
    db.session.commit()


def _desk(app, org, make_user, email):
    user = make_user(org, "coordinator", email, "Staff " + email, PASSWORD)
    browser = app.test_client()
    assert sign_in(browser, user.email).status_code == 302
    return browser


def _publish(browser, **overrides):
    data = {**PROFILE, **overrides}
    assert browser.post("/coordinator/public/profile", data=data).status_code == 302
    assert browser.post("/coordinator/public/publish").status_code == 302


def _json(client, query: str = "") -> dict:
    response = client.get("/directory.json" + query)
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_only_published_organizations_appear_and_guides_are_counted_never_named(app, client, make_org, make_user):
    vhs, awo, caritas = make_org("vhs", "VHS Hannover"), make_org("awo", "AWO Region"), make_org("caritas", "Caritas")
    guides = [make_user(vhs, "guide", f"g{n}@vhs.example", name) for n, name in
              enumerate(("Ayşe Yılmaz", "Karim Haddad", "Olena Bondar", "Reza Ahmadi"))]
    _speak(guides[0], "tr", "de"), _speak(guides[1], "ar"), _speak(guides[2], "uk", "ru"), _speak(guides[3], "fa", "ar")
    guides[3].active = False  # a deactivated guide is not counted
    db.session.commit()
    make_user(awo, "guide", "g@awo.example", "Boris Awo")
    _publish(_desk(app, vhs, make_user, "c@vhs.example"))
    awo_desk = _desk(app, awo, make_user, "c@awo.example")
    assert awo_desk.post("/coordinator/public/profile", data=PROFILE).status_code == 302  # a draft only

    html = client.get("/directory?lang=en").get_data(as_text=True)
    body = _json(client)
    assert [o["slug"] for o in body["organizations"]] == ["vhs"] and body["total"] == 1
    assert "VHS Hannover" in html and "AWO Region" not in html and "Caritas" not in html
    text = html + str(body)
    for guide in (*guides, make_user(caritas, "guide", "g@caritas.example", "Chiara Caritas")):
        assert guide.name not in text and guide.email not in text
    assert "Boris Awo" not in text and "Staff" not in text
    [vhs_entry] = body["organizations"]
    assert vhs_entry["guides"] == 3
    assert {lang["code"]: lang["guides"] for lang in vhs_entry["languages"]} == {"ar": 1, "de": 1, "ru": 1, "tr": 1,
                                                                                  "uk": 1}
    assert "Arabic: 1 guide" in html


def test_json_shape_for_the_city_portal(app, client, make_org, make_user, open_form):
    vhs = make_org("vhs", "VHS Hannover")
    _speak(make_user(vhs, "guide"), "ar")
    _publish(_desk(app, vhs, make_user, "c@vhs.example"))
    body = _json(client, "?lang=en")
    assert set(body) == {"filters", "total", "organizations"}
    [entry] = body["organizations"]
    assert set(entry) == {"slug", "name", "offer", "districts", "specialisations", "languages", "guides",
                          "how_to_get_help", "how_to_become_guide", "contact", "accepts_requests", "request_form_url",
                          "published_at", "numbers_refreshed_at"}
    assert entry["districts"] == [{"code": "mitte", "name": "Mitte"}, {"code": "linden-limmer", "name": "Linden-Limmer"}]
    assert entry["specialisations"] == [{"code": "sport", "label": "Sport"}, {"code": "parents", "label": "Parents"}]
    assert entry["languages"] == [{"code": "ar", "name": "Arabic", "guides": 1}]
    assert (entry["accepts_requests"], entry["request_form_url"]) == (False, None)
    open_form(vhs)
    entry = _json(client)["organizations"][0]
    assert (entry["accepts_requests"], entry["request_form_url"]) == (True, "http://localhost/request/vhs")
    response = client.get("/directory.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_filters_by_district_language_and_specialisation(app, client, make_org, make_user):
    vhs, awo = make_org("vhs", "VHS Hannover"), make_org("awo", "AWO Region")
    _speak(make_user(vhs, "guide"), "ar")
    _speak(make_user(awo, "guide"), "fa")
    _publish(_desk(app, vhs, make_user, "c@vhs.example"))
    _publish(_desk(app, awo, make_user, "c@awo.example"), districts=["nord"], specialisations=["university"])

    def slugs(query: str) -> list[str]:
        return [o["slug"] for o in _json(client, query)["organizations"]]

    assert slugs("") == ["awo", "vhs"]
    assert slugs("?district=nord") == ["awo"]
    assert slugs("?district=mitte") == ["vhs"]
    assert slugs("?language=fa") == ["awo"]
    assert slugs("?specialisation=parents") == ["vhs"]
    assert slugs("?district=nord&language=ar") == []
    assert slugs("?district=atlantis&language=%3Cscript%3E&specialisation=1") == ["awo", "vhs"]  # ignored
    html = client.get("/directory?language=fa&lang=en").get_data(as_text=True)
    assert "<h2>AWO Region</h2>" in html and "<h2>VHS Hannover</h2>" not in html
    assert "1 of 2 projects shown." in html
    assert '<option value="fa" selected>' in html
    assert "<script" not in html  # no JavaScript needed or sent


def test_draft_preview_publish_and_withdraw_on_the_desk(app, client, make_org, make_user):
    vhs = make_org("vhs", "VHS Hannover")
    desk = _desk(app, vhs, make_user, "c@vhs.example")
    _publish(desk)
    assert desk.post("/coordinator/public/profile", data={**PROFILE, "offer": "Neu: <b>Begleitung</b> am Abend"}
                     ).status_code == 302
    assert "Neu:" not in client.get("/directory").get_data(as_text=True)  # a draft is not public
    preview = desk.get("/coordinator/public/preview?lang=en").get_data(as_text=True)
    assert "Neu: &lt;b&gt;Begleitung&lt;/b&gt; am Abend" in preview
    assert "changes that are not published yet" in desk.get("/coordinator/public?lang=en").get_data(as_text=True)
    assert desk.post("/coordinator/public/publish").status_code == 302
    assert "Neu: &lt;b&gt;Begleitung&lt;/b&gt;" in client.get("/directory").get_data(as_text=True)
    assert desk.post("/coordinator/public/withdraw").status_code == 302
    assert _json(client)["organizations"] == []
    # Unknown codes are dropped, over-long text refused
    assert desk.post("/coordinator/public/profile", data={**PROFILE, "districts": ["mitte", "atlantis"]}
                     ).status_code == 400
    assert desk.post("/coordinator/public/profile", data={**PROFILE, "offer": "x" * 2001}).status_code == 400
    assert client.get("/coordinator/public/preview").status_code == 302  # signed out: to the sign-in page


def test_the_form_switch_needs_the_notice_and_the_directory_shows_open_or_closed(app, client, make_org, make_user):
    vhs = make_org("vhs", "VHS Hannover")
    desk = _desk(app, vhs, make_user, "c@vhs.example")
    _publish(desk)
    refused = desk.post("/coordinator/public/form?lang=en", data={"form_enabled": "y", "privacy_notice": "  "})
    assert refused.status_code == 400
    assert "Write the data protection notice before switching the form on" in refused.get_data(as_text=True)
    assert client.get("/request/vhs").status_code == 404
    assert "Takes no new requests at the moment" in client.get("/directory?lang=en").get_data(as_text=True)
    assert desk.post("/coordinator/public/form", data={"form_enabled": "y",
                                                       "privacy_notice": "Verantwortlich: VHS."}).status_code == 302
    assert "Verantwortlich: VHS." in client.get("/request/vhs").get_data(as_text=True)
    html = client.get("/directory?lang=en").get_data(as_text=True)
    assert "Takes new requests" in html and 'href="/request/vhs"' in html
    assert desk.post("/coordinator/public/form", data={"privacy_notice": "Verantwortlich: VHS."}).status_code == 302
    assert client.get("/request/vhs").status_code == 404


def test_numbers_change_on_publish_and_on_the_nightly_refresh_only(app, client, make_org, make_user):
    vhs = make_org("vhs", "VHS Hannover")
    _speak(make_user(vhs, "guide"), "ar")
    desk = _desk(app, vhs, make_user, "c@vhs.example")
    _publish(desk)
    _speak(make_user(vhs, "guide"), "ar", "ku")
    assert _json(client)["organizations"][0]["guides"] == 1  # stored numbers, not a live query per visit
    runner = app.test_cli_runner()
    result = runner.invoke(args=["refresh-directory"], env={"LANG": "en_US.UTF-8"})
    assert result.exit_code == 0 and ("Refreshed 1 directory entries; the numbers of 1 changed." in result.output
                                   or "1 Verzeichniseinträge aktualisiert; bei 1 haben sich die Zahlen geändert." in result.output)
    entry = _json(client)["organizations"][0]
    assert entry["guides"] == 2 and {lang["code"]: lang["guides"] for lang in entry["languages"]} == {"ar": 2, "ku": 1}
    again = runner.invoke(args=["refresh-directory"], env={"LANG": "en_US.UTF-8"})
    assert again.exit_code == 0 and ("the numbers of 0 changed" in again.output
                                  or "bei 0 haben sich die Zahlen geändert" in again.output)
    assert _json(client)["organizations"][0]["guides"] == 2


def test_another_organization_edits_only_its_own_entry(app, client, make_org, make_user):
    vhs, awo = make_org("vhs", "VHS Hannover"), make_org("awo", "AWO Region")
    _publish(_desk(app, vhs, make_user, "c@vhs.example"))
    awo_desk = _desk(app, awo, make_user, "c@awo.example")
    assert awo_desk.post("/coordinator/public/withdraw").status_code == 302
    assert awo_desk.post("/coordinator/public/profile", data={**PROFILE, "offer": "AWO-Text"}).status_code == 302
    assert [o["slug"] for o in _json(client)["organizations"]] == ["vhs"]
    assert "AWO-Text" not in str(_json(client))


def test_directory_is_small_on_the_wire(app, client, make_org, make_user):
    for n in range(12):
        org = make_org(f"org-{n}", f"Lotsenprojekt {n}")
        _speak(make_user(org, "guide"), "ar", "tr")
        _publish(_desk(app, org, make_user, f"c{n}@example.org"))
    page = client.get("/directory", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    html = gzip.decompress(page.get_data()).decode()
    assert html.count('<article class="entry">') == 12 and "<script" not in html
    css = client.get(html.split('rel="stylesheet" href="')[1].split('"')[0])
    assert css.status_code == 200
    wire = len(page.get_data()) + len(gzip.compress(css.get_data()))
    assert wire < 30 * 1024, wire
    assert client.get("/directory.json", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/directory").headers  # only when asked for
