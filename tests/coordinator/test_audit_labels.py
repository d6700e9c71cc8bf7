"""The audit log in words: every action the code records has a label; the page shows names, labels and
"Field: before → after" instead of keys; exports keep the machine keys in extra columns, with the CSV
conventions of the file's language."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from openpyxl import load_workbook

from server.audit import labels
from server.audit.log import record_event
from server.extensions import db
from sync.spec import MUTABLE_TYPES

ROOT = Path(__file__).resolve().parents[2]
# The functions that write an audit event, with the action as their first argument (after `org` in the
# admin pages' helper): record_event, request_common.audit, admin_views._audit.
RECORDING_CALL = re.compile(r"\b(?:record_event|audit|_audit)\(\s*(?:org,\s*)?(f?)\"([a-z_]+\.[a-z_{}]+)\"")


def recorded_actions() -> set[str]:
    found = set()
    for path in [*ROOT.joinpath("server").rglob("*.py"), *ROOT.joinpath("sync").rglob("*.py")]:
        for is_f, action in RECORDING_CALL.findall(path.read_text(encoding="utf-8")):
            if is_f:  # money.expense_{decision}: every decision decide_expense accepts
                assert action == "money.expense_{decision}", (path, action)
                found |= {f"money.expense_{d}" for d in ("approved", "rejected", "submitted")}
            else:
                found.add(action)
    return found


def test_every_recorded_action_has_a_label():
    actions = recorded_actions()
    assert len(actions) > 50 and "money.payout_paid" in actions and "organization.created" in actions
    assert sorted(actions - set(labels.ACTION_LABELS)) == []


def test_sync_actions_are_labelled_by_record_type_and_op(app):
    from flask_babel import force_locale

    with force_locale("en"):  # the record type's English name is in the English label
        for record_type in MUTABLE_TYPES:
            for op in ("upsert", "delete"):
                text = labels.action_label(f"sync.{record_type}.{op}")
                assert text != f"sync.{record_type}.{op}" and record_type.replace("_", " ") in text


def test_details_in_words(app):
    from flask_babel import force_locale

    with force_locale("en"):
        assert labels.describe({"amount_cents": {"before": 1200, "after": 1500}}) == ["Amount: 12.00 € → 15.00 €"]
        assert labels.describe({"before": {"retention_months": 36}, "after": {"retention_months": 48}}) == [
            "Anonymise after (months): 36 → 48"]
        assert labels.describe({"old": "open", "new": "matched"}) == ["Status: open → matched"]
        assert labels.describe({"fields": ["planned_minutes", "title"]}) == ["Fields: Planned minutes, Title"]
        assert labels.describe({"paid_on": "2026-11-04", "total_cents": 101540}) == [
            "Paid on: Nov 4, 2026", "Total: 1,015.40 €"]
        assert labels.describe({"changes": {"name": {"before": "VHS", "after": "VHS Hannover"}}}) == [
            "Name: VHS → VHS Hannover"]
        assert labels.describe({"guide_id": None, "action": ""}) == []  # a filter not used says nothing
        assert labels.describe({"guide_id": 7, "legal_basis": "ehrenamt_26a", "limit_state": "near"},
                               {7: "Ayşe Demir"}) == [
            "Guide: Ayşe Demir", "Legal basis: Ehrenamtspauschale (§ 3 Nr. 26a EStG)",
            "Tax-free limit: close to the tax-free limit"]
    with force_locale("de"):
        assert labels.describe({"amount_cents": {"before": 1200, "after": 1500}})[0].endswith("12,00 € → 15,00 €")


def _seed(world):
    paid = record_event("money.payout_paid", world.org_a.id, actor_user_id=world.coord_a.id, object_type="payout",
                        object_id=7, details={"total_cents": 101540, "paid_on": "2026-11-04", "claims": 2})
    paid.at = dt.datetime(2026, 11, 9, 9, tzinfo=dt.UTC)
    changed = record_event("organization.settings_changed", world.org_a.id, actor_user_id=world.admin.id,
                           object_type="organization", object_id=world.org_a.id,
                           details={"changes": {"retention_months": {"before": 36, "after": 48}}})
    changed.at = dt.datetime(2026, 11, 9, 10, tzinfo=dt.UTC)
    system = record_event("privacy.retention_applied", world.org_a.id, details={"count": 3, "via": "cli"})
    system.at = dt.datetime(2026, 11, 9, 11, tzinfo=dt.UTC)
    line = record_event("money.allowance_approved", world.org_a.id, actor_user_id=world.coord_a.id,
                        object_type="allowance_line", object_id=3,
                        details={"guide_id": world.guide_a.id, "legal_basis": "ehrenamt_26a", "amount_cents": 4350})
    line.at = dt.datetime(2026, 11, 8, 11, tzinfo=dt.UTC)
    db.session.commit()


def test_the_page_reads_as_words_not_keys(signed_in, world):
    _seed(world)
    world.coord_a.locale = "en"
    db.session.commit()
    html = signed_in(world.coord_a).get("/coordinator/audit").get_data(as_text=True)
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "Payout marked paid" in body and "Total: 1,015.40 €" in body and "Paid on: Nov 4, 2026" in body
    assert "Organization settings changed" in body and "Anonymise after (months): 36 → 48" in body
    assert "Retention periods applied" in body and ">System<" in body and world.coord_a.name in body
    assert "Guide: Ayşe Guide-A" in body and "Legal basis: Ehrenamtspauschale (§ 3 Nr. 26a EStG)" in body
    assert "Allowance 3" in body and "Amount: 43.50 €" in body
    for raw in ("money.payout_paid</td>", "actor_id", "None", "total_cents", "retention_months:", "{"):
        assert raw not in body, raw
    # The action filter offers the labels, keeping the keys as values.
    assert '<option value="money.payout_paid" >Payout marked paid</option>' in html


def test_csv_keeps_machine_keys_and_follows_the_language(signed_in, world):
    _seed(world)
    browser = signed_in(world.coord_a)
    german = browser.get("/coordinator/audit.csv?action=money.payout_paid")
    assert german.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = german.get_data(as_text=True)
    assert text.startswith("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))
    assert row["action"] == "money.payout_paid" and row["actor_id"] == str(world.coord_a.id)
    assert row["actor_email"] == world.coord_a.email and row["object_type"] == "payout" and row["object_id"] == "7"
    assert '"total_cents": 101540' in row["details"]
    assert world.coord_a.name in row.values() and "1.015,40 €" in " ".join(row.values())

    world.coord_a.locale = "en"
    db.session.commit()
    english = browser.get("/coordinator/audit.csv?action=privacy").get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(english[1:])))
    assert (row["Who"], row["Action"], row["Details"]) == ("System", "Retention periods applied",
                                                          "Number: 3\nVia: cli")
    assert row["When"] == "2026-11-09T12:00" and row["actor_id"] == ""


def test_xlsx_export_with_the_filters(signed_in, world):
    _seed(world)
    world.coord_a.locale = "en"
    db.session.commit()
    response = signed_in(world.coord_a).get("/coordinator/audit.xlsx?action=organization")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    header, *rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert header[:5] == ("When", "Who", "Action", "Object", "Details") and "action" in header
    assert [r[header.index("action")] for r in rows] == ["organization.settings_changed"]
    assert rows[0][0] == dt.datetime(2026, 11, 9, 11, 0) and rows[0][1] == "Ada Admin"


ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
                  "Mobile Safari/537.36")
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_my_account_names_browsers_in_words(app, world):
    from tests.coordinator.conftest import sign_in

    world.coord_a.locale = "en"
    db.session.commit()
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = ANDROID_CHROME
    assert sign_in(phone, world.coord_a.email).status_code == 302
    laptop = app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = WINDOWS_FIREFOX
    assert sign_in(laptop, world.coord_a.email).status_code == 302
    script = app.test_client()
    script.environ_base["HTTP_USER_AGENT"] = "<script>alert(1)</script>"
    assert sign_in(script, world.coord_a.email).status_code == 302
    html = laptop.get("/coordinator/account").get_data(as_text=True)
    cells = re.findall(r'<td data-user-agent="[^"]*">([^<]+)', html)
    assert sorted(c.strip() for c in cells) == ["Chrome on Android", "Firefox on Windows", "Unknown browser"]
    assert "AppleWebKit" not in html.split("<tbody>")[1].split("data-user-agent")[0]
    assert "<script>" not in html
