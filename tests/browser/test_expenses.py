"""Expenses on a 360×640 phone against the live server: a receipt photo taken offline (downscaled and
stripped on the phone, uploaded after its expense synced), a mileage expense at the organization's
rate, the month's claim with its summary, the coordinator's decisions, and an offline edit the
workflow refuses."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from sync import clock
from tests.browser.test_field_day import DUMP_DB, enrol, enrolled_guide, has_horizontal_scroll

pytestmark = pytest.mark.browser

# The receipt photos as stored on the phone: key, expense, upload flag and the bytes (base64).
DUMP_BLOBS = """() => new Promise((done, fail) => {
  const open = indexedDB.open("lotsenbuch");
  open.onerror = () => fail(open.error);
  open.onsuccess = () => {
    const idb = open.result;
    const req = idb.transaction("blobs", "readonly").objectStore("blobs").getAll();
    req.onsuccess = () => {
      idb.close();
      done(req.result.map((row) => {
        const bytes = new Uint8Array(row.bytes);
        let text = "";
        for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return { sha256: row.sha256, expense_id: row.expense_id, mime: row.mime, uploaded: row.uploaded, b64: btoa(text) };
      }));
    };
    req.onerror = () => fail(req.error);
  };
})"""


def camera_photo(width: int = 3000, height: int = 2000) -> bytes:
    """A phone camera's JPEG: large, with EXIF (camera model, GPS position)."""
    from PIL import ExifTags, Image, ImageDraw

    image = Image.new("RGB", (width, height), (245, 243, 235))
    draw = ImageDraw.Draw(image)
    for row in range(8):
        draw.rectangle((200, 200 + row * 200, width - 200, 260 + row * 200), fill=(40, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Testphone 3000"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 22.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (9.0, 44.0, 10.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the original does carry GPS
    return data


def text(locator: Any) -> str:
    """A locator's text with the no-break spaces of number formats (\"12,50\u00a0€\") made plain."""
    return locator.inner_text().replace("\xa0", " ").replace("\u202f", " ")


def set_rate(live_server: Any, org_id: int, cents: int) -> None:
    from server.extensions import db
    from server.organizations.models import MileageRate

    with live_server.app.app_context():
        db.session.add(MileageRate(organization_id=org_id, mode="car", valid_from=dt.date(2020, 1, 1),
                                   cents_per_km=cents))
        db.session.commit()
        db.session.remove()


def server_expenses(live_server: Any, guide_id: int) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from server.expenses.models import Expense
    from server.extensions import db

    with live_server.app.app_context():
        rows = db.session.execute(select(Expense).where(Expense.guide_id == guide_id)).scalars().all()
        out = [{"id": r.id, "category": r.category, "amount_cents": r.amount_cents, "km": r.km, "state": r.state,
                "claim_id": r.claim_id, "receipts": [x.sha256 for x in r.receipts]} for r in rows]
        db.session.remove()
    return out


def open_expenses(page: Any) -> None:
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("button", name="Auslagen").click()
    page.get_by_role("heading", name="Auslagen").wait_for()


def add_expense(page: Any, category: str, *, amount: str = "", km: str = "", description: str = "",
                photo: bytes | None = None) -> None:
    page.get_by_role("button", name="Auslage erfassen").click()
    page.get_by_label("Kategorie").select_option(category)
    if category == "mileage":
        page.get_by_label("Kilometer").fill(km)
    else:
        page.get_by_label("Betrag (€)").fill(amount)
    page.get_by_label("Beschreibung").fill(description)
    if photo is not None:
        page.get_by_test_id("receipt-input").set_input_files(
            files=[{"name": "beleg.jpg", "mimeType": "image/jpeg", "buffer": photo}])
        page.get_by_role("img", name="Beleg 1").wait_for()
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()


def sync_now(page: Any) -> None:
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("button", name="Heute").click()
    page.get_by_role("button", name="Jetzt synchronisieren").click()
    page.get_by_text("Alles synchronisiert").wait_for(timeout=20_000)


def states_by_title(page: Any) -> dict[str, str]:
    out = {}
    for item in page.get_by_test_id("expense").all():
        title = text(item.locator(".entry-title"))
        out[title] = item.get_by_test_id("expense-state").inner_text()
    return out


def wait_for_states(page: Any, expected: dict[str, str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while states_by_title(page) != expected:
        if time.monotonic() > deadline:
            assert states_by_title(page) == expected
        page.wait_for_timeout(200)


def test_expenses_offline_with_receipt_claim_and_decisions(phone, live_server, artifacts: Path) -> None:
    from PIL import Image

    code, guide_id, org_id = enrolled_guide(live_server, f"exp-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    set_rate(live_server, org_id, 35)
    context = phone("de-DE")
    page = enrol(context, code, "Amira Haddad")
    page.get_by_text("Alles synchronisiert").wait_for()

    # Offline: a material expense with a photo, a mileage expense, a ticket without a receipt.
    context.set_offline(True)
    open_expenses(page)
    photo = camera_photo()
    add_expense(page, "material", amount="12,50", description="Ordner und Kopien", photo=photo)
    add_expense(page, "mileage", km="42", description="Fahrt zum Jobcenter")
    page.get_by_role("button", name="Auslage erfassen").click()
    page.get_by_label("Kategorie").select_option("mileage")
    page.get_by_label("Kilometer").fill("42")
    assert text(page.get_by_test_id("mileage-amount")) == "42 km × 0,35 € = 14,70 €"
    page.screenshot(path=str(artifacts / "expense-form-mileage-360x640.png"), full_page=True)
    page.get_by_role("button", name="Zurück").click()
    add_expense(page, "public_transport", amount="3.2", description="Fahrkarte Üstra")
    titles = {
        "material": "Material · 12,50 €", "mileage": "Fahrtkosten (km) · 14,70 €",
        "ticket": "ÖPNV · 3,20 €",
    }
    wait_for_states(page, {t: "Wartet auf Synchronisierung" for t in titles.values()})
    assert page.get_by_test_id("receipt-pending").count() == 1
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "expenses-offline-360x640.png"), full_page=True)

    # On the phone: the photo is ≤ 1600 px JPEG without EXIF, hashed over exactly the stored bytes,
    # stored with its expense; every expense has its outbox entry.
    [blob] = page.evaluate(DUMP_BLOBS)
    stored = base64.b64decode(blob["b64"])
    assert hashlib.sha256(stored).hexdigest() == blob["sha256"]
    assert blob["mime"] == "image/jpeg" and blob["uploaded"] == 0
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and max(image.size) <= 1600 and image.size == (1600, 1067)
    assert not image.getexif()
    assert len(stored) < len(photo)
    local = page.evaluate(DUMP_DB)
    expenses = {r["id"]: r for r in local["records"] if r["type"] == "expense"}
    assert expenses[blob["expense_id"]]["data"]["receipts"] == [blob["sha256"]]
    assert {row["record_id"] for row in local["outbox"]} == set(expenses)
    assert server_expenses(live_server, guide_id) == []

    # Online: the expenses sync, then the receipt follows; the server keeps no EXIF either.
    context.set_offline(False)
    wait_for_states(page, {t: "Offen" for t in titles.values()})
    page.get_by_test_id("receipt-pending").wait_for(state="detached", timeout=20_000)
    on_server = server_expenses(live_server, guide_id)
    assert sorted((e["category"], e["amount_cents"], e["km"]) for e in on_server) == [
        ("material", 1250, None), ("mileage", 1470, 42), ("public_transport", 320, None)]
    from server.blobs.models import Blob
    from server.blobs.store import blob_store
    from server.extensions import db

    with live_server.app.app_context():
        row = db.session.scalar(db.select(Blob).where(Blob.sha256 == blob["sha256"]))
        assert row is not None
        cleaned = Image.open(io.BytesIO(blob_store().read(row.organization_id, blob["sha256"])))
        db.session.remove()
    assert max(cleaned.size) <= 1600 and not cleaned.getexif()

    # The month's claim: a summary first (count, total, per category, the ticket without receipt).
    page.get_by_role("button", name=re.compile(r"^Abrechnung .* einreichen$")).click()
    summary = page.get_by_test_id("claim-summary")
    assert "Offene Auslagen: 3, Summe 30,40 €" in text(summary)
    assert "ÖPNV (1)" in text(summary)
    assert "ÖPNV 3,20 €" in text(page.get_by_test_id("claim-no-receipt"))
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "expenses-claim-summary-360x640.png"), full_page=True)
    page.get_by_role("button", name="Abrechnung einreichen", exact=True).click()
    page.get_by_text("Abrechnung auf diesem Handy gespeichert.").wait_for()
    wait_for_states(page, {t: "Eingereicht" for t in titles.values()})
    page.get_by_test_id("claim-state").filter(has_text=re.compile(r"Auslagen: 3, Summe 30,40\s€")).wait_for(
        timeout=20_000)

    from sqlalchemy import select

    from server.expenses.models import Claim

    with live_server.app.app_context():
        [claim] = db.session.execute(select(Claim).where(Claim.guide_id == guide_id)).scalars().all()
        assert (claim.month, claim.state) == (clock.today().strftime("%Y-%m"), "submitted")
        claim_id = claim.id
        db.session.remove()
    on_server = server_expenses(live_server, guide_id)
    assert all(e["state"] == "submitted" and e["claim_id"] == claim_id for e in on_server)

    # The coordinator approves the material and rejects the ticket; the app shows both after a sync.
    from server.expenses.operations import set_expense_state
    from sync.merge import Author

    by_category = {e["category"]: e["id"] for e in on_server}
    with live_server.app.app_context():
        author = Author(role="coordinator")
        set_expense_state(db.session, author, org_id, by_category["material"], "approved")
        set_expense_state(db.session, author, org_id, by_category["public_transport"], "rejected",
                          "Bitte die Fahrkarte nachreichen")
        db.session.commit()
        db.session.remove()
    sync_now(page)
    open_expenses(page)
    wait_for_states(page, {titles["material"]: "Genehmigt", titles["mileage"]: "Eingereicht",
                           titles["ticket"]: "Abgelehnt"})
    assert page.get_by_test_id("rejection-reason").inner_text() == "Grund: Bitte die Fahrkarte nachreichen"
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "expenses-decided-360x640.png"), full_page=True)

    # An approved expense opens read-only.
    page.get_by_test_id("expense").filter(has_text="Material").click()
    page.get_by_text("kann nicht mehr geändert werden").wait_for()
    assert page.get_by_role("button", name="Speichern").count() == 0
    assert page.get_by_label("Beschreibung").is_disabled()
    page.get_by_role("button", name="Zurück").click()

    # Offline, the guide corrects the rejected ticket; meanwhile the coordinator approves it after all.
    context.set_offline(True)
    page.get_by_test_id("expense").filter(has_text="ÖPNV").click()
    page.get_by_text("Abgelehnt: Bitte die Fahrkarte nachreichen").wait_for()
    page.get_by_label("Beschreibung").fill("Fahrkarte Üstra, Beleg folgt")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    with live_server.app.app_context():
        set_expense_state(db.session, Author(role="coordinator"), org_id, by_category["public_transport"], "approved")
        db.session.commit()
        db.session.remove()
    context.set_offline(False)
    page.get_by_text("Nicht geändert: bereits genehmigt").wait_for(timeout=20_000)
    local = page.evaluate(DUMP_DB)
    assert local["outbox"] == []
    [ticket] = [r for r in local["records"] if r["id"] == by_category["public_transport"]]
    assert ticket["problem"]["code"] == "locked"
    assert ticket["data"]["state"] == "approved" and ticket["data"]["description"] == "Fahrkarte Üstra"
    page.screenshot(path=str(artifacts / "expenses-locked-360x640.png"), full_page=True)


