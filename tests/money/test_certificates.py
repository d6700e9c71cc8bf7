"""Volunteer certificates: what the PDF states, the QR link, and what the public check may show."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.extensions import db
from server.guides.models import GuideProfile, Qualification
from server.money.certificates import (
    certificate_languages,
    certificate_pdf,
    issue_certificate,
    revoke_certificate,
    verification,
    verification_url,
)
from server.money.errors import MoneyError
from tests.money.conftest import pdf_text


@pytest.fixture
def worked(org, guide, make_activity):
    for day in range(1, 11):
        make_activity(guide, org, f"2026-{(day % 3) + 3:02d}-{day:02d}", 90)
    make_activity(guide, org, "2026-05-20", 120, kind="plenum")
    make_activity(guide, org, "2026-05-21", 60, kind="training", approved=False)  # not approved: left out
    make_activity(guide, org, "2025-12-20", 60)  # before the period
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    profile.qualifications.append(Qualification(kind="basic", title="Basisqualifizierung Integrationslotsen",
                                                completed_on=dt.date(2026, 2, 14), provider="VHS Hannover"))
    profile.qualifications.append(Qualification(kind="specialisation", title="Elternlotse",
                                                completed_on=dt.date(2027, 1, 10)))  # after the period
    db.session.commit()
    return guide


def test_certificate_states_hours_kinds_and_qualifications(app, org, worked, coordinator, coordinator_author):
    app.config["PUBLIC_URL"] = "https://lotsen.example.org"
    cert = issue_certificate(coordinator_author, org.id, worked.id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    db.session.commit()
    assert cert.minutes == 10 * 90 + 120 and cert.minutes_by_kind == {"accompaniment": 900, "plenum": 120}
    assert [q["title"] for q in cert.qualifications] == ["Basisqualifizierung Integrationslotsen"]
    assert cert.signer_name == "Maria Weber" and len(cert.token) >= 40
    data = certificate_pdf(cert)
    text = pdf_text(data)
    assert "Ehrenamtsnachweis" in text
    for expected in ("Ayşe Demir", "VHS Hannover – Integrationslotsen", "Maria Weber", "17,0", "15,0", "2,0",
                     "Basisqualifizierung Integrationslotsen", f"lotsen.example.org/verify/{cert.token}"):
        assert expected in text.replace("\n", ""), expected
    assert "Elternlotse" not in text
    reader = PdfReader(io.BytesIO(data))
    assert any(page.images for page in reader.pages)  # the QR code
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "certificate.issued"))


def test_verification_shows_what_the_certificate_states_and_no_more(app, org, worked, coordinator_author):
    cert = issue_certificate(coordinator_author, org.id, worked.id, dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                             signer_name="Dr. Jana Schulz")
    db.session.commit()
    shown = verification(cert.token)
    assert set(shown) == {"valid", "guide_name", "organization_name", "signer_name", "period_from", "period_to",
                          "issued_on", "minutes", "minutes_by_kind", "qualifications"}
    assert shown["valid"] and shown["signer_name"] == "Dr. Jana Schulz" and shown["minutes"] == 1020
    assert "email" not in str(shown) and "@" not in str(shown)
    assert verification("nonsense") is None and verification("") is None
    revoke_certificate(coordinator_author, org.id, cert.id)
    db.session.commit()
    assert verification(cert.token)["valid"] is False
    assert verification_url(cert.token).endswith(f"/verify/{cert.token}")


def test_bilingual_when_the_guides_catalog_translates_it(app, org, make_guide, make_activity, coordinator_author):
    english = make_guide(org, "John Smith", locale="en")
    make_activity(english, org, "2026-04-01", 60)
    db.session.commit()
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == english.id))
    assert certificate_languages(english, profile) == ["de", "en"]
    cert = issue_certificate(coordinator_author, org.id, english.id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    text = pdf_text(certificate_pdf(cert))
    assert "Certificate of volunteer work" in text and "Hours in total" in text


def test_no_catalog_means_german_only(app, org, make_guide):
    guide = make_guide(org, "Ahmad", locale="ti")  # Tigrinya: no catalog (yet)
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    assert certificate_languages(guide, profile) == ["de"]


def test_organization_boundary_and_empty_period(app, org, worked, make_org, coordinator_author):
    other = make_org("awo", "AWO")
    with pytest.raises(MoneyError) as err:
        issue_certificate(coordinator_author, other.id, worked.id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert err.value.code == "not_found"
    with pytest.raises(MoneyError) as err:
        issue_certificate(coordinator_author, org.id, worked.id, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert err.value.code == "no_activities"
