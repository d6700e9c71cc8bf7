"""Certificates and year statements in the guide's own language, Arabic-script ones shaped (HarfBuzz).

German comes first (the document is for German offices); the guide's language follows each statement.
Today an Arabic or Farsi certificate fell back to German only; now the words of the guide's language
are in the PDF's text (pypdf extracts the shaped glyphs back to letters).
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from server.extensions import db
from server.guides.models import GuideProfile
from server.money.certificates import certificate_languages, certificate_pdf, issue_certificate
from server.money.pdf import can_shape
from server.money.statements import year_statement_pdf
from tests.money.conftest import pdf_text

pytestmark = pytest.mark.skipif(not can_shape(), reason="uharfbuzz or fonts-noto-core missing")


def _words(code: str, msgid: str, **params: str) -> str:
    """The translation's words before its first placeholder or colon ("مجموع الساعات")."""
    with force_locale(code):
        text = _(msgid, **params)
    return text.split(":")[0].strip()


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_certificate_in_arabic_script(app, org, make_guide, make_activity, coordinator_author, code: str) -> None:
    guide = make_guide(org, "Amira Haddad", locale=code)
    make_activity(guide, org, "2026-04-01", 90)
    db.session.commit()
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    assert certificate_languages(guide, profile) == ["de", code]
    cert = issue_certificate(coordinator_author, org.id, guide.id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    text = pdf_text(certificate_pdf(cert))
    assert "Ehrenamtsnachweis" in text and "Stunden insgesamt" in text  # German first
    for msgid in ("Certificate of volunteer work", "Hours in total: %(hours)s", "For the coordination office"):
        words = _words(code, msgid, hours="")
        assert words and words in text, (msgid, words)


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_year_statement_in_arabic_script(app, org, make_guide, code: str) -> None:
    guide = make_guide(org, "Amira Haddad", locale=code)
    db.session.commit()
    text = pdf_text(year_statement_pdf(org.id, guide.id, 2026))
    assert "Aufwandsentschädigungen 2026" in text
    words = _words(code, "Statement of allowances paid in %(year)s", year="2026").replace("2026", "").strip()
    assert words.split()[0] in text
    for msgid in ("Legal basis", "Tax-free limit"):  # table headings: "Rechtsgrundlage / …"
        assert _words(code, msgid).split()[0] in text, msgid
