"""Volunteer certificates over HTTP: issue, list, PDF with the verification link, the public check, revoke."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from server.audit.models import AuditEvent
from server.extensions import db
from server.guides.models import GuideProfile
from server.money.models import Certificate
from tests.coordinator.conftest import sign_in
from tests.money import test_certificates as certificate_fixtures
from tests.money.conftest import pdf_text
from tests.money.pages import elements

worked = certificate_fixtures.worked  # the fixture: 17 approved hours in 2026

PERIOD = {"period_from": "2026-01-01", "period_to": "2026-12-31"}


@pytest.fixture
def browser(app, coordinator):
    client = app.test_client()
    assert sign_in(client, coordinator.email).status_code == 302
    return client


def _audits(action: str) -> int:
    return int(db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)))


def test_issue_download_verify_and_revoke(app, browser, org, worked, make_activity):
    app.config["PUBLIC_URL"] = "https://lotsen.example.org"
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == worked.id))
    profile.phone = "0511 123456"
    make_activity(worked, org, "2026-06-02", 60, note="Termin beim Jobcenter, K-77")
    db.session.commit()

    response = browser.post("/coordinator/certificates", data={"guide_id": worked.id, **PERIOD,
                                                              "signer_name": "Dr. Jana Schulz"})
    assert response.status_code == 302
    cert = db.session.scalars(select(Certificate)).one()
    assert cert.minutes == 17 * 60 + 60 and cert.signer_name == "Dr. Jana Schulz" and _audits("certificate.issued") == 1

    # Listed on the certificates page and on the guide's page.
    listing = browser.get("/coordinator/certificates").get_data(as_text=True)
    assert elements(listing, "tr", data_certificate=cert.id, data_state="valid", data_minutes=cert.minutes)
    guide_page = browser.get(f"/coordinator/guides/{worked.id}").get_data(as_text=True)
    assert elements(guide_page, "li", data_certificate=cert.id, data_state="valid")

    pdf = browser.get(f"/coordinator/certificates/{cert.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and _audits("certificate.downloaded") == 1
    text = pdf_text(pdf.data).replace("\n", "")
    assert "Ehrenamtsnachweis" in text and "18,0" in text and "Dr. Jana Schulz" in text and worked.name in text
    url = re.search(r"https://lotsen\.example\.org(/verify/[A-Za-z0-9_-]{43})", text)  # token_urlsafe(32)
    assert url and url.group(1) == f"/verify/{cert.token}"

    # The public page, without signing in: the certificate's statements and nothing more.
    public = app.test_client()
    check = public.get(url.group(1))
    assert check.status_code == 200 and check.headers["Cache-Control"] == "no-store"
    html = check.get_data(as_text=True)
    assert elements(html, id="verdict", data_state="valid")
    facts = {e["data-fact"] for e in elements(html) if "data-fact" in e}
    assert facts == {"guide_name", "period", "hours", "issuer", "signer", "issued_on"}
    assert worked.name in html and "Dr. Jana Schulz" in html and org.name in html
    assert re.search(r'data-fact="hours">18[.,]0<', html)  # 17 h of the fixture + 1 h, in any language
    for private in (worked.email, "0511 123456", "Jobcenter", "K-77", "IBAN", "DE89"):
        assert private not in html, private
    assert 'class="main-nav"' not in html  # no staff navigation for the public

    assert browser.post(f"/coordinator/certificates/{cert.id}/revoke").status_code == 302
    assert _audits("certificate.revoked") == 1
    html = public.get(url.group(1)).get_data(as_text=True)
    assert elements(html, id="verdict", data_state="revoked")
    listing = browser.get("/coordinator/certificates").get_data(as_text=True)
    assert elements(listing, "tr", data_certificate=cert.id, data_state="revoked")
    browser.post(f"/coordinator/certificates/{cert.id}/revoke")  # twice: nothing more happens
    assert _audits("certificate.revoked") == 1


def test_unknown_token_is_a_404_page(app):
    public = app.test_client()
    for token in ("nonsense", "x" * 70):
        assert public.get(f"/verify/{token}").status_code == 404
    assert public.get("/verify/%00").status_code == 400  # refused before any lookup (server/errors.py)


@pytest.mark.parametrize("data", [
    {"period_from": "2026-12-31", "period_to": "2026-01-01"},  # the end before the start
    {"period_from": "kein Datum"}, {"period_to": ""}, {"period_from": "1700-01-01"},
    {"period_from": "2024-01-01", "period_to": "2024-12-31"},  # nothing approved then
    {"guide_id": ""}, {"guide_id": "abc"}, {"signer_name": "x" * 201},
], ids=lambda d: "-".join(f"{k}={v[:12]}" for k, v in d.items()))
def test_bad_input_shows_the_form_and_issues_nothing(browser, worked, data):
    response = browser.post("/coordinator/certificates", data={"guide_id": worked.id, **PERIOD, **data})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert elements(html, "form", id="certificate-form")
    assert elements(html, id="certificate-error") or elements(html, "span", class_="field-error")
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_another_organizations_guide_and_certificate_are_404(app, browser, org, worked, make_org, make_user,
                                                              make_activity):
    other_org = make_org("awo", "AWO")
    other_guide = make_user(other_org, "guide", "g@awo.example.org", "Olga Other")
    make_activity(other_guide, other_org, "2026-03-03", 600)
    db.session.commit()
    assert browser.post("/coordinator/certificates", data={"guide_id": other_guide.id, **PERIOD}).status_code == 404
    # A certificate of the other organization, issued by its own coordinator.
    staff = make_user(other_org, "coordinator", "c@awo.example.org", "Carl AWO")
    theirs = app.test_client()
    assert sign_in(theirs, staff.email).status_code == 302
    assert theirs.post("/coordinator/certificates", data={"guide_id": other_guide.id, **PERIOD}).status_code == 302
    cert = db.session.scalars(select(Certificate)).one()
    assert browser.get(f"/coordinator/certificates/{cert.id}.pdf").status_code == 404
    assert browser.post(f"/coordinator/certificates/{cert.id}/revoke").status_code == 404
    assert browser.get("/coordinator/certificates/999999.pdf").status_code == 404
    assert other_guide.name not in browser.get("/coordinator/certificates").get_data(as_text=True)
    db.session.refresh(cert)
    assert cert.revoked_at is None


def test_the_public_check_is_rate_limited(app):
    from server.money.verify_views import VERIFY_LIMIT

    per_minute = int(VERIFY_LIMIT.split()[0])
    public = app.test_client()
    statuses = [public.get(f"/verify/guess{n}").status_code for n in range(per_minute + 1)]
    assert statuses[:-1] == [404] * per_minute and statuses[-1] == 429
