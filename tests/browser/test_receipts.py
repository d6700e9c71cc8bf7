"""Receipt photos after their expense, on a 360×640 phone against the live server: a photo the server
refuses for good (413) is marked, explained and never sent again while later photos still go through;
a transient 503 is retried with backoff; once an expense is paid the phone drops the photo's bytes
(the server has them), and the Expenses and History screens show paid / approved / rejected-with-reason
as stable `data-state` attributes."""

from __future__ import annotations

import io
import random
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_expenses import add_expense, open_expenses, sync_now, wait_for_states
from tests.browser.test_field_day import enrol, enrolled_guide, has_horizontal_scroll

pytestmark = pytest.mark.browser

# The receipt rows without their bytes: what matters here is how many bytes are left.
BLOB_STATES = """() => new Promise((done, fail) => {
  const open = indexedDB.open("lotsenbuch");
  open.onerror = () => fail(open.error);
  open.onsuccess = () => {
    const idb = open.result;
    const req = idb.transaction("blobs", "readonly").objectStore("blobs").getAll();
    req.onsuccess = () => {
      idb.close();
      done(req.result.map((row) => ({ sha256: row.sha256, expense_id: row.expense_id, uploaded: row.uploaded,
        size: row.bytes.byteLength, pruned: row.pruned ?? 0, refused: row.refused ?? null })));
    };
    req.onerror = () => fail(req.error);
  };
})"""


def photo(width: int, height: int, *, noisy: bool, seed: int = 1) -> bytes:
    """A JPEG: `noisy` ones stay large after the phone's downscaling, plain ones are a few KB."""
    from PIL import Image

    if noisy:
        rng = random.Random(seed)
        image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), ((seed * 47) % 256, 230, 210))  # distinct after re-encoding
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def blobs_by_expense(page: Any) -> dict[str, dict[str, Any]]:
    return {row["expense_id"]: row for row in page.evaluate(BLOB_STATES)}


def expense_ids_by_description(page: Any) -> dict[str, str]:
    records = page.evaluate("""() => new Promise((done) => {
      const open = indexedDB.open("lotsenbuch");
      open.onsuccess = () => {
        const req = open.result.transaction("records").objectStore("records").getAll();
        req.onsuccess = () => { open.result.close(); done(req.result); };
      };
    })""")
    return {r["data"]["description"]: r["id"] for r in records if r["type"] == "expense"}


@pytest.fixture
def small_blob_limit(live_server: Any) -> Iterator[int]:
    """The server takes receipts of at most 100 KB while the test runs (a noisy photo is larger)."""
    before = live_server.app.config["BLOB_MAX_BYTES"]
    live_server.app.config["BLOB_MAX_BYTES"] = 100_000
    yield 100_000
    live_server.app.config["BLOB_MAX_BYTES"] = before


