"""Sync benchmark on PostgreSQL behind gunicorn, through the reference client over HTTP on loopback.

Prints each figure (median of RUNS) next to its floor measured in the same run, taken in turn with it:
  push 10,000 new activities in batches of 500        floor: a bare executemany INSERT of the same rows;
                                                      and of all rows the push writes (record, history,
                                                      stored result, audit event, feed row)
  the same after ANALYZE (a device it has not seen)   the same floor, taken in turn with it
  initial pull of 10,000 records to a new device       floor: a bare SELECT of them + JSON encode
  the same for records pushed after ANALYZE            (statistics stale: the guide not yet seen)
  incremental pull of 100 changes, 10k and 1M rows     (the 1M figure should stay within 1.5x of 10k)
  50 devices syncing at once: req/s, p50/p95           next to a bare GET /healthz under the same load
  bytes on the wire per record, raw and gzip

Usage: .venv/bin/python bench/sync_bench.py [--quick]   (--quick: 2 runs, 2,000 records, 100k rows)
BENCH_DB names the throw-away database (default lotsenbuch_bench), so two runs on one server do not collide.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.common import (  # noqa: E402
    fmt,
    fresh_database,
    gunicorn,
    http_transport,
    median_of,
    medians_interleaved,
    timed,
)
from sync.client import SyncClient  # noqa: E402

QUICK = "--quick" in sys.argv
RUNS = 2 if QUICK else 5
N = 2_000 if QUICK else 10_000
BIG = 100_000 if QUICK else 1_000_000
DEVICES = 50


def activity(i: int) -> dict[str, Any]:
    day = dt.date(2026, 1, 1) + dt.timedelta(days=i % 300)
    return {"date": day.isoformat(), "minutes": 30 + i % 120, "kind": "accompaniment",
            "note": f"Begleitung Termin {i}", "needs_professional_help": False, "district": "linden-limmer"}


def setup_people(url: str, guides: int) -> tuple[int, list[int], Any]:
    from server import create_app
    from server.accounts.operations import create_organization, create_user, issue_enrolment_code
    from server.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    ctx = app.app_context()
    ctx.push()
    org = create_organization("bench", "Bench e.V.")
    ids = [create_user(org, f"guide{i}@bench.example", "guide", f"Guide {i}").id for i in range(guides)]
    db.session.commit()

    def code_for(guide_id: int) -> str:
        from server.accounts.models import User

        code = issue_enrolment_code(db.session.get(User, guide_id))
        db.session.commit()
        return code

    return org.id, ids, code_for


def main() -> None:
    with fresh_database(os.environ.get("BENCH_DB", "lotsenbuch_bench")) as url:
        org_id, guide_ids, code_for = setup_people(url, 2 * DEVICES + 2 * RUNS + 3)
        # guides [0, 50): the concurrent devices; [50, 100): owners of the bulk rows; then the pushers
        pushers = guide_ids[2 * DEVICES:]
        engine = create_engine(url)
        with gunicorn(url) as base:
            figures: dict[str, Any] = {}

            # ---- push --------------------------------------------------------------------------
            push_guides = iter(pushers)

            def push_once() -> float:
                device = SyncClient(http_transport(base))
                device.enroll(code_for(next(push_guides)))
                for i in range(N):
                    device.upsert("activity", **activity(i))
                return timed(device.sync)

            # The very rows the push inserts (the same activity fields, dates as dates)
            rows = [(org_id, guide_ids[-1], dt.date.fromisoformat(a["date"]), a["minutes"], a["kind"], a["note"],
                     a["needs_professional_help"], a["district"]) for a in map(activity, range(N))]

            def insert_floor() -> float:
                with engine.begin() as conn:
                    raw = conn.connection.dbapi_connection
                    start = time.perf_counter()
                    with raw.cursor() as cur:
                        cur.executemany(
                            "INSERT INTO activities (id, organization_id, guide_id, date, minutes, kind, note,"
                            " needs_professional_help, district, state, version, created_at, updated_at)"
                            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'logged', 1, now(), now())",
                            [(str(uuid.uuid4()), *r) for r in rows])
                    elapsed = time.perf_counter() - start
                    conn.rollback()
                    return elapsed

            figures.update(medians_interleaved(RUNS, {
                "push": push_once, "push_floor": insert_floor,
                "push_floor_all": lambda: _all_rows_floor(engine, org_id, guide_ids[-1]),
            }))

            # With statistics, as autovacuum's ANALYZE keeps them on a running server: the tables hold
            # the pushes above, and each push comes from a device (and guide) ANALYZE has not seen.
            def push_analyzed() -> float:
                _vacuum(engine)
                return push_once()

            figures.update({f"{k}_analyzed": v for k, v in medians_interleaved(RUNS, {
                "push": push_analyzed, "push_floor": insert_floor,
            }).items()})

            # ---- initial pull ------------------------------------------------------------------
            # The floors' rolled-back inserts left 150,000 dead rows that a running server's autovacuum
            # would have removed by now.
            _vacuum(engine)
            source_guide = pushers[0]
            wire: dict[str, Any] = {}

            def pull_once(limit: int, accept_gzip: bool = False) -> float:
                stats: dict[str, Any] = {}
                device = SyncClient(http_transport(base, stats, accept_gzip), limit=limit)
                device.enroll(code_for(source_guide))
                stats.clear()
                elapsed = timed(device.sync)
                assert len(device.records("activity")) == N
                wire["gzip_sent" if accept_gzip else "sample"] = stats["first_body"]
                return elapsed

            def select_floor() -> float:
                with engine.connect() as conn:
                    start = time.perf_counter()
                    result = conn.execute(text(
                        "SELECT id, date, minutes, kind, assignment_id, district, travel_km, note,"
                        " needs_professional_help, state, version FROM activities WHERE guide_id = :g"),
                        {"g": source_guide}).mappings().all()
                    json.dumps([dict(r) for r in result], default=str)
                    return time.perf_counter() - start

            # The reference client asks for the largest page the protocol allows (1,000); the PWA asks
            # for 500 (smaller pages on a slow mobile connection). One pull first, not counted: each
            # worker builds and prepares the page query once in its life (the quick run's median of 2
            # otherwise averages that in).
            pull_once(1000)
            # records pushed after the last ANALYZE: their guide (the feed's audience) is one the
            # statistics have not seen
            unseen_guide = next(push_guides)
            unseen = SyncClient(http_transport(base))
            unseen.enroll(code_for(unseen_guide))
            for i in range(N):
                unseen.upsert("activity", **activity(i))
            unseen.sync()

            def pull_unseen() -> float:
                device = SyncClient(http_transport(base), limit=1000)
                device.enroll(code_for(unseen_guide))
                elapsed = timed(device.sync)
                assert len(device.records("activity")) == N
                return elapsed

            figures.update(medians_interleaved(RUNS, {
                "pull": lambda: pull_once(1000), "pull_floor": select_floor, "pull_500": lambda: pull_once(500),
                "pull_500_gzip": lambda: pull_once(500, accept_gzip=True), "pull_unseen": pull_unseen,
            }))
            # a whole response as sent (a page of changes), per change
            per_page = len(json.loads(wire["sample"])["changes"]) or 1
            figures["bytes_raw"] = len(wire["sample"]) / per_page
            figures["bytes_gzip"] = len(gzip.compress(wire["sample"])) / per_page
            # as the server sends it to a client that accepts gzip (a page of 500)
            figures["bytes_sent_gzip"] = len(wire["gzip_sent"]) / len(json.loads(gzip.decompress(wire["gzip_sent"]))["changes"])

            # ---- incremental pull --------------------------------------------------------------
            reader = SyncClient(http_transport(base))
            reader.enroll(code_for(source_guide))
            reader.sync()
            writer = SyncClient(http_transport(base))
            writer.enroll(code_for(source_guide))
            writer.sync()
            ids = [rid for (_t, rid) in writer.records("activity")][:100]

            edits = iter(range(1, 10_000))

            def incremental_once() -> float:
                value = next(edits)  # a new value each run: every one of the 100 edits is a real change
                for rid in ids:
                    writer.upsert("activity", rid, minutes=1 + value % 1440)
                writer.sync()
                start = time.perf_counter()
                trip = reader.sync_once()
                elapsed = time.perf_counter() - start
                assert trip.changes >= 100, trip
                return elapsed

            figures["incr_small"], _ = median_of(RUNS, incremental_once)
            figures["rows_small"] = _count(engine)
            _grow(engine, org_id, guide_ids[DEVICES:2 * DEVICES], BIG)
            figures["rows_big"] = _count(engine)
            figures["incr_big"], _ = median_of(RUNS, incremental_once)
            figures["plan"] = _pull_plan(engine, org_id, source_guide)

            # ---- 50 devices at once ------------------------------------------------------------
            devices = []
            for gid in guide_ids[:DEVICES]:
                device = SyncClient(http_transport(base))
                device.enroll(code_for(gid))
                device.sync()  # up to date before the clock starts
                devices.append(device)
            figures["concurrent"] = _load(devices, lambda d: (d.upsert("activity", **activity(7)), d.sync_once()))
            for device in devices:
                device.sync()
            figures["concurrent_pull"] = _load(devices, lambda d: d.sync_once())
            transports = [http_transport(base) for _ in devices]  # the same HTTP client as the devices'
            figures["healthz"] = _load(transports, lambda t: _ok(t("GET", "/healthz", None, None)))
        engine.dispose()
    _print(figures)


def _all_rows_floor(engine: Any, org_id: int, guide_id: int) -> float:
    """Bare executemany of every row a push of N new activities must write: the record, its history
    entry (the merge's base), the stored result (exactly once), the audit event and the feed row, with
    payloads shaped like the real ones; rolled back."""
    with engine.begin() as conn:
        device_id = conn.execute(text("SELECT id FROM devices LIMIT 1")).scalar_one()
        raw = conn.connection.dbapi_connection
        ids = [(str(uuid.uuid4()), str(uuid.uuid4())) for _ in range(N)]
        start = time.perf_counter()
        records, history, stored, audit, feed = [], [], [], [], []
        for i, (record_id, mutation_id) in enumerate(ids):
            fields = activity(i)
            records.append((record_id, org_id, guide_id, fields["date"], fields["minutes"], fields["kind"],
                            fields["note"], fields["district"]))
            history.append((org_id, record_id, json.dumps(dict(fields, assignment_id=None, travel_km=None,
                                                                state="logged")), guide_id, device_id))
            result = {"id": mutation_id, "status": "applied", "record_id": record_id, "version": 1}
            stored.append((device_id, mutation_id, org_id, json.dumps(result)))
            audit.append((org_id, guide_id, device_id, record_id, json.dumps(
                {"mutation_id": mutation_id, "status": "applied", "version": 1, "fields": sorted(fields)})))
            feed.append((org_id, str(guide_id), record_id, i + 1))
        with raw.cursor() as cur:
            cur.executemany(
                "INSERT INTO activities (id, organization_id, guide_id, date, minutes, kind, note, district,"
                " needs_professional_help, state, version, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, false, 'logged', 1, now(), now())", records)
            cur.executemany(
                "INSERT INTO sync_record_history (organization_id, record_type, record_id, version, fields,"
                " author_role, author_user_id, device_id, at) VALUES (%s, 'activity', %s, 1, %s, 'guide', %s, %s, now())",
                history)
            cur.executemany(
                "INSERT INTO sync_applied_mutations (device_id, mutation_id, organization_id, applied_at, result)"
                " VALUES (%s, %s, %s, now(), %s)", stored)
            cur.executemany(
                "INSERT INTO audit_events (organization_id, at, actor_user_id, device_id, action, object_type,"
                " object_id, details) VALUES (%s, now(), %s, %s, 'sync.activity.upsert', 'activity', %s, %s)", audit)
            cur.executemany(
                "INSERT INTO sync_changes (organization_id, audience, record_type, record_id, seq, version, deleted)"
                " VALUES (%s, %s, 'activity', %s, %s, 1, false)", feed)
        elapsed = time.perf_counter() - start
        conn.rollback()
        return elapsed


def _pull_plan(engine: Any, org_id: int, guide_id: int) -> str:
    """EXPLAIN ANALYZE of a pull page's query 100 changes before the end, at the big table size."""
    from sqlalchemy.dialects import postgresql

    from sync.feed.queries import page_query

    with engine.connect() as conn:
        top = conn.execute(text("SELECT value FROM sync_counters WHERE organization_id = :o"), {"o": org_id}).scalar()
        compiled = page_query().compile(dialect=postgresql.dialect())
        params = dict(compiled.params, org=org_id, audience=str(guide_id), after=int(top) - 100, fetch=501)
        rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {compiled}",
                                    params).scalars().all()
    return "\n".join("    " + r for r in rows)


