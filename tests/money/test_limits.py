"""Tax-free limits: the warning state exact to the cent, the per-year ledger, limits as settings."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from server.extensions import db
from server.money.limits import guide_limit_status, limit_state, set_tax_free_limit, year_statement
from server.money.models import AllowanceLine, TaxFreeLimit

LIMIT = 84000  # 840,00 €


@pytest.mark.parametrize(("total", "state"), [
    (0, "ok"), (75599, "ok"), (75600, "near"),  # near from 90 % on
    (LIMIT - 1, "near"), (LIMIT, "at"), (LIMIT + 1, "over"),
])
def test_limit_state_at_the_edge(total, state):
    assert limit_state(total, LIMIT) == state


def test_no_limit_configured_is_unknown_not_ok():
    assert limit_state(10, None) == "unknown"


def _paid_line(org, guide, month, cents, paid_on, basis="ehrenamt_26a"):
    line = AllowanceLine(organization_id=org.id, guide_id=guide.id, month=month, legal_basis=basis,
                         amount_cents=cents, state="paid", paid_on=paid_on)
    db.session.add(line)
    db.session.commit()
    return line


@pytest.mark.parametrize(("paid", "state"), [(LIMIT - 1, "near"), (LIMIT, "at"), (LIMIT + 1, "over")])
def test_ledger_of_paid_allowances_at_the_edge(org, guide, limits_2026, paid, state):
    _paid_line(org, guide, "2026-03", paid - 100, dt.date(2026, 4, 2))
    _paid_line(org, guide, "2026-04", 100, dt.date(2026, 5, 4))
    status = guide_limit_status(guide.id, 2026, "ehrenamt_26a")
    assert (status.paid_cents, status.limit_cents, status.state) == (paid, LIMIT, state)
    assert status.remaining_cents == max(LIMIT - paid, 0)


def test_warning_before_a_payment_counts_the_line_to_come(org, guide, limits_2026):
    _paid_line(org, guide, "2026-01", LIMIT - 500, dt.date(2026, 2, 3))
    assert guide_limit_status(guide.id, 2026, "ehrenamt_26a", extra_cents=499).state == "near"
    assert guide_limit_status(guide.id, 2026, "ehrenamt_26a", extra_cents=500).state == "at"
    assert guide_limit_status(guide.id, 2026, "ehrenamt_26a", extra_cents=501).state == "over"


def test_ledger_counts_the_year_of_payment_and_one_legal_basis_only(org, guide, limits_2026):
    _paid_line(org, guide, "2025-12", 50000, dt.date(2026, 1, 10))  # paid in January: counts in 2026
    _paid_line(org, guide, "2025-11", 70000, dt.date(2025, 12, 5))
    _paid_line(org, guide, "2026-02", 90000, dt.date(2026, 3, 1), basis="uebungsleiter_26")
    statement = {s.legal_basis: s for s in year_statement(guide.id, 2026)}
    assert statement["ehrenamt_26a"].paid_cents == 50000
    assert statement["uebungsleiter_26"].paid_cents == 90000
    assert statement["uebungsleiter_26"].state == "ok"
    assert year_statement(guide.id, 2025)[0].paid_cents == 70000


def test_limits_are_settings_per_year(org, guide, limits_2026, coordinator):
    from sync.merge import Author

    assert guide_limit_status(guide.id, 2027, "ehrenamt_26a").state == "unknown"
    set_tax_free_limit(Author(role="admin", user_id=coordinator.id), 2027, "ehrenamt_26a", 96000)
    db.session.commit()
    _paid_line(org, guide, "2027-01", 86399, dt.date(2027, 2, 1))
    assert guide_limit_status(guide.id, 2027, "ehrenamt_26a").state == "ok"  # under 90 % of 960 €
    _paid_line(org, guide, "2027-02", 1, dt.date(2027, 3, 1))
    assert guide_limit_status(guide.id, 2027, "ehrenamt_26a").state == "near"


def test_migration_seeds_the_2026_amounts(app, backend):
    if backend != "sqlite":
        return  # PostgreSQL tests start from emptied tables; the SQLite copy is the freshly migrated database
    rows = dict(db.session.execute(select(TaxFreeLimit.legal_basis, TaxFreeLimit.amount_cents)
                                   .where(TaxFreeLimit.year == 2026)).all())
    assert rows == {"ehrenamt_26a": 84000, "uebungsleiter_26": 300000}


def test_year_end_statement_pdf(org, guide, limits_2026):
    from flask_babel import force_locale

    from server.money.statements import year_statement_pdf
    from tests.money.conftest import pdf_text

    _paid_line(org, guide, "2026-03", 84001, dt.date(2026, 4, 2))
    with force_locale("de"):
        text = pdf_text(year_statement_pdf(org.id, guide.id, 2026))
    assert "Ayşe Demir" in text and "840,01 €" in text and "840,00 €" in text and "3.000,00 €" in text
    assert "überschritten" in text