def test_refused_receipt_is_explained_and_does_not_block_later_uploads(
        phone, live_server, small_blob_limit: int, artifacts: Path) -> None:
    code, _guide_id, _org_id = enrolled_guide(live_server, f"refused-{uuid.uuid4().hex[:8]}", "Amira Haddad")
    context = phone("de-DE")
    page = enrol(context, code, "Amira Haddad")
    page.get_by_text("Alles synchronisiert").wait_for()
    puts: list[str] = []
    context.on("request", lambda r: puts.append(r.url.rsplit("/", 1)[1]) if r.method == "PUT" else None)

    # Offline: one photo too large for the server, one small one.
    context.set_offline(True)
    open_expenses(page)
    add_expense(page, "material", amount="9,90", description="Kopien", photo=photo(2400, 1600, noisy=True))
    add_expense(page, "phone", amount="5", description="Guthaben", photo=photo(400, 300, noisy=False))
    ids = expense_ids_by_description(page)
    blobs = blobs_by_expense(page)
    too_large, small = blobs[ids["Kopien"]], blobs[ids["Guthaben"]]
    assert too_large["size"] > small_blob_limit > small["size"]

    # Online: the large photo is refused (413) and marked; the small one is uploaded all the same.
    context.set_offline(False)
    wait_for_states(page, {"Material · 9,90 €": "Offen", "Telefonkosten · 5,00 €": "Offen"})
    refused = page.get_by_test_id("expense").filter(has_text="Kopien").get_by_test_id("receipt-refused")
    refused.wait_for(timeout=20_000)
    page.get_by_test_id("receipt-pending").wait_for(state="detached", timeout=20_000)
    blobs = blobs_by_expense(page)
    assert blobs[ids["Kopien"]]["refused"]["status"] == 413 and blobs[ids["Kopien"]]["uploaded"] == 0
    assert blobs[ids["Guthaben"]]["uploaded"] == 1 and blobs[ids["Guthaben"]]["refused"] is None
    assert puts.count(too_large["sha256"]) == 1

    # Later syncs never send the refused file again, and a new photo still goes through.
    add_expense(page, "other", amount="2", description="Briefmarken", photo=photo(300, 300, noisy=False, seed=9))
    page.get_by_test_id("receipt-pending").wait_for(state="detached", timeout=20_000)
    sync_now(page)
    stamps = blobs_by_expense(page)[expense_ids_by_description(page)["Briefmarken"]]
    assert stamps["uploaded"] == 1
    assert puts.count(too_large["sha256"]) == 1 and puts.count(stamps["sha256"]) == 1
    open_expenses(page)
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "expenses-receipt-refused-360x640.png"), full_page=True)

    # The form marks the photo and tells the guide what to do; removing it and saving clears it.
    page.get_by_test_id("expense").filter(has_text="Kopien").click()
    page.get_by_test_id("receipt-refused-help").wait_for()
    assert page.locator('[data-testid="receipt-thumb"][data-refused="1"]').count() == 1
    page.screenshot(path=str(artifacts / "expense-form-receipt-refused-360x640.png"), full_page=True)
    page.get_by_role("button", name="Beleg 1 entfernen").click()
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Auf diesem Handy gespeichert.").wait_for()
    page.get_by_test_id("receipt-refused").wait_for(state="detached")
    assert ids["Kopien"] not in blobs_by_expense(page)


def test_transient_upload_failure_is_retried(phone, live_server) -> None:
    code, _guide_id, _org_id = enrolled_guide(live_server, f"retry-{uuid.uuid4().hex[:8]}", "Olena Koval")
    context = phone("de-DE")
    page = enrol(context, code, "Olena Koval")
    page.get_by_text("Alles synchronisiert").wait_for()
    answered: list[int] = []

    def flaky(route: Any) -> None:  # the first upload meets an overloaded server, the next ones go through
        if not answered:
            answered.append(503)
            route.fulfill(status=503, content_type="application/json",
                          body='{"error": {"code": "unavailable", "message": "busy"}}')
        else:
            answered.append(0)
            route.continue_()

    context.route("**/api/v1/blobs/*", flaky)
    open_expenses(page)
    add_expense(page, "material", amount="3", description="Stifte", photo=photo(400, 300, noisy=False, seed=3))
    page.get_by_test_id("receipt-pending").wait_for(state="detached", timeout=30_000)
    # The pending mark may leave the screen for a moment while the retry waits; the stored state decides.
    deadline = time.monotonic() + 30
    while (blob := page.evaluate(BLOB_STATES)[0])["uploaded"] != 1 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert blob["uploaded"] == 1 and blob["refused"] is None
    assert answered[0] == 503 and len(answered) >= 2


