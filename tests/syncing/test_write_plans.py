"""Every statement a round trip runs keeps an index plan with real statistics (PostgreSQL).

On production PostgreSQL autovacuum's ANALYZE makes current statistics the normal case, and they are
always a little stale: a device that enrolled since (or an organization, a guide) is one the planner
has not seen and estimates at a row or so. With the stored results looked up as `mutation_id IN (…)`
such a device's thousands of results were read and compared with each of 500 ids (2–4 s a batch).
Here the tables are many times a batch, ANALYZE has seen another organization only, and then a new
organization's phone gains thousands of records and results (the statistics stale). The statements of the
phone's real round trips (a bulk push, edits through the ORM, pulls) are captured and each is
EXPLAIN ANALYZEd, with its own parameters, as a custom plan and as the generic plan a prepared
statement falls back to: no scan of a big table reads more than a few batches' rows.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import event, select, text

from tests.syncing.conftest import activity_fields

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgres"], indirect=True)]

BIG_TABLES = ("activities", "sync_changes", "sync_applied_mutations", "sync_record_history", "audit_events")
OTHERS, PER_OTHER, MINE = 20, 1_000, 5_000
# What one scan of a big table may read in a round trip of 500 mutations (a page is 1,000 changes,
# two audiences); reading a table or a device's whole history is many times this.
MOST_ROWS_PER_SCAN = 2_500


def _fill(org_id: int, guide_ids: list[int], per_guide: int, device_ids: list[str]) -> None:
    """Activities with history and feed rows, and stored results, straight in SQL."""
    from server.extensions import db

    db.session.execute(text("""
        INSERT INTO activities (id, organization_id, guide_id, date, minutes, kind, note,
                                needs_professional_help, state, version, created_at, updated_at)
        SELECT gen_random_uuid()::text, :org, g, DATE '2026-01-01' + (n % 300), 30, 'meeting', 'plan', false,
               'logged', 1, now(), now()
        FROM unnest(CAST(:guides AS integer[])) AS g, generate_series(1, :n) AS n
    """), {"org": org_id, "guides": guide_ids, "n": per_guide})
    db.session.execute(text("""
        INSERT INTO sync_record_history (organization_id, record_type, record_id, version, fields, author_role, at)
        SELECT :org, 'activity', id, 1, '{"minutes": 30}', 'guide', now()
        FROM activities WHERE guide_id = ANY(CAST(:guides AS integer[])) AND note = 'plan'
    """), {"org": org_id, "guides": guide_ids})
    top = db.session.execute(text("SELECT coalesce(max(seq), 0) FROM sync_changes")).scalar_one()
    db.session.execute(text("""
        INSERT INTO sync_changes (organization_id, audience, record_type, record_id, seq, version, deleted)
        SELECT :org, guide_id::text, 'activity', id, :top + row_number() OVER (ORDER BY guide_id, id), 1, false
        FROM activities WHERE guide_id = ANY(CAST(:guides AS integer[])) AND note = 'plan'
    """), {"org": org_id, "guides": guide_ids, "top": top})
    db.session.execute(text("""
        INSERT INTO sync_counters (organization_id, value) VALUES (:org, (SELECT max(seq) FROM sync_changes))
        ON CONFLICT (organization_id) DO UPDATE SET value = excluded.value
    """), {"org": org_id})
    db.session.execute(text("""
        INSERT INTO sync_applied_mutations (device_id, mutation_id, organization_id, applied_at, result)
        SELECT d, gen_random_uuid()::text, :org, now(), '{"status": "applied"}'
        FROM unnest(CAST(:devices AS text[])) AS d, generate_series(1, :n) AS n
    """), {"org": org_id, "devices": device_ids, "n": per_guide})
    db.session.commit()


def _analyze() -> None:
    from server.extensions import db

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in BIG_TABLES:
            # only this ANALYZE: autovacuum must not refresh the statistics behind the test's back
            conn.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))
            conn.execute(text(f"ANALYZE {table}"))


def _plans(statement: str, parameters: Any) -> list[tuple[str, str]]:
    """The statement's plan as a custom plan (its parameters known) and as the generic plan."""
    from server.extensions import db

    names: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"${len(names)}"

    prepared = re.sub(r"%\((\w+)\)s", placeholder, statement)
    raw = db.engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        import psycopg

        found = []
        with psycopg.ClientCursor(driver) as cur:
            for mode in ("force_custom_plan", "force_generic_plan"):
                cur.execute(f"SET plan_cache_mode = {mode}")
                cur.execute(f"PREPARE probe AS {prepared}")
                values = ", ".join(cur.mogrify("%s", [parameters[n]]) for n in names)
                execute = f"EXECUTE probe({values})" if names else "EXECUTE probe"
                cur.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {execute}")
                found.append((mode, "\n".join(row[0] for row in cur.fetchall())))
                cur.execute("DEALLOCATE probe")
        driver.rollback()
        return found
    finally:
        raw.close()