def test_claim_refused_as_duplicate_is_explained(phone, live_server, artifacts: Path) -> None:
    """Two phones of one guide submit the same month offline; the later one is told why it failed."""
    code, guide_id, org_id = enrolled_guide(live_server, f"dup-{uuid.uuid4().hex[:8]}", "Olena Koval")
    first = enrol(phone("de-DE"), code, "Olena Koval")
    open_expenses(first)
    add_expense(first, "phone", amount="5", description="Guthaben")
    wait_for_states(first, {"Telefonkosten · 5,00 €": "Offen"})

    from server.accounts.models import User
    from server.accounts.operations import format_code, issue_enrolment_code
    from server.extensions import db

    with live_server.app.app_context():
        second_code = format_code(issue_enrolment_code(db.session.get(User, guide_id)))
        db.session.commit()
        db.session.remove()
    second_context = phone("de-DE")
    second = enrol(second_context, second_code, "Olena Koval")
    second.get_by_text("Alles synchronisiert").wait_for()
    second_context.set_offline(True)
    open_expenses(second)
    wait_for_states(second, {"Telefonkosten · 5,00 €": "Offen"})
    second.get_by_role("button", name=re.compile(r"^Abrechnung .* einreichen$")).click()
    second.get_by_role("button", name="Abrechnung einreichen", exact=True).click()
    second.get_by_text("Abrechnung auf diesem Handy gespeichert.").wait_for()

    first.get_by_role("button", name=re.compile(r"^Abrechnung .* einreichen$")).click()
    first.get_by_role("button", name="Abrechnung einreichen", exact=True).click()
    first.get_by_test_id("claim-state").filter(has_text=re.compile(r"Auslagen: 1, Summe 5,00\s€")).wait_for(
        timeout=20_000)

    second_context.set_offline(False)
    second.get_by_test_id("claim-problem").filter(
        has_text="schon von einem anderen Gerät eingereicht").wait_for(timeout=20_000)
    # The server's claim (from the first phone) arrives too, and the expense shows as submitted.
    wait_for_states(second, {"Telefonkosten · 5,00 €": "Eingereicht"})
    assert not has_horizontal_scroll(second)
    second.screenshot(path=str(artifacts / "expenses-claim-duplicate-360x640.png"), full_page=True)
    second.get_by_test_id("claim-problem").get_by_role("button", name="OK").click()
    second.get_by_test_id("claim-problem").wait_for(state="detached")
