"""Money files as the bank and the finance office expect them, over HTTP: SEPA names and remittance
transliterated the German way (and schema-valid), "mark paid" defaulting to the execution date, the
payout spreadsheet's line sheet with real dates and numbers and the booking accounts from the
organization's settings, and the funder report with logo, funding reference and people reached."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from xml.etree import ElementTree

import pytest
import xmlschema
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from server.assignments.models import Assignment, Client
from server.audit.models import AuditEvent
from server.extensions import db
from server.money.operations import create_payout
from server.money.sepa_text import sepa_text
from server.organizations.models import Organization
from tests.coordinator.conftest import sign_in
from tests.money.conftest import approve_all, pdf_text
from tests.money.pages import elements
from tests.money.test_payouts import NS, SCHEMA

OCTOBER = "kind=month&year=2026&number=10"


@pytest.fixture
def november(clock):
    """2 November 2026, set before anyone signs in (a session does not survive a jump back in time)."""
    clock("2026-11-02T10:00+01:00")
    return clock


@pytest.fixture
def desk(app, coordinator, november):
    browser = app.test_client()
    assert sign_in(browser, coordinator.email).status_code == 302
    return browser


@pytest.fixture
def admin_desk(app, org, make_user, november):
    admin = make_user(org, "admin", "admin@example.org", "Ada Admin")
    browser = app.test_client()
    assert sign_in(browser, admin.email).status_code == 302
    return browser


def _png(width=300, height=120, colour=(11, 93, 122)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (200, 100), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("raw, expected", [
    ("Lotsin Jürgens", "Lotsin Juergens"), ("Straße", "Strasse"), ("ÄRZTE Ölmühle Übersee", "AeRZTE Oelmuehle Uebersee"),
    ("Ayşe Demir", "Ayse Demir"), ("Олександр Коваленко", "Oleksandr Kovalenko"), ("François Nguyễn", "Francois Nguyen"),
    ("Müller & Söhne_GmbH", "Mueller + Soehne-GmbH"), ("محمد", "mHmd"), ("  viel   Raum  ", "viel Raum"),
])
def test_sepa_text_is_german_first_then_transliterated_into_the_sepa_set(raw, expected):
    assert sepa_text(raw, 70) == expected


def test_sepa_text_is_cut_to_the_field_length():
    assert sepa_text("Jürgens " * 30, 70) == ("Juergens " * 30)[:70].rstrip()
    assert len(sepa_text("ü" * 100, 35)) == 35


def test_sepa_file_writes_umlauts_the_german_way_and_stays_schema_valid(desk, org, guide, make_guide, make_claim,
                                                                          coordinator_author):
    org.bank_account_holder = "VHS Hannover – Büro für Integration"
    jurgens = make_guide(org, "Jörg Müßig-Jürgens")
    claims = [make_claim(guide, org, "2026-10", [1200]), make_claim(jurgens, org, "2026-10", [800])]
    for claim in claims:
        approve_all(coordinator_author, org, claim)
    payout = create_payout(coordinator_author, org.id, [c.id for c in claims], reference="Oktober Ü")
    db.session.commit()
    assert desk.post(f"/coordinator/payouts/{payout.id}/export", data={"execution_date": "2026-11-04"}).status_code == 302

    xml = desk.get(f"/coordinator/payouts/{payout.id}/sepa.xml")
    assert xml.status_code == 200
    xmlschema.XMLSchema(str(SCHEMA)).validate(xml.get_data(as_text=True))
    root = ElementTree.fromstring(xml.data)
    assert root.find(".//p:Dbtr/p:Nm", NS).text == "VHS Hannover - Buero fuer Integration"
    transfers = {e.find("p:Cdtr/p:Nm", NS).text: e for e in root.iterfind(".//p:CdtTrfTxInf", NS)}
    assert set(transfers) == {"Ayse Demir", "Joerg Muessig-Juergens"}
    remittance = transfers["Joerg Muessig-Juergens"].find("p:RmtInf/p:Ustrd", NS).text
    assert remittance.startswith("Oktober Ue ") and "Expenses 2026-10" in remittance
    # The spreadsheet for the finance office keeps the names as written.
    sheet = load_workbook(io.BytesIO(desk.get(f"/coordinator/payouts/{payout.id}/payout.xlsx").data)).worksheets[0]
    assert "Jörg Müßig-Jürgens" in [row[0] for row in sheet.iter_rows(values_only=True)]


def _exported_payout(desk, org, guide, make_guide, make_claim, make_activity, coordinator_author, clock):
    """Two guides' October expenses and one's October allowance in one payout, exported for 4 November."""
    from server.money.allowances import approve_allowance_line, compute_allowance_lines
    from server.money.rates import set_allowance_rate

    set_allowance_rate(coordinator_author, org.id, "hour", "ehrenamt_26a", dt.date(2026, 1, 1), 500)
    make_activity(guide, org, "2026-10-07", 120)
    db.session.commit()
    lines = compute_allowance_lines(coordinator_author, org.id, "2026-10")
    for line in lines:
        approve_allowance_line(coordinator_author, org.id, line.id)
    other = make_guide(org, "Oleksandr Kovalenko")
    one = make_claim(guide, org, "2026-10", [1200, 340], category="public_transport")
    two = make_claim(other, org, "2026-10", [4520], category="mileage")
    for claim in (one, two):
        approve_all(coordinator_author, org, claim)
    payout = create_payout(coordinator_author, org.id, [one.id, two.id], [line.id for line in lines])
    db.session.commit()
    assert desk.post(f"/coordinator/payouts/{payout.id}/export", data={"execution_date": "2026-11-04"}).status_code == 302
    return payout


def test_mark_paid_defaults_to_the_execution_date(desk, org, guide, make_guide, make_claim, make_activity,
                                                  coordinator_author, clock):
    payout = _exported_payout(desk, org, guide, make_guide, make_claim, make_activity, coordinator_author, clock)
    clock("2026-11-09T09:00+01:00")  # the bank statement arrives days after the execution
    assert sign_in(desk, "koordination@example.org").status_code == 302
    html = desk.get(f"/coordinator/payouts/{payout.id}").get_data(as_text=True)
    assert elements(html, "input", name="paid_on")[0]["value"] == "2026-11-04"
    assert desk.post(f"/coordinator/payouts/{payout.id}/paid", data={"paid_on": "2026-11-04"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(payout), payout.id).paid_on == dt.date(2026, 11, 4)


def test_mark_paid_before_the_execution_date_suggests_today(desk, org, guide, make_guide, make_claim, make_activity,
                                                            coordinator_author, clock):
    payout = _exported_payout(desk, org, guide, make_guide, make_claim, make_activity, coordinator_author, clock)
    html = desk.get(f"/coordinator/payouts/{payout.id}").get_data(as_text=True)
    assert elements(html, "input", name="paid_on")[0]["value"] == "2026-11-02"  # a future day would be refused


def test_payout_spreadsheet_has_a_line_sheet_the_finance_office_can_sum(admin_desk, desk, org, guide, make_guide,
                                                                         make_claim, make_activity, coordinator_author,
                                                                         clock):
    response = admin_desk.post(f"/coordinator/admin/organizations/{org.id}/reporting", data={
        "funding_reference": "", "booking_public_transport": "4660", "booking_ehrenamt_26a": " 4190 ",
        "booking_nonsense": "9999"})
    assert response.status_code == 302
    payout = _exported_payout(desk, org, guide, make_guide, make_claim, make_activity, coordinator_author, clock)
    book = load_workbook(io.BytesIO(desk.get(f"/coordinator/payouts/{payout.id}/payout.xlsx").data))
    assert book.sheetnames == ["Payout", "Lines"]
    sheet = book["Lines"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:8] == ("Date", "Guide", "Kind", "Category", "Description", "Amount (EUR)", "Claim",
                          "Booking account")
    assert len(rows) == 4  # three expenses and one allowance line
    by_category = {}
    for row in rows:
        assert isinstance(row[0], dt.datetime) and isinstance(row[5], float | int)  # a date and a number, not text
        by_category.setdefault(row[3], []).append(row)
    assert [r[7] for r in by_category["Public transport"]] == ["4660", "4660"]
    assert [r[7] for r in by_category["Mileage"]] == [None]  # none set
    allowance = by_category["Ehrenamtspauschale (§ 3 Nr. 26a EStG)"][0]
    assert (allowance[0].date(), allowance[1], allowance[5], allowance[7]) == (dt.date(2026, 10, 1), "Ayşe Demir", 10,
                                                                               "4190")
    assert {r[0].date() for r in by_category["Public transport"]} == {dt.date(2026, 10, 1), dt.date(2026, 10, 2)}
    assert round(sum(Decimal(str(r[5])) for r in rows) * 100) == payout.total_cents == 1200 + 340 + 4520 + 1000
    assert sheet.cell(2, 1).number_format == "DD.MM.YYYY" and "€" in sheet.cell(2, 6).number_format
    assert "PayoutLines" in sheet.tables  # filter buttons in Excel and LibreOffice
    changes = db.session.scalars(select(AuditEvent.details).where(
        AuditEvent.action == "organization.reporting_changed")).one()["changes"]
    assert set(changes) == {"booking_account.public_transport", "booking_account.ehrenamt_26a"}


@pytest.fixture
def reached(org, guide, make_guide, make_activity):
    """Six clients with approved October activities (one of them twice), a seventh with only an
    unapproved one, and another organization's client."""
    def client_assignment(organization, code, guide_user):
        client = Client(organization_id=organization.id, code=code, language="ar")
        db.session.add(client)
        db.session.flush()
        assignment = Assignment(organization_id=organization.id, guide_id=guide_user.id, client_id=client.id,
                                language="ar", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 12, 31),
                                title=code)
        db.session.add(assignment)
        db.session.flush()
        return assignment

    for n in range(6):
        assignment = client_assignment(org, f"K-{n}", guide)
        make_activity(guide, org, f"2026-10-{n + 1:02d}", 60, assignment_id=assignment.id)
        if n == 0:
            make_activity(guide, org, "2026-10-20", 60, assignment_id=assignment.id)
    unapproved = client_assignment(org, "K-7", guide)
    make_activity(guide, org, "2026-10-08", 60, assignment_id=unapproved.id, approved=False)
    september = client_assignment(org, "K-8", guide)
    make_activity(guide, org, "2026-09-30", 60, assignment_id=september.id)
    other_org = Organization(slug="awo", name="AWO")
    db.session.add(other_org)
    db.session.flush()
    from server.accounts.models import Membership

    other_guide = make_guide(other_org, "Bea Other")
    assert db.session.scalar(select(Membership).where(Membership.user_id == other_guide.id))
    make_activity(other_guide, other_org, "2026-10-05", 60,
                  assignment_id=client_assignment(other_org, "X-1", other_guide).id)
    db.session.commit()