def _too_wide(plan: str) -> list[str]:
    """Scans of a big table that read more than a few batches' rows (actual rows × loops), and
    filters that threw away as many."""
    wide = []
    for line in plan.splitlines():
        scan = re.search(r"Scan(?: using \w+)? on (\w+).*actual rows=(\d+) loops=(\d+)", line)
        if scan and scan.group(1) in BIG_TABLES and int(scan.group(2)) * int(scan.group(3)) > MOST_ROWS_PER_SCAN:
            wide.append(line.strip())
        removed = re.search(r"Rows Removed by (?:Join )?Filter: (\d+)", line)
        if removed and int(removed.group(1)) > MOST_ROWS_PER_SCAN:
            wide.append(line.strip())
        if re.search(r"Seq Scan on (" + "|".join(BIG_TABLES) + r")\b", line):
            wide.append(line.strip())
    return wide


def test_a_round_trip_keeps_index_plans_for_a_device_the_statistics_have_not_seen(
        app: Any, make_org: Any, make_user: Any, make_device: Any) -> None:
    from server.accounts.models import Device
    from server.extensions import db

    org = make_org("plan", "Plan e.V.")
    others = [make_user(org, "guide", f"plan{i}@example.org", f"Guide {i}") for i in range(OTHERS)]
    _fill(org.id, [g.id for g in others], PER_OTHER, [str(uuid.uuid4()) for _ in others])
    _analyze()
    # An organization, a guide and a device the statistics have not seen, with thousands of rows
    new_org = make_org("neu", "Neu e.V.")
    guide = make_user(new_org, "guide", "neu@example.org", "Neu")
    phone = make_device(guide)
    device_id = db.session.scalars(select(Device.id).where(Device.user_id == guide.id)).one()
    _fill(new_org.id, [guide.id], MINE, [device_id])
    phone.sync()  # the device catches up (pages of 1,000), outside the captured round trips

    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for day in range(500):  # a bulk push of new records: the stored results looked up, published
            phone.upsert("activity", **activity_fields(date=f"2026-{1 + day % 12:02d}-{1 + day % 28:02d}"))
        assert phone.sync() >= 1
        mine = [rid for (_type, rid) in phone.records("activity")][:200]
        for record_id in mine:  # edits through the ORM: records locked, histories, feed rows
            phone.upsert("activity", record_id, minutes=45)
        phone.sync()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)

    statements = {s: p for s, p in captured}
    assert any("sync_applied_mutations" in s for s in statements), "the stored results were looked up"
    assert any("FOR UPDATE" in s for s in statements), "edits locked their records"
    problems = []
    for statement, parameters in statements.items():
        for mode, plan in _plans(statement, parameters):
            wide = _too_wide(plan)
            if wide:
                problems.append(f"{mode}: {statement[:300]}\n  " + "\n  ".join(wide) + "\n" + plan)
    assert problems == [], "\n\n".join(problems)
    # The look-up of stored results: one index probe per mutation of the batch.
    lookup, parameters = next((s, p) for s, p in captured if "FROM sync_applied_mutations" in s)  # the push of 500
    for _mode, plan in _plans(lookup, parameters):
        assert "Index Scan using pk_sync_applied_mutations" in plan and "loops=500" in plan, plan