def test_paid_expense_prunes_its_photo_and_every_state_shows(phone, live_server, artifacts: Path) -> None:
    from sqlalchemy import select

    from server.expenses.models import Expense
    from server.expenses.operations import set_expense_state
    from server.extensions import db
    from sync.merge import Author

    code, guide_id, org_id = enrolled_guide(live_server, f"paid-{uuid.uuid4().hex[:8]}", "Samir Aziz")
    context = phone("de-DE")
    page = enrol(context, code, "Samir Aziz")
    page.get_by_text("Alles synchronisiert").wait_for()
    open_expenses(page)
    add_expense(page, "material", amount="12,50", description="Ordner", photo=photo(400, 300, noisy=False, seed=4))
    add_expense(page, "phone", amount="5", description="Guthaben", photo=photo(400, 300, noisy=False, seed=5))
    add_expense(page, "public_transport", amount="3,20", description="Fahrkarte")
    page.wait_for_function("() => !document.querySelector('[data-testid=receipt-pending]')", timeout=20_000)
    page.get_by_role("button", name=re.compile(r"^Abrechnung .* einreichen$")).click()
    page.get_by_role("button", name="Abrechnung einreichen", exact=True).click()
    titles = {"material": "Material · 12,50 €", "phone": "Telefonkosten · 5,00 €", "ticket": "ÖPNV · 3,20 €"}
    wait_for_states(page, {title: "Eingereicht" for title in titles.values()})
    ids = expense_ids_by_description(page)
    before = blobs_by_expense(page)
    assert all(before[ids[d]]["uploaded"] == 1 and before[ids[d]]["size"] > 0 for d in ("Ordner", "Guthaben"))

    with live_server.app.app_context():  # the office decides and pays
        author = Author(role="coordinator")
        set_expense_state(db.session, author, org_id, ids["Ordner"], "approved")
        set_expense_state(db.session, author, org_id, ids["Ordner"], "paid")
        set_expense_state(db.session, author, org_id, ids["Guthaben"], "rejected", "Bitte Einzelverbindungsnachweis")
        set_expense_state(db.session, author, org_id, ids["Fahrkarte"], "approved")
        db.session.commit()
        states = dict(db.session.execute(select(Expense.id, Expense.state).where(Expense.guide_id == guide_id)).all())
        db.session.remove()
    assert states == {ids["Ordner"]: "paid", ids["Guthaben"]: "rejected", ids["Fahrkarte"]: "approved"}

    sync_now(page)
    open_expenses(page)
    rows = page.get_by_test_id("expense")
    rows.filter(has_text="Ordner").and_(page.locator('[data-state="paid"]')).wait_for(timeout=20_000)
    assert rows.filter(has_text="Guthaben").get_attribute("data-state") == "rejected"
    assert rows.filter(has_text="Fahrkarte").get_attribute("data-state") == "approved"
    assert rows.filter(has_text="Guthaben").get_by_test_id("rejection-reason").inner_text().endswith(
        "Bitte Einzelverbindungsnachweis")

    # The paid expense's photo: acknowledged by the server, so its bytes left the phone; the rest stay.
    after = blobs_by_expense(page)
    paid, rejected = after[ids["Ordner"]], after[ids["Guthaben"]]
    assert (paid["pruned"], paid["size"], paid["uploaded"]) == (1, 0, 1)
    assert paid["sha256"] == before[ids["Ordner"]]["sha256"]
    assert (rejected["pruned"], rejected["size"]) == (0, before[ids["Guthaben"]]["size"])
    rows.filter(has_text="Ordner").click()
    thumb = page.get_by_test_id("receipt-thumb")
    thumb.locator(".thumb-remote").wait_for()
    assert thumb.locator("img").count() == 0
    page.get_by_role("button", name="Zurück").click()

    # History shows the same states, the reason included.
    page.get_by_role("navigation").get_by_role("button", name="Verlauf").click()
    history = page.locator('[data-testid="history-entry"][data-type="expense"]')
    history.first.wait_for()
    by_text = {("Ordner" if "12,50" in h else "Guthaben" if "5,00" in h else "Fahrkarte"): s
               for h, s in ((e.inner_text(), e.get_attribute("data-state")) for e in history.all())}
    assert by_text == {"Ordner": "paid", "Guthaben": "rejected", "Fahrkarte": "approved"}
    assert "Bitte Einzelverbindungsnachweis" in history.filter(has_text="5,00").inner_text()
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "history-paid-360x640.png"), full_page=True)
