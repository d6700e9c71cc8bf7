"""Rates valid from a date (km and flat allowances) and the monthly allowance lines computed from them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.expenses.models import Expense
from server.extensions import db
from server.money.allowances import approve_allowance_line, compute_allowance_lines
from server.money.errors import MoneyError
from server.money.models import AllowanceLine
from server.money.rates import allowance_rates_on, km_rate, set_allowance_rate, set_km_rate


def test_km_rate_changing_mid_month_prices_each_expense_by_its_day(make_device, guide, org, coordinator_author):
    set_km_rate(coordinator_author, org.id, "car", dt.date(2026, 1, 1), 30)
    set_km_rate(coordinator_author, org.id, "car", dt.date(2026, 10, 15), 35)
    db.session.commit()
    assert km_rate(org.id, dt.date(2026, 10, 14)) == 30 and km_rate(org.id, dt.date(2026, 10, 15)) == 35
    phone = make_device(guide)
    before = phone.upsert("expense", date="2026-10-14", category="mileage", km=12, amount_cents=1)
    after = phone.upsert("expense", date="2026-10-15", category="mileage", km=12, amount_cents=1)
    phone.sync()
    assert phone.record("expense", before)["amount_cents"] == 12 * 30
    assert phone.record("expense", after)["amount_cents"] == 12 * 35
    # The phone learns the rates with the organization record.
    org_record = next(iter(phone.records("organization").values()))
    assert [r["cents_per_km"] for r in org_record["mileage_rates"]] == [30, 35]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert "money.km_rate_set" in actions


def test_unknown_travel_mode_and_bad_rate_refused(org, coordinator_author):
    with pytest.raises(MoneyError):
        set_km_rate(coordinator_author, org.id, "rocket", dt.date(2026, 1, 1), 30)
    with pytest.raises(MoneyError):
        set_km_rate(coordinator_author, org.id, "car", dt.date(2026, 1, 1), -1)


def test_an_activity_kind_is_never_under_both_legal_bases(org, coordinator_author):
    set_allowance_rate(coordinator_author, org.id, "hour", "ehrenamt_26a", dt.date(2026, 1, 1), 500,
                       ["accompaniment", "meeting"])
    # Training under § 3 Nr. 26 is fine: different kinds.
    set_allowance_rate(coordinator_author, org.id, "hour", "uebungsleiter_26", dt.date(2026, 1, 1), 1200,
                       ["training"])
    with pytest.raises(MoneyError) as err:
        set_allowance_rate(coordinator_author, org.id, "meeting", "uebungsleiter_26", dt.date(2026, 3, 1), 300,
                           ["meeting"])
    assert err.value.code == "legal_basis_conflict"
    with pytest.raises(MoneyError):  # empty list = every kind, overlapping everything
        set_allowance_rate(coordinator_author, org.id, "month", "uebungsleiter_26", dt.date(2026, 3, 1), 300)
    assert {(r.unit, r.legal_basis) for r in allowance_rates_on(org.id, dt.date(2026, 6, 1))} == {
        ("hour", "ehrenamt_26a"), ("hour", "uebungsleiter_26")}


def test_allowance_lines_from_approved_activities_with_a_rate_change_mid_month(
        org, guide, make_guide, make_activity, coordinator_author):
    other = make_guide(org)
    set_allowance_rate(coordinator_author, org.id, "hour", "ehrenamt_26a", dt.date(2026, 1, 1), 600,
                       ["accompaniment", "meeting", "phone"])
    set_allowance_rate(coordinator_author, org.id, "hour", "ehrenamt_26a", dt.date(2026, 10, 16), 700,
                       ["accompaniment", "meeting", "phone"])
    set_allowance_rate(coordinator_author, org.id, "month", "ehrenamt_26a", dt.date(2026, 1, 1), 1000,
                       ["accompaniment", "meeting", "phone"])
    set_allowance_rate(coordinator_author, org.id, "meeting", "uebungsleiter_26", dt.date(2026, 1, 1), 2500,
                       ["training"])
    make_activity(guide, org, "2026-10-15", 90)  # 1.5 h × 6,00 €
    make_activity(guide, org, "2026-10-16", 50)  # 50 min × 7,00 €/h = 5,83 €
    make_activity(guide, org, "2026-10-20", 70, kind="phone")  # 70 min × 7,00 €/h
    make_activity(guide, org, "2026-10-21", 120, kind="training")  # one meeting under § 3 Nr. 26
    make_activity(guide, org, "2026-10-22", 60, approved=False)  # not approved: not counted
    make_activity(guide, org, "2026-11-02", 60)  # another month
    make_activity(other, org, "2026-10-03", 30, kind="plenum")  # no rate covers the plenum
    db.session.commit()

    lines = compute_allowance_lines(coordinator_author, org.id, "2026-10")
    db.session.commit()
    by_basis = {(line.guide_id, line.legal_basis): line for line in lines}
    assert set(by_basis) == {(guide.id, "ehrenamt_26a"), (guide.id, "uebungsleiter_26")}
    ehrenamt = by_basis[(guide.id, "ehrenamt_26a")]
    # Rounded once per rate: 90 min at 600 = 900; (50 + 70) min at 700 = 1400; the month 1000.
    assert ehrenamt.amount_cents == 900 + 1400 + 1000
    assert (ehrenamt.minutes, ehrenamt.meetings) == (210, 3)
    assert sorted((b["unit"], b["cents"], b["quantity"]) for b in ehrenamt.breakdown) == [
        ("hour", 600, 90), ("hour", 700, 120), ("month", 1000, 1)]
    assert by_basis[(guide.id, "uebungsleiter_26")].amount_cents == 2500


def test_hour_rounding_is_half_up_once_per_rate(org, guide, make_activity, coordinator_author):
    set_allowance_rate(coordinator_author, org.id, "hour", "ehrenamt_26a", dt.date(2026, 1, 1), 700)
    make_activity(guide, org, "2026-10-01", 50)  # 583.33…
    make_activity(guide, org, "2026-10-02", 50)
    db.session.commit()
    [line] = compute_allowance_lines(coordinator_author, org.id, "2026-10")
    assert line.amount_cents == (700 * 100 + 30) // 60 == 1167


def test_approved_line_is_locked_against_recomputation(org, guide, make_activity, coordinator_author,
                                                       limits_2026):
    set_allowance_rate(coordinator_author, org.id, "hour", "ehrenamt_26a", dt.date(2026, 1, 1), 600)
    make_activity(guide, org, "2026-10-01", 60)
    db.session.commit()
    [line] = compute_allowance_lines(coordinator_author, org.id, "2026-10")
    status = approve_allowance_line(coordinator_author, org.id, line.id)
    db.session.commit()
    assert (status.pending_cents, status.state) == (600, "ok")
    make_activity(guide, org, "2026-10-02", 60)
    db.session.commit()
    compute_allowance_lines(coordinator_author, org.id, "2026-10")
    db.session.commit()
    assert db.session.scalar(select(AllowanceLine.amount_cents)) == 600
    with pytest.raises(MoneyError):
        approve_allowance_line(coordinator_author, org.id, line.id)


def test_approving_warns_when_the_line_takes_the_guide_over(org, guide, make_activity, coordinator_author,
                                                            limits_2026):
    set_allowance_rate(coordinator_author, org.id, "month", "ehrenamt_26a", dt.date(2026, 1, 1), 84001)
    make_activity(guide, org, "2026-10-01", 60)
    db.session.commit()
    [line] = compute_allowance_lines(coordinator_author, org.id, "2026-10")
    assert approve_allowance_line(coordinator_author, org.id, line.id).state == "over"


def test_reimbursed_expenses_never_count_as_allowance(org, guide, make_claim, limits_2026):
    make_claim(guide, org, "2026-10", [90000])
    assert db.session.scalar(select(Expense.amount_cents)) == 90000
    from server.money.limits import guide_limit_status

    assert guide_limit_status(guide.id, 2026, "ehrenamt_26a").total_cents == 0


def test_other_organizations_lines_untouched(org, guide, make_org, make_guide, make_activity, coordinator_author):
    other_org = make_org("awo", "AWO")
    stranger = make_guide(other_org)
    set_allowance_rate(coordinator_author, org.id, "hour", "ehrenamt_26a", dt.date(2026, 1, 1), 600)
    set_allowance_rate(coordinator_author, other_org.id, "hour", "ehrenamt_26a", dt.date(2026, 1, 1), 600)
    make_activity(stranger, other_org, "2026-10-01", 60)
    db.session.commit()
    assert compute_allowance_lines(coordinator_author, org.id, "2026-10") == []
