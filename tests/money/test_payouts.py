"""Payouts: SEPA XML against the pain.001 XSD, XLSX figures, paid state to the phone, one payout per claim,
cancellation, and the organization boundary."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema
from openpyxl import load_workbook
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.expenses.models import Claim, Expense
from server.extensions import db
from server.money.allowances import approve_allowance_line, compute_allowance_lines
from server.money.errors import MoneyError
from server.money.limits import guide_limit_status
from server.money.models import AllowanceLine, Payout
from server.money.operations import (
    cancel_payout,
    create_payout,
    export_payout,
    mark_payout_paid,
    payable_claims,
    payout_items,
    remove_from_payout,
)
from server.money.payout_files import PAIN_SCHEMA, payout_xlsx, sepa_xml
from server.money.rates import set_allowance_rate
from tests.money.conftest import ORG_IBAN, approve_all

SCHEMA = Path(__file__).parent / "schemas" / f"{PAIN_SCHEMA}.xsd"
NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{PAIN_SCHEMA}"}
EXECUTION = dt.date(2026, 11, 30)


@pytest.fixture
def decided_claims(org, guide, make_guide, make_claim, coordinator_author):
    """Two guides' decided claims: 12,00 + 3,40 € and 0,01 + 999,99 € (one item rejected)."""
    second = make_guide(org, "Oleksandr Kovalenko")
    one = make_claim(guide, org, "2026-10", [1200, 340])
    two = make_claim(second, org, "2026-10", [1, 99999, 777])
    from server.money.operations import claim_expenses, decide_expense

    decide_expense(coordinator_author, org.id, claim_expenses(two)[2].id, "rejected", "doppelt")
    approve_all(coordinator_author, org, one)
    approve_all(coordinator_author, org, two)
    return one, two


def _export(author, org, claims, lines=()):
    payout = create_payout(author, org.id, [c.id for c in claims], [line.id for line in lines])
    export_payout(author, org.id, payout.id, EXECUTION)
    db.session.commit()
    return payout


def test_sepa_xml_is_valid_pain001_and_its_sums_agree(org, decided_claims, coordinator_author):
    payout = _export(coordinator_author, org, decided_claims)
    assert payout.total_cents == 1200 + 340 + 1 + 99999
    xml = sepa_xml(payout)
    xmlschema.XMLSchema(str(SCHEMA)).validate(xml.decode())
    root = ElementTree.fromstring(xml)
    header_sum = Decimal(root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", NS).text)
    amounts = [Decimal(e.text) for e in root.iterfind(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)]
    assert header_sum == sum(amounts) == Decimal(payout.total_cents) / 100
    assert sorted(amounts) == [Decimal("15.40"), Decimal("1000.00")]
    assert root.find(".//p:NbOfTxs", NS).text == "2"
    assert root.find(".//p:DbtrAcct/p:Id/p:IBAN", NS).text == ORG_IBAN
    assert root.find(".//p:GrpHdr/p:MsgId", NS).text == payout.message_id
    assert root.find(".//p:ReqdExctnDt/p:Dt", NS).text == "2026-11-30"
    creditors = {e.find("p:Cdtr/p:Nm", NS).text for e in root.iterfind(".//p:CdtTrfTxInf", NS)}
    assert creditors == {"Ayse Demir", "Oleksandr Kovalenko"}  # transliterated to the SEPA character set


def test_xlsx_for_the_finance_office_has_the_same_figures(org, decided_claims, coordinator_author):
    payout = _export(coordinator_author, org, decided_claims)
    sheet = load_workbook(io.BytesIO(payout_xlsx(payout))).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0]]
    header = next(i for i, r in enumerate(rows) if r[1] == "IBAN" or r[0] in ("Account holder", "Kontoinhaberin oder Kontoinhaber"))
    body, total = rows[header + 1:-1], rows[-1]
    assert {r[0]: round(Decimal(str(r[5])) * 100) for r in body} == {
        "Ayşe Demir": 1540, "Oleksandr Kovalenko": 100000}
    assert round(Decimal(str(total[5])) * 100) == payout.total_cents
    assert sum(round(Decimal(str(r[5])) * 100) for r in body) == payout.total_cents
    assert {r[1] for r in body} == {i.iban for i in payout_items(payout)}


