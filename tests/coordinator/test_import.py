"""Import of a guide list: preview with row errors, then all rows in one transaction or none."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from sqlalchemy import func, select

from server.accounts.models import Membership, User
from server.audit.models import AuditEvent
from server.extensions import db
from server.guides.models import GuideProfile

GOOD = ("Name;E-Mail;Telefon;Sprachen;Bezirke;Schwerpunkte\n"
        'Leyla Aydın;leyla@example.org;0511 1;"tr:native; ar:B1";Mitte;parents\n'
        "Omid Rahimi;OMID@example.org;;prs:native:Kabuli;linden-limmer, nord;\n")


def _guides() -> int:
    return int(db.session.scalar(select(func.count()).select_from(Membership).where(Membership.role == "guide")))


def _upload(browser, name: str, data: bytes):
    return browser.post("/coordinator/guides/import", data={"file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def _token(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "no confirmation on the page"
    return match.group(1)


def test_csv_preview_then_import(signed_in, world):
    browser = signed_in(world.coord_a)
    assert browser.get("/coordinator/guides/import").status_code == 200
    before = _guides()
    preview = _upload(browser, "lotsen.csv", GOOD.encode())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Leyla Aydın" in html and "omid@example.org" in html
    assert _guides() == before  # a preview creates nothing
    done = browser.post("/coordinator/guides/import/confirm", data={"token": _token(html)})
    assert done.status_code == 302
    assert _guides() == before + 2
    omid = db.session.scalar(select(User).where(User.email == "omid@example.org"))
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == omid.id))
    assert profile.organization_id == world.org_a.id and profile.districts == ["linden-limmer", "nord"]
    assert [(lang.language, lang.level, lang.dialect) for lang in profile.languages] == [("prs", "native", "Kabuli")]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "guide.imported"))
    assert event.details["count"] == 2
    # The same preview cannot be imported twice: the emails exist now, nothing is added.
    again = browser.post("/coordinator/guides/import/confirm", data={"token": _token(html)})
    assert again.status_code == 409 and _guides() == before + 2


def test_xlsx_with_row_errors_imports_nothing(signed_in, world):
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "email", "languages", "districts"])
    sheet.append(["Gut Person", "gut@example.org", "ru:C1", "Mitte"])
    sheet.append(["Schlecht Mail", "keine-mail", "", ""])
    sheet.append(["Doppelt", "gut@example.org", "", ""])
    sheet.append(["Schon da", world.guide_a.email, "", ""])
    sheet.append(["Sprache", "sprache@example.org", "xx:B1", ""])
    sheet.append(["Bezirk", "bezirk@example.org", "de", "Atlantis"])
    buffer = io.BytesIO()
    book.save(buffer)
    browser = signed_in(world.coord_a)
    before = _guides()
    preview = _upload(browser, "lotsen.xlsx", buffer.getvalue())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'name="token"' not in html  # no confirmation while any row has an error
    # The page speaks German (the default language): the row errors in their German wording.
    for fragment in ("keine-mail", "zweimal", "xx", "Atlantis", "braucht ein Niveau"):
        assert fragment in html, fragment
    assert html.count('class="flagged"') == 5
    assert _guides() == before


def test_tampered_or_foreign_token_is_refused(signed_in, world):
    html = _upload(signed_in(world.coord_a), "lotsen.csv", GOOD.encode()).get_data(as_text=True)
    token = _token(html)
    other = signed_in(world.coord_b)
    assert other.post("/coordinator/guides/import/confirm", data={"token": token}).status_code == 302
    assert other.post("/coordinator/guides/import/confirm", data={"token": token[:-3] + "abc"}).status_code == 302
    assert db.session.scalar(select(User).where(User.email == "leyla@example.org")) is None


def test_unreadable_files(signed_in, world):
    browser = signed_in(world.coord_a)
    assert _upload(browser, "lotsen.xlsx", b"not a workbook").status_code == 400
    assert _upload(browser, "lotsen.csv", b"vorname;nachname\nA;B\n").status_code == 400
    assert _upload(browser, "lotsen.txt", b"name,email\n").status_code == 400


def _row_of(html: str, email: str) -> str:
    """The preview's table row that shows `email`."""
    match = re.search(r"<tr[^>]*>((?:(?!</tr>).)*" + re.escape(email) + r"(?:(?!</tr>).)*)</tr>", html, re.S)
    assert match, email
    return match.group(1)


def test_preview_shows_each_rows_districts_with_their_names(signed_in, world):
    html = _upload(signed_in(world.coord_a), "lotsen.csv", GOOD.encode()).get_data(as_text=True)
    leyla, omid = _row_of(html, "leyla@example.org"), _row_of(html, "omid@example.org")
    assert re.findall(r'data-district="([^"]+)"', leyla) == ["mitte"]
    assert re.findall(r'data-district="([^"]+)"', omid) == ["linden-limmer", "nord"]
    assert "Linden-Limmer <code>linden-limmer</code>" in omid and "Nord <code>nord</code>" in omid
    assert "data-unknown-district" not in html


def test_an_unknown_district_code_is_an_error_of_its_row(signed_in, world):
    csv = ("name,email,districts\n"
           "Gut Person,gut@example.org,suedstadt-bult; Döhren-Wülfel\n"
           'Falsch Bezirk,falsch@example.org,"mitte; altstadt-x"\n')
    browser = signed_in(world.coord_a)
    before = _guides()
    preview = _upload(browser, "lotsen.csv", csv.encode())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'name="token"' not in html
    good, bad = _row_of(html, "gut@example.org"), _row_of(html, "falsch@example.org")
    assert "flagged" not in html.split("gut@example.org")[0].rsplit("<tr", 1)[1]
    assert re.findall(r'data-district="([^"]+)"', good) == ["suedstadt-bult", "doehren-wuelfel"]
    assert "Südstadt-Bult" in good and "Döhren-Wülfel" in good
    assert re.findall(r'data-district="([^"]+)"', bad) == ["mitte"]
    assert re.findall(r'data-unknown-district="([^"]+)"', bad) == ["altstadt-x"]
    assert html.count('class="flagged"') == 1 and "altstadt-x" in bad
    assert _guides() == before