def test_funder_report_carries_logo_funding_reference_and_people_reached(admin_desk, desk, org, reached):
    assert admin_desk.post(f"/coordinator/admin/organizations/{org.id}/reporting", data={
        "funding_reference": "AMIF-2026-HAN-0042"}).status_code == 302
    upload = admin_desk.post(f"/coordinator/admin/organizations/{org.id}/logo",
                             data={"logo": (io.BytesIO(_png()), "logo.png")}, content_type="multipart/form-data")
    assert upload.status_code == 302

    html = desk.get(f"/coordinator/reports?{OCTOBER}").get_data(as_text=True)
    assert "AMIF-2026-HAN-0042" in html and elements(html, "img", id="report-logo")
    assert "People reached (distinct clients)" in html
    logo = desk.get("/coordinator/organization-logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert Image.open(io.BytesIO(logo.data)).size == (300, 120)

    book = load_workbook(io.BytesIO(desk.get(f"/coordinator/reports/report.xlsx?{OCTOBER}").data))
    cover = {r[0]: r[1] for r in book.worksheets[0].iter_rows(values_only=True) if r and r[0]}
    assert cover["Funding reference"] == "AMIF-2026-HAN-0042"
    assert cover["From"].date() == dt.date(2026, 10, 1)  # a date cell, not text
    assert len(book.worksheets[0]._images) == 1
    summary = {r[0]: r[1] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert summary["People reached (distinct clients)"] == 6

    csv_text = desk.get(f"/coordinator/reports/report.csv?{OCTOBER}").data.decode("utf-8-sig")
    assert "AMIF-2026-HAN-0042" in csv_text and "People reached (distinct clients);6" in csv_text

    pdf = desk.get(f"/coordinator/reports/report.pdf?{OCTOBER}").data
    text = pdf_text(pdf)
    assert "Funding reference: AMIF-2026-HAN-0042" in text and "People reached (distinct clients) 6" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1
    for secret in ("K-0", "K-7", "X-1"):
        assert secret not in html and secret not in csv_text and secret not in text


def test_few_people_reached_are_suppressed(desk, org, guide, make_activity):
    client = Client(organization_id=org.id, code="K-1", language="tr")
    db.session.add(client)
    db.session.flush()
    assignment = Assignment(organization_id=org.id, guide_id=guide.id, client_id=client.id, language="tr",
                            starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 12, 31), title="K-1")
    db.session.add(assignment)
    db.session.flush()
    make_activity(guide, org, "2026-10-02", 60, assignment_id=assignment.id)
    db.session.commit()
    book = load_workbook(io.BytesIO(desk.get(f"/coordinator/reports/report.xlsx?{OCTOBER}").data))
    summary = {r[0]: r[1] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert summary["People reached (distinct clients)"] == "<5"


def test_logo_is_cleaned_limited_and_admin_only(app, admin_desk, desk, org):
    url = f"/coordinator/admin/organizations/{org.id}/logo"

    def upload(client, data, name="logo.jpg"):
        return client.post(url, data={"logo": (io.BytesIO(data), name)}, content_type="multipart/form-data")

    assert upload(desk, _png()).status_code == 403  # coordinators do not set the organization up
    assert upload(admin_desk, _jpeg_with_exif()).status_code == 302
    stored = db.session.scalar(select(Organization.logo).where(Organization.id == org.id))
    assert Image.open(io.BytesIO(stored)).getexif().get(0x010F) is None  # the metadata is gone
    for bad, status in ((b"GIF89a" + b"\0" * 40, 400), (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, 400),
                        (_png()[:-1] + b"\0" * (app.config["LOGO_MAX_BYTES"]), 413)):
        response = upload(admin_desk, bad, "bad.png")
        assert response.status_code == status
        assert 'role="alert"' in response.get_data(as_text=True) or 'class="field-error"' in response.get_data(
            as_text=True)
    assert upload(admin_desk, b"", "empty.png").status_code == 400
    assert admin_desk.post(url, data={}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Organization, org.id).logo_content_type == "image/jpeg"  # the bad ones changed nothing
    html = admin_desk.get(f"/coordinator/admin/organizations/{org.id}").get_data(as_text=True)
    assert elements(html, "img", id="logo-current")
    assert admin_desk.post(f"{url}/remove").status_code == 302
    assert desk.get("/coordinator/organization-logo").status_code == 404
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("organization.logo%"))
                                      .order_by(AuditEvent.id)))
    assert actions == ["organization.logo_set", "organization.logo_removed"]


def test_reporting_settings_refuse_overlong_values(admin_desk, desk, org):
    url = f"/coordinator/admin/organizations/{org.id}/reporting"
    assert desk.post(url, data={"funding_reference": "x"}).status_code == 403
    assert admin_desk.post(url, data={"funding_reference": "x" * 121}).status_code == 400
    assert admin_desk.post(url, data={"booking_mileage": "1" * 21}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Organization, org.id).funding_reference is None


def test_another_organizations_logo_is_never_shown(app, admin_desk, org, make_org, make_user):
    assert admin_desk.post(f"/coordinator/admin/organizations/{org.id}/logo", data={
        "logo": (io.BytesIO(_png()), "logo.png")}, content_type="multipart/form-data").status_code == 302
    other = make_org("awo", "AWO")
    staff = make_user(other, "coordinator", "awo@example.org", "Bea AWO")
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 302
    assert client.get("/coordinator/organization-logo").status_code == 404
    assert client.get(f"/coordinator/admin/organizations/{org.id}/logo").status_code == 403
    assert not elements(client.get(f"/coordinator/reports?{OCTOBER}").get_data(as_text=True), "img", id="report-logo")