def test_paid_payout_sets_expenses_and_claims_paid_and_the_phone_sees_it(
        make_device, guide, org, coordinator_author):
    phone = make_device(guide)
    expense = phone.upsert("expense", date="2026-10-05", category="public_transport", amount_cents=320,
                           description="GVH Tageskarte")
    phone.sync()
    claim_id = phone.upsert("claim", month="2026-10", state="submitted")
    phone.sync()
    approve_all(coordinator_author, org, db.session.get(Claim, claim_id))
    payout = _export(coordinator_author, org, [db.session.get(Claim, claim_id)])
    phone.sync()
    assert phone.record("expense", expense)["state"] == "approved"
    mark_payout_paid(coordinator_author, org.id, payout.id)
    db.session.commit()
    assert db.session.get(Expense, expense).state == "paid"
    assert db.session.get(Claim, claim_id).state == "paid"
    phone.sync()
    assert phone.record("expense", expense)["state"] == "paid"
    assert phone.record("claim", claim_id)["state"] == "paid"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "money.payout_paid")) is not None


def test_a_claim_is_in_at_most_one_payout(org, decided_claims, coordinator_author):
    one, two = decided_claims
    first = create_payout(coordinator_author, org.id, [one.id])
    db.session.commit()
    with pytest.raises(MoneyError) as err:
        create_payout(coordinator_author, org.id, [two.id, one.id])
    assert err.value.code == "claim_in_payout"
    db.session.rollback()
    assert db.session.get(Claim, two.id).payout_id is None
    assert [c.id for c in payable_claims(org.id)] == [two.id]
    assert db.session.get(Claim, one.id).payout_id == first.id


def test_an_exported_payout_cannot_change_only_be_cancelled(org, decided_claims, coordinator_author):
    one, two = decided_claims
    payout = _export(coordinator_author, org, decided_claims)
    with pytest.raises(MoneyError) as err:
        remove_from_payout(coordinator_author, org.id, payout.id, claim_id=one.id)
    assert err.value.code == "payout_frozen"
    with pytest.raises(MoneyError):
        export_payout(coordinator_author, org.id, payout.id, EXECUTION)
    from server.money.operations import claim_expenses, decide_expense

    with pytest.raises(MoneyError) as err:
        decide_expense(coordinator_author, org.id, claim_expenses(one)[0].id, "submitted")
    assert err.value.code == "in_payout"
    db.session.rollback()
    with pytest.raises(MoneyError):
        cancel_payout(coordinator_author, org.id, payout.id, "")
    with pytest.raises(MoneyError) as err:  # its file may be at the bank: only with the bank's word
        cancel_payout(coordinator_author, org.id, payout.id, "Falsches Ausführungsdatum")
    assert err.value.code == "bank_confirmation_required"
    cancel_payout(coordinator_author, org.id, payout.id, "Falsches Ausführungsdatum", bank_not_executed=True)
    db.session.commit()
    assert db.session.get(Payout, payout.id).state == "cancelled"
    assert {c.payout_id for c in (db.session.get(Claim, one.id), db.session.get(Claim, two.id))} == {None}
    assert set(db.session.scalars(select(Expense.state))) == {"approved", "rejected"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "money.payout_cancelled"))
    assert event.details["reason"] == "Falsches Ausführungsdatum"
    assert sorted(event.details["claim_ids"]) == sorted([one.id, two.id])
    # Free again: a new payout takes them.
    again = _export(coordinator_author, org, decided_claims)
    assert again.total_cents == payout.total_cents
    with pytest.raises(MoneyError):
        mark_payout_paid(coordinator_author, org.id, payout.id)
    mark_payout_paid(coordinator_author, org.id, again.id)
    with pytest.raises(MoneyError):
        cancel_payout(coordinator_author, org.id, again.id, "zu spät")