def _count(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM activities")).scalar_one())


def _grow(engine: Any, org_id: int, guides: list[int], total: int) -> None:
    """Fill the tables to `total` activities (with feed rows) for other guides, straight in SQL."""
    missing = max(0, total - _count(engine))
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO activities (id, organization_id, guide_id, date, minutes, kind, note,
                                    needs_professional_help, state, version, created_at, updated_at)
            SELECT gen_random_uuid()::text, :org, (:guides)[1 + (n % cardinality(:guides))],
                   DATE '2025-01-01' + (n % 600), 30 + n % 200, 'meeting', 'bulk', false, 'logged', 1, now(), now()
            FROM generate_series(1, :missing) AS n
        """), {"org": org_id, "guides": guides, "missing": missing})
        top = conn.execute(text("SELECT value FROM sync_counters WHERE organization_id = :org"),
                           {"org": org_id}).scalar_one()
        conn.execute(text("""
            INSERT INTO sync_changes (organization_id, audience, record_type, record_id, seq, version, deleted)
            SELECT :org, guide_id::text, 'activity', id, :top + row_number() OVER (ORDER BY id), 1, false
            FROM activities a WHERE note = 'bulk'
              AND NOT EXISTS (SELECT 1 FROM sync_changes c WHERE c.record_id = a.id)
        """), {"org": org_id, "top": top})
        conn.execute(text("UPDATE sync_counters SET value = (SELECT max(seq) FROM sync_changes"
                          " WHERE organization_id = :org) WHERE organization_id = :org"), {"org": org_id})
    _vacuum(engine)


def _vacuum(engine: Any) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def _ok(answer: tuple[int, Any]) -> None:
    if answer[0] != 200:
        raise RuntimeError(f"healthz answered {answer[0]}")


def _load(actors: list[Any], action: Any, seconds: float = 10.0) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(actor: Any) -> None:
        while time.perf_counter() < stop:
            start = time.perf_counter()
            try:
                action(actor)
            except Exception as exc:  # noqa: BLE001 - counted, reported
                with lock:
                    errors[0] += 1
                    if errors[0] <= 3:
                        print("  error under load:", repr(exc)[:300])
                continue
            with lock:
                latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=run, args=(a,)) for a in actors]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    if not latencies:
        return {"rps": 0.0, "p50": 0.0, "p95": 0.0, "errors": errors[0], "requests": 0}
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies),
            "p95": latencies[int(len(latencies) * 0.95) - 1], "errors": errors[0], "requests": len(latencies)}


def _print(f: dict[str, Any]) -> None:
    print(f"sync benchmark: PostgreSQL + gunicorn (4 sync workers), HTTP on loopback, median of {RUNS}")
    print(f"  push {N:,} activities (batches of 500)    {fmt(f['push'])}   floor executemany {fmt(f['push_floor'])}"
          f"   ratio {f['push'] / f['push_floor']:.1f}x")
    print(f"  {'':43}{'':11}   floor all rows    {fmt(f['push_floor_all'])}"
          f"   ratio {f['push'] / f['push_floor_all']:.1f}x   (record+history+result+audit+feed)")
    print(f"  the same after ANALYZE, a new device   {fmt(f['push_analyzed'])}   floor executemany"
          f" {fmt(f['push_floor_analyzed'])}   ratio {f['push_analyzed'] / f['push_floor_analyzed']:.1f}x")
    print(f"  initial pull of {N:,} records          {fmt(f['pull'])}   floor SELECT+JSON   {fmt(f['pull_floor'])}"
          f"   ratio {f['pull'] / f['pull_floor']:.1f}x   (pages of 1,000)")
    print(f"  {'':43}{fmt(f['pull_500'])}   {'':30}ratio {f['pull_500'] / f['pull_floor']:.1f}x   (pages of 500)")
    print(f"  {'':43}{fmt(f['pull_500_gzip'])}   {'':30}ratio {f['pull_500_gzip'] / f['pull_floor']:.1f}x"
          "   (pages of 500, gzip as the PWA gets them)")
    print(f"  {'':43}{fmt(f['pull_unseen'])}   {'':30}ratio {f['pull_unseen'] / f['pull_floor']:.1f}x"
          "   (pages of 1,000, records pushed after ANALYZE)")
    print(f"  incremental pull, 100 changes, {f['rows_small']:>9,} rows  {fmt(f['incr_small'])}")
    print(f"  incremental pull, 100 changes, {f['rows_big']:>9,} rows  {fmt(f['incr_big'])}"
          f"   ratio {f['incr_big'] / f['incr_small']:.2f}x")
    c, h = f["concurrent"], f["healthz"]
    print(f"  {DEVICES} devices syncing at once, each pushing one activity per sync:")
    print(f"                                 {c['rps']:.0f} req/s, p50 {fmt(c['p50'])}, p95 {fmt(c['p95'])},"
          f" errors {c['errors']} of {c['requests'] + c['errors']}")
    p = f["concurrent_pull"]
    print(f"  {DEVICES} devices, pull-only syncs:  {p['rps']:.0f} req/s, p50 {fmt(p['p50'])}, p95 {fmt(p['p95'])},"
          f" errors {p['errors']} of {p['requests'] + p['errors']}")
    print(f"  bare GET /healthz, same load:  {h['rps']:.0f} req/s, p50 {fmt(h['p50'])}, p95 {fmt(h['p95'])},"
          f" errors {h['errors']}")
    print(f"  bytes per record on the wire: {f['bytes_raw']:.0f} raw, {f['bytes_gzip']:.0f} gzip"
          f" (as sent compressed, pages of 500: {f['bytes_sent_gzip']:.0f})")
    print("  plan of a pull page's query at the big size (100 changes after the cursor):")
    print(f["plan"])


if __name__ == "__main__":
    main()
