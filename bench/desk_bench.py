"""Desk benchmark on PostgreSQL: every coordinator page at the size of a big organization.

Seeds one organization (bulk inserts, about a minute): 500 guides, a year of their activities
(500 × 11 months × 12 = 66,000), 4 expenses a guide and month (24,000) in one claim a guide and month
(6,000; the first 10 months decided and payable: 5,000), two agreements a guide (1,000). Then signs in
as the coordinator (a test client in the same process: no network in the figure) and prints, for each
desk page, the median server time of RUNS requests and the page's size.

Target (issue 19): every page ≤ 300 ms and ≤ 200 KB.

Usage: .venv/bin/python bench/desk_bench.py [--quick]   (--quick: 3 requests a page)
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database  # noqa: E402

QUICK = "--quick" in sys.argv
RUNS = 3 if QUICK else 7
GUIDES, YEAR, MONTHS = 500, 2026, 11
ACTIVITIES_PER_MONTH, EXPENSES_PER_MONTH, PAYABLE_MONTHS = 12, 4, 10
PASSWORD = "bench password 1"
TIME_LIMIT, SIZE_LIMIT = 0.300, 200 * 1000

KINDS = ("accompaniment", "meeting", "phone", "preparation", "travel")
DISTRICTS = ("mitte", "linden-limmer", "vahrenwald-list", "nord", "ricklingen", "buchholz-kleefeld")
CATEGORIES = ("mileage", "public_transport", "phone", "material")
LANGUAGES = ("tr", "ar", "fa", "ru", "uk", "pl", "ku", "ro", "ps")


def seed(url: str) -> tuple[object, dict[str, str]]:
    from sqlalchemy import insert, select, text

    from server import create_app
    from server.accounts.models import Membership, User
    from server.accounts.operations import create_organization, create_user
    from server.activities.models import Activity
    from server.assignments.models import Assignment
    from server.expenses.models import Claim, Expense
    from server.extensions import db
    from server.guides.models import GuideLanguage, GuideProfile
    from sync.db import new_uuid

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False})
    app.app_context().push()
    rng = random.Random(2026)
    org = create_organization("big", "Großer Lotsenverein e.V.")
    org.bank_account_holder, org.bank_iban = "Großer Lotsenverein e.V.", "DE02100100100006820101"
    create_user(org, "coord@big.example", "coordinator", "Koordination", PASSWORD)
    db.session.flush()
    now = dt.datetime(YEAR, 12, 1, 9, 0, tzinfo=dt.UTC)
    users = [{"email": f"guide{i}@big.example", "name": f"Lotsin {i:03d} Müller", "active": True,
              "created_at": now} for i in range(GUIDES)]
    guide_ids = list(db.session.scalars(insert(User).returning(User.id), users))
    db.session.execute(insert(Membership), [{"user_id": g, "organization_id": org.id, "role": "guide"}
                                            for g in guide_ids])
    profile_ids = list(db.session.scalars(insert(GuideProfile).returning(GuideProfile.id), [
        {"user_id": g, "organization_id": org.id, "specialisations": [rng.choice(("sport", "parents"))],
         "districts": [rng.choice(DISTRICTS)], "availability": "Mo–Fr nachmittags"} for g in guide_ids]))
    db.session.execute(insert(GuideLanguage), [{"profile_id": p, "language": rng.choice(LANGUAGES), "level": "C1"}
                                               for p in profile_ids])
    assignments = []
    for g in guide_ids:
        for ended in (False, True):
            assignments.append({
                "id": new_uuid(), "organization_id": org.id, "guide_id": g, "title": "Begleitung zur Behörde",
                "language": rng.choice(LANGUAGES), "starts_on": dt.date(YEAR - ended, 1, 1),
                "ends_on": dt.date(YEAR - ended, 12, 31), "state": "ended" if ended else "active"})
    db.session.execute(insert(Assignment), assignments)
    current = {a["guide_id"]: a["id"] for a in assignments if a["state"] == "active"}
    for month in range(1, MONTHS + 1):
        activities, claims, expenses = [], [], []
        for g in guide_ids:
            for _ in range(ACTIVITIES_PER_MONTH):
                activities.append({
                    "id": new_uuid(), "organization_id": org.id, "guide_id": g,
                    "date": dt.date(YEAR, month, rng.randint(1, 28)), "minutes": rng.choice((30, 45, 60, 90)),
                    "kind": rng.choice(KINDS), "district": rng.choice(DISTRICTS), "state": "approved",
                    "assignment_id": current[g], "needs_professional_help": rng.random() < 0.01})
            payable = month <= PAYABLE_MONTHS
            claim_id = new_uuid()
            claims.append({"id": claim_id, "organization_id": org.id, "guide_id": g, "month": f"{YEAR}-{month:02d}",
                           "state": "decided" if payable else "submitted"})
            for _ in range(EXPENSES_PER_MONTH):
                expenses.append({
                    "id": new_uuid(), "organization_id": org.id, "guide_id": g,
                    "date": dt.date(YEAR, month, rng.randint(1, 28)), "category": rng.choice(CATEGORIES),
                    "amount_cents": rng.randint(150, 4500), "claim_id": claim_id,
                    "state": "approved" if payable else "submitted"})
        db.session.execute(insert(Activity), activities)
        db.session.execute(insert(Claim), claims)
        db.session.execute(insert(Expense), expenses)
    db.session.commit()
    # The statistics a live database has (autovacuum's ANALYZE): without them PostgreSQL plans the fresh
    # tables as empty, and a page takes seconds.
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    guide = guide_ids[GUIDES // 2]
    ids = {"guide": str(guide), "claim": db.session.scalar(select(Claim.id).where(Claim.guide_id == guide)
                                                           .order_by(Claim.month)),
           "activity": db.session.scalar(select(Activity.id).where(Activity.guide_id == guide)),
           "assignment": current[guide]}
    db.session.remove()
    return app, ids


def pages(ids: dict[str, str]) -> list[str]:
    return [
        "/coordinator/", "/coordinator/search?q=M%C3%BCller", "/coordinator/account", "/coordinator/audit",
        "/coordinator/guides", "/coordinator/guides?page=5", f"/coordinator/guides/{ids['guide']}",
        f"/coordinator/guides/{ids['guide']}/privacy", "/coordinator/guides/import", "/coordinator/certificates",
        "/coordinator/privacy", "/coordinator/partners", "/coordinator/requests", "/coordinator/requests/new",
        "/coordinator/assignments", "/coordinator/assignments?page=10", f"/coordinator/assignments/{ids['assignment']}",
        "/coordinator/review", f"/coordinator/review/{ids['activity']}", "/coordinator/conflicts",
        "/coordinator/plenum", "/coordinator/messages", "/coordinator/claims", f"/coordinator/claims/{ids['claim']}",
        "/coordinator/payouts", "/coordinator/payouts/new", "/coordinator/payouts/new?month=2026-03",
        f"/coordinator/payouts/new?guide={ids['guide']}", "/coordinator/payouts/new?page=20",
        "/coordinator/rates", "/coordinator/privacy/restricted", "/coordinator/reports", "/coordinator/public",
    ]


def main() -> None:
    with fresh_database("lotsenbuch_desk_bench") as url:
        started = time.perf_counter()
        app, ids = seed(url)
        print(f"seeded {GUIDES} guides, {GUIDES * MONTHS * ACTIVITIES_PER_MONTH:,} activities, "
              f"{GUIDES * MONTHS * EXPENSES_PER_MONTH:,} expenses, {GUIDES * MONTHS:,} claims "
              f"({GUIDES * PAYABLE_MONTHS:,} payable), {GUIDES * 2:,} agreements in "
              f"{time.perf_counter() - started:.0f} s")
        client = app.test_client()  # type: ignore[attr-defined]
        response = client.post("/coordinator/login", data={"email": "coord@big.example", "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        print(f"{'page':<62} {'median':>9} {'size':>9}")
        over = 0
        for path in pages(ids):
            times, size, status = [], 0, 0
            for _ in range(RUNS):
                start = time.perf_counter()
                response = client.get(path)
                body = response.get_data()
                times.append(time.perf_counter() - start)
                size, status = len(body), response.status_code
            median = statistics.median(times)
            flag = " " if status == 200 and median <= TIME_LIMIT and size <= SIZE_LIMIT else "!"
            over += flag == "!"
            print(f"{path:<62} {median * 1000:>6.0f} ms {size / 1000:>6.0f} KB {flag}"
                  + ("" if status == 200 else f" HTTP {status}"))
        print(f"{over} page(s) over {TIME_LIMIT * 1000:.0f} ms or {SIZE_LIMIT / 1000:.0f} KB (or not 200)")


if __name__ == "__main__":
    main()