def test_a_draft_can_change(org, decided_claims, coordinator_author):
    one, two = decided_claims
    payout = create_payout(coordinator_author, org.id, [one.id, two.id])
    remove_from_payout(coordinator_author, org.id, payout.id, claim_id=two.id)
    db.session.commit()
    assert payout.total_cents == 1540 and [i.amount_cents for i in payout_items(payout)] == [1540]


def test_the_organization_boundary(org, decided_claims, make_org, make_guide, make_claim, coordinator_author):
    other = make_org("awo", "AWO")
    foreign = make_claim(make_guide(other), other, "2026-10", [5000])
    approve_all(coordinator_author, other, foreign)
    with pytest.raises(MoneyError) as err:
        create_payout(coordinator_author, org.id, [decided_claims[0].id, foreign.id])
    assert err.value.code == "not_found"
    db.session.rollback()
    assert foreign.id not in {c.id for c in payable_claims(org.id)}
    payout = _export(coordinator_author, org, decided_claims)
    with pytest.raises(MoneyError):
        mark_payout_paid(coordinator_author, other.id, payout.id)
    with pytest.raises(MoneyError):
        cancel_payout(coordinator_author, other.id, payout.id, "fremd")


def test_undecided_claim_and_missing_bank_details_refused(org, guide, make_guide, make_claim,
                                                          coordinator_author):
    undecided = make_claim(guide, org, "2026-10", [100])
    with pytest.raises(MoneyError) as err:
        create_payout(coordinator_author, org.id, [undecided.id])
    assert err.value.code == "claim_undecided"
    db.session.rollback()
    no_iban = make_guide(org, iban=None)
    claim = make_claim(no_iban, org, "2026-09", [100])
    approve_all(coordinator_author, org, claim)
    with pytest.raises(MoneyError) as err:
        create_payout(coordinator_author, org.id, [claim.id])
    assert err.value.code == "missing_bank_details" and err.value.details["guide_ids"] == [no_iban.id]


def test_allowances_paid_with_expenses_enter_the_ledger(org, guide, make_claim, make_activity, coordinator_author,
                                                        limits_2026):
    set_allowance_rate(coordinator_author, org.id, "hour", "ehrenamt_26a", dt.date(2026, 1, 1), 600)
    make_activity(guide, org, "2026-10-01", 120)
    claim = make_claim(guide, org, "2026-10", [250])
    approve_all(coordinator_author, org, claim)
    [line] = compute_allowance_lines(coordinator_author, org.id, "2026-10")
    approve_allowance_line(coordinator_author, org.id, line.id)
    payout = _export(coordinator_author, org, [claim], [line])
    [item] = payout_items(payout)
    assert (item.expense_cents, item.allowance_cents, item.amount_cents) == (250, 1200, 1450)
    assert "2026-10" in item.remittance
    mark_payout_paid(coordinator_author, org.id, payout.id, dt.date(2026, 12, 1))
    db.session.commit()
    assert db.session.get(AllowanceLine, line.id).state == "paid"
    status = guide_limit_status(guide.id, 2026, "ehrenamt_26a")
    assert (status.paid_cents, status.pending_cents) == (1200, 0)


def test_export_needs_the_organizations_account(make_org, make_guide, make_claim, coordinator_author):
    bare = make_org("ohne-konto", "Ohne Konto")
    claim = make_claim(make_guide(bare), bare, "2026-10", [100])
    approve_all(coordinator_author, bare, claim)
    payout = create_payout(coordinator_author, bare.id, [claim.id])
    with pytest.raises(MoneyError) as err:
        export_payout(coordinator_author, bare.id, payout.id, EXECUTION)
    assert err.value.code == "no_bank_account"
