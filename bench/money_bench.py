"""Money benchmark on PostgreSQL: a year of demo-sized data for 50 guides.

Prints (median of RUNS, each run on the same data):
  yearly funder report: statistics + XLSX + PDF
  payout of 500 claims: reserve + export + SEPA pain.001 (validated against the XSD) + XLSX; rolled back

Data: 50 guides × 12 months × 12 approved activities (7,200) and 4 expenses per month (2,400), one claim
per guide and month (600), of which 500 decided and payable.

Usage: .venv/bin/python bench/money_bench.py [--quick]   (--quick: 2 runs)
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fmt, fresh_database, median_of, timed  # noqa: E402

QUICK = "--quick" in sys.argv
RUNS = 2 if QUICK else 5
GUIDES, YEAR = 50, 2026
ACTIVITIES_PER_MONTH, EXPENSES_PER_MONTH = 12, 4
PAYABLE_MONTHS = 10  # 50 guides × 10 months = 500 claims in the payout

KINDS = ("accompaniment", "meeting", "phone", "preparation", "travel", "plenum")
DISTRICTS = ("mitte", "linden-limmer", "vahrenwald-list", "nord", "ricklingen", "buchholz-kleefeld")
CATEGORIES = ("mileage", "public_transport", "phone", "material")


def seed(url: str) -> tuple[object, int, list[str]]:
    from schwifty import IBAN
    from sqlalchemy import select

    from server import create_app
    from server.accounts.operations import create_organization, create_user
    from server.activities.models import Activity
    from server.assignments.models import Assignment
    from server.expenses.models import Claim, Expense
    from server.extensions import db
    from server.guides.models import GuideProfile
    from sync.db import new_uuid

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    ctx = app.app_context()
    ctx.push()
    rng = random.Random(2026)
    org = create_organization("bench", "Bench e.V. Hannover")
    org.bank_account_holder, org.bank_iban = "Bench e.V.", "DE02100100100006820101"
    coordinator = create_user(org, "coord@bench.example", "coordinator", "Koordination", "bench password 1")
    guides = [create_user(org, f"guide{i}@bench.example", "guide", f"Lotsin {i} Müller") for i in range(GUIDES)]
    db.session.flush()
    for i, guide in enumerate(guides):
        profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
        profile.iban = str(IBAN.generate("DE", bank_code="37040044", account_code=str(532013000 + i)).compact)
        profile.account_holder = guide.name
    assignments = {g.id: Assignment(id=new_uuid(), organization_id=org.id, guide_id=g.id, title="Begleitung",
                                    language=rng.choice(("tr", "ar", "fa", "ru", "uk", "pl")),
                                    starts_on=dt.date(YEAR, 1, 1), state="active") for g in guides}
    db.session.add_all(assignments.values())
    db.session.flush()
    payable: list[str] = []
    for month in range(1, 13):
        for guide in guides:
            for _ in range(ACTIVITIES_PER_MONTH):
                db.session.add(Activity(
                    id=new_uuid(), organization_id=org.id, guide_id=guide.id,
                    date=dt.date(YEAR, month, rng.randint(1, 28)), minutes=rng.choice((30, 45, 60, 90, 120)),
                    kind=rng.choice(KINDS), district=rng.choice(DISTRICTS), state="approved",
                    assignment_id=assignments[guide.id].id, needs_professional_help=rng.random() < 0.03))
            claim = Claim(id=new_uuid(), organization_id=org.id, guide_id=guide.id, month=f"{YEAR}-{month:02d}",
                          state="decided" if month <= PAYABLE_MONTHS else "submitted")
            db.session.add(claim)
            db.session.flush()
            for _ in range(EXPENSES_PER_MONTH):
                db.session.add(Expense(
                    id=new_uuid(), organization_id=org.id, guide_id=guide.id,
                    date=dt.date(YEAR, month, rng.randint(1, 28)), category=rng.choice(CATEGORIES),
                    amount_cents=rng.randint(150, 4500), claim_id=claim.id,
                    state="approved" if month <= PAYABLE_MONTHS else "submitted"))
            if month <= PAYABLE_MONTHS:
                payable.append(claim.id)
        db.session.commit()
    return app, coordinator.id, payable


def main() -> None:
    with fresh_database("lotsenbuch_money_bench") as url:
        _app, coordinator_id, payable = seed(url)
        from flask_babel import force_locale

        from server.extensions import db
        from server.money.operations import create_payout, export_payout, payout_items
        from server.money.payout_files import payout_xlsx, sepa_xml
        from server.money.report_files import report_pdf, report_xlsx
        from server.money.reports import build_report
        from server.organizations.models import Organization
        from sync.merge import Author

        org_id = db.session.query(Organization.id).scalar()
        author = Author(role="coordinator", user_id=coordinator_id)
        sizes: dict[str, int] = {}

        def report() -> None:
            with force_locale("de"):
                built = build_report(org_id, "year", YEAR)
                sizes["xlsx"], sizes["pdf"] = len(report_xlsx(built)), len(report_pdf(built))

        def payout() -> None:
            with force_locale("de"):
                made = create_payout(author, org_id, payable)
                export_payout(author, org_id, made.id, dt.date(YEAR, 12, 1))
                sizes["xml"], sizes["payout_xlsx"] = len(sepa_xml(made)), len(payout_xlsx(made))
                sizes["transfers"], sizes["total_cents"] = len(payout_items(made)), made.total_cents
            db.session.rollback()

        report_median, report_runs = median_of(RUNS, lambda: timed(report))
        payout_median, payout_runs = median_of(RUNS, lambda: timed(payout))
        print(f"yearly report (statistics + XLSX + PDF), {GUIDES} guides, "
              f"{GUIDES * 12 * ACTIVITIES_PER_MONTH:,} activities: {fmt(report_median)}  "
              f"runs: {', '.join(f'{r:.2f}' for r in report_runs)} s  "
              f"(XLSX {sizes['xlsx'] / 1024:.0f} KB, PDF {sizes['pdf'] / 1024:.0f} KB)")
        print(f"payout of {len(payable)} claims ({sizes['transfers']} transfers, "
              f"{sizes['total_cents'] / 100:,.2f} EUR; reserve + export + pain.001 validated + XLSX): "
              f"{fmt(payout_median)}  runs: {', '.join(f'{r:.2f}' for r in payout_runs)} s  "
              f"(XML {sizes['xml'] / 1024:.0f} KB)")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
