"""A pull page costs what it returns, not what the tables hold (PostgreSQL, with statistics).

Joined as a plain LEFT JOIN, the planner hashed the whole activities table for every page of 1,000
once it had statistics on 30,000 rows; the page query now joins plain records LATERAL, so each change
is one index look-up whatever the table size. The plan is checked on a table 30 times the page.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgres"], indirect=True)]


def _fill(org_id: int, guide_ids: list[int], per_guide: int) -> None:
    """Activities with their feed rows, straight in SQL (as the benchmark grows its tables)."""
    from server.extensions import db

    db.session.execute(text("""
        INSERT INTO activities (id, organization_id, guide_id, date, minutes, kind, note,
                                needs_professional_help, state, version, created_at, updated_at)
        SELECT gen_random_uuid()::text, :org, g, DATE '2026-01-01' + (n % 300), 30, 'meeting', 'plan', false,
               'logged', 1, now(), now()
        FROM unnest(CAST(:guides AS integer[])) AS g, generate_series(1, :n) AS n
    """), {"org": org_id, "guides": guide_ids, "n": per_guide})
    db.session.execute(text("""
        INSERT INTO sync_changes (organization_id, audience, record_type, record_id, seq, version, deleted)
        SELECT :org, guide_id::text, 'activity', id, row_number() OVER (ORDER BY guide_id, id), 1, false
        FROM activities WHERE organization_id = :org
    """), {"org": org_id})
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE activities"))
        conn.execute(text("ANALYZE sync_changes"))


def _plan(org_id: int, guide_id: int, after: int, limit: int) -> str:
    from server.extensions import db
    from sync.feed.queries import page_query

    compiled = page_query().compile(dialect=postgresql.dialect())
    params = dict(compiled.params, org=org_id, audience=str(guide_id), after=after, fetch=limit + 1)
    rows = db.session.connection().exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF) {compiled}", params)
    return "\n".join(rows.scalars())


def test_a_page_looks_records_up_by_index_however_big_the_table(app: Any, make_org: Any, make_user: Any) -> None:
    org = make_org("plan", "Plan e.V.")
    guides = [make_user(org, "guide", f"plan{i}@example.org", f"Guide {i}") for i in range(30)]
    _fill(org.id, [g.id for g in guides], 1_000)

    plan = _plan(org.id, guides[0].id, 0, 1_000)

    assert "Seq Scan on activities" not in plan, plan
    assert "Hash" not in plan, plan
    assert "Index Scan using" in plan and "on activities" in plan, plan
    assert "loops=1001" in plan, plan  # one look-up per change of the page (limit + 1)
