"""Hard requirement 2 on PostgreSQL: a pull never skips a change, even when transactions commit in a
different order from the one in which they started writing.

Writers and readers run in threads, each with its own SQLAlchemy session on one engine against this
worker's migrated database; the feed's session hooks are global, so they number every writer's
changes. Readers pull as a device does, through the app's own pull path (`sync.engine.sync` with no
mutations, as `POST /api/v1/sync` calls it: the counter check, then `sync/feed/queries.py`'s page query),
with a tiny limit the whole time.

Why a plain sequence (or an identity column) would fail, shown by `test_a_sequence_would_skip`: a
sequence hands out the number when the row is inserted, not when it becomes visible. Writer A inserts
and draws 1, writer B inserts, draws 2 and commits; a reader sees 2 and moves its cursor to 2; then A
commits number 1 behind the cursor, and no later pull (`seq > 2`) ever returns it. The feed instead
numbers a transaction's changes as its very last step, under the organization's counter row lock, so
numbers are handed out in commit order.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(postgres_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """An app (its creation registers the bindings), one organization with a guide and a device, and an
    engine for the threads. Leaves empty tables behind, as the `app` fixture does."""
    from server import create_app
    from server.accounts.models import Device
    from server.accounts.operations import create_organization, create_user
    from server.extensions import db
    from tests.conftest import _config, _truncate_all

    app = create_app(_config(postgres_url, tmp_path))
    with app.app_context():
        org = create_organization("late", "Late Commit e.V.")
        guide = create_user(org, "late@example.org", "guide", "Guide")
        device = Device(user_id=guide.id, organization_id=org.id, name="phone", token_hash=uuid.uuid4().hex * 2)
        db.session.add(device)
        db.session.commit()
        engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=12, max_overflow=4)
        try:
            yield {"org_id": org.id, "guide_id": guide.id, "device_id": device.id, "engine": engine}
        finally:
            engine.dispose()
            db.session.remove()
            _truncate_all(app)
            db.engine.dispose()


def new_activity(org_id: int, guide_id: int, note: str) -> Any:
    from server.activities.models import Activity

    return Activity(id=str(uuid.uuid4()), organization_id=org_id, guide_id=guide_id, date=dt.date(2026, 11, 2),
                    minutes=30, kind="meeting", note=note)


def feed_seqs(engine: Engine, org_id: int, record_ids: list[str]) -> dict[str, int]:
    from sync.tables import SyncChange

    with Session(engine) as session:
        return dict(session.execute(select(SyncChange.record_id, SyncChange.seq).where(
            SyncChange.organization_id == org_id, SyncChange.record_id.in_(record_ids))).all())


def top_of_feed(engine: Engine, org_id: int) -> int:
    from sync.tables import SyncCounter

    with Session(engine) as session:
        return int(session.scalar(select(SyncCounter.value).where(SyncCounter.organization_id == org_id)) or 0)


class Reader(threading.Thread):
    """A device that pulls with a small limit until told to stop, then drains the feed; remembers every
    (record, version) it received and the cursor position after each page."""

    def __init__(self, engine: Engine, org_id: int, guide_id: int, device_id: str, limit: int = 2) -> None:
        from sync.engine import DeviceContext
        from sync.pull import encode_cursor

        super().__init__(daemon=True)
        self.engine, self.org_id, self.guide_id, self.limit = engine, org_id, guide_id, limit
        self.ctx = DeviceContext(device_id=device_id, organization_id=org_id, guide_id=guide_id)
        self.position = top_of_feed(engine, org_id)  # the set-up records (organization, profile) are old news
        self.cursor = encode_cursor(org_id, self.position)
        self.received: list[tuple[str, int, int]] = []  # (record id, version, position after its page)
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def page(self) -> bool:
        from sync import engine as sync_engine
        from sync.pull import decode_cursor

        with Session(self.engine) as session:
            outcome = sync_engine.sync(session, self.ctx, [], self.cursor, self.limit)
        position = decode_cursor(outcome.cursor, self.org_id)
        assert len(outcome.changes) <= self.limit
        if outcome.changes:
            assert position > self.position, "a page with changes must move the cursor forward"
        else:
            assert position == self.position
        for change in outcome.changes:
            assert not change["deleted"]
            self.received.append((change["record_id"], change["version"], position))
        self.cursor, self.position = outcome.cursor, position
        return outcome.has_more

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                if not self.page():
                    time.sleep(0.002)
            while self.page():  # drain
                pass
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def finish(self) -> None:
        self.stop.set()
        self.join(30)
        assert not self.is_alive()
        if self.error is not None:
            raise self.error

    def versions(self) -> dict[str, list[int]]:
        seen: dict[str, list[int]] = defaultdict(list)
        for record_id, version, _seq in self.received:
            seen[record_id].append(version)
        return seen


def wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_late_commit_is_numbered_after_the_early_one_and_seen(world):
    """A writes first and commits last; B writes later and commits first. A reader that has already moved
    its cursor past B's change still receives A's."""
    from sync import feed
    from sync.merge import Author

    engine, org_id, guide_id = world["engine"], world["org_id"], world["guide_id"]
    reader = Reader(engine, org_id, guide_id, world["device_id"])
    reader.start()
    a_wrote, release_a = threading.Event(), threading.Event()
    a_records: list[str] = []

    def writer_a() -> None:
        with Session(engine) as session:
            feed.set_author(session, Author(role="system"))
            for n in range(3):
                obj = new_activity(org_id, guide_id, f"A{n}")
                session.add(obj)
                a_records.append(obj.id)
            session.flush()  # rows inserted, versions and history written: a sequence would number them now
            a_wrote.set()
            assert release_a.wait(10)
            session.commit()

    thread_a = threading.Thread(target=writer_a)
    thread_a.start()
    assert a_wrote.wait(10)
    with Session(engine) as session:  # B starts after A wrote, and commits while A is open
        b = new_activity(org_id, guide_id, "B")
        session.add(b)
        session.commit()
        b_id = b.id
    b_seq = feed_seqs(engine, org_id, [b_id])[b_id]
    wait_for(lambda: reader.position >= b_seq)  # the reader is past B while A is still uncommitted
    assert not any(rid in a_records for rid, _v, _s in reader.received)
    release_a.set()
    thread_a.join(10)
    a_seqs = feed_seqs(engine, org_id, a_records)
    assert min(a_seqs.values()) > b_seq, "the late commit must be numbered after the early one"
    wait_for(lambda: set(a_records) <= {rid for rid, _v, _s in reader.received})
    reader.finish()
    assert sorted(reader.versions().items()) == sorted({rid: [1] for rid in [*a_records, b_id]}.items())


def test_writer_holding_its_numbers_blocks_later_numbers_until_it_commits(world):
    """A pushes through the engine and then numbers its changes before its commit (`feed.publish`, as
    the commit hook would, or as code that wants its own changes in the same response does) and does
    more work while holding the numbers. B's commit must wait for A; a reader never sees B's higher
    number before A's lower one is visible."""
    from sync import engine as sync_engine
    from sync import feed
    from sync.engine import DeviceContext

    engine, org_id, guide_id = world["engine"], world["org_id"], world["guide_id"]
    ctx = DeviceContext(device_id=world["device_id"], organization_id=org_id, guide_id=guide_id)
    reader = Reader(engine, org_id, guide_id, world["device_id"])
    reader.start()
    a_numbered, release_a, b_done = threading.Event(), threading.Event(), threading.Event()
    a_id, b_box = str(uuid.uuid4()), {}

    def writer_a() -> None:
        mutation = {"id": str(uuid.uuid4()), "type": "activity", "record_id": a_id, "op": "upsert",
                    "base_version": None, "fields": {"date": "2026-11-02", "minutes": 45, "kind": "phone"}}
        with Session(engine) as session:
            outcome = sync_engine.sync(session, ctx, [mutation], None, 500)
            assert outcome.results[0]["status"] == "applied"
            session.flush()
            feed.publish(session, feed.state_of(session).take_marks())  # takes the counter row until commit
            a_numbered.set()
            assert release_a.wait(10)
            session.commit()

    def writer_b() -> None:
        with Session(engine) as session:
            obj = new_activity(org_id, guide_id, "B")
            session.add(obj)
            session.commit()
            b_box["id"] = obj.id
        b_done.set()

    thread_a = threading.Thread(target=writer_a)
    thread_a.start()
    assert a_numbered.wait(10)
    thread_b = threading.Thread(target=writer_b)
    thread_b.start()
    time.sleep(0.3)
    assert not b_done.is_set(), "B committed while A held the counter: numbers would come out of order"
    assert reader.received == []
    release_a.set()
    thread_a.join(10)
    thread_b.join(10)
    assert b_done.is_set()
    seqs = feed_seqs(engine, org_id, [a_id, b_box["id"]])
    assert seqs[a_id] < seqs[b_box["id"]]
    wait_for(lambda: {a_id, b_box["id"]} <= {rid for rid, _v, _s in reader.received})
    reader.finish()
    assert [rid for rid, _v, _s in reader.received] == [a_id, b_box["id"]]


def test_concurrent_writers_and_readers_miss_nothing(world):
    """Many writers (plain ORM sessions and engine pushes) with random pauses inside their transactions
    before they are numbered, readers paging all the time: every reader receives every created record
    exactly once at version 1 and every record's final version, with versions only going up."""
    from server.activities.models import Activity
    from sync import engine as sync_engine
    from sync import feed
    from sync.engine import DeviceContext
    from sync.merge import Author

    engine, org_id, guide_id = world["engine"], world["org_id"], world["guide_id"]
    ctx = DeviceContext(device_id=world["device_id"], organization_id=org_id, guide_id=guide_id)
    readers = [Reader(engine, org_id, guide_id, world["device_id"], limit=limit) for limit in (1, 2, 3)]
    with Session(engine) as session:  # records the writers keep editing
        shared = [new_activity(org_id, guide_id, f"shared {n}") for n in range(4)]
        session.add_all(shared)
        session.commit()
        shared_ids = [obj.id for obj in shared]
    for reader in readers:
        reader.start()
    created: list[str] = []
    created_lock = threading.Lock()
    errors: list[BaseException] = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for step in range(8):
                with Session(engine) as session:
                    if rng.random() < 0.5:  # a plain ORM writer: numbered in before_commit
                        feed.set_author(session, Author(role="system"))
                        new = [new_activity(org_id, guide_id, f"w{seed}-{step}-{k}") for k in range(rng.randint(1, 2))]
                        session.add_all(new)
                        if rng.random() < 0.5:
                            obj = session.get(Activity, rng.choice(shared_ids), with_for_update=True)
                            obj.minutes = rng.randint(1, 600)
                        session.flush()
                        time.sleep(rng.uniform(0, 0.03))  # written, not yet numbered
                        session.commit()
                        ids = [obj.id for obj in new]
                    else:  # a device push, numbered at its commit
                        ids = [str(uuid.uuid4())]
                        mutations = [{"id": str(uuid.uuid4()), "type": "activity", "record_id": ids[0],
                                      "op": "upsert", "base_version": None,
                                      "fields": {"date": "2026-11-03", "minutes": 20, "kind": "travel"}}]
                        sync_engine.sync(session, ctx, mutations, None, 3)
                        time.sleep(rng.uniform(0, 0.03))  # work after the push, before the numbering
                        session.commit()
                with created_lock:
                    created.extend(ids)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    writers = [threading.Thread(target=writer, args=(seed,)) for seed in range(6)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(60)
    assert not errors, errors
    for reader in readers:
        reader.finish()

    with Session(engine) as session:
        final = dict(session.execute(select(Activity.id, Activity.version).where(
            Activity.organization_id == org_id)).all())
    assert len(created) > 20
    for reader in readers:
        seen = reader.versions()
        for record_id in created:
            assert seen.get(record_id) == [1], f"limit {reader.limit}: {record_id} received {seen.get(record_id)}"
        for record_id, versions in seen.items():
            assert versions == sorted(set(versions)), f"{record_id}: versions {versions} repeat or go down"
            assert versions[-1] == final[record_id], f"{record_id}: last received {versions[-1]}, now {final[record_id]}"
        assert set(seen) == set(final)
        positions = [position for _rid, _v, position in reader.received]
        assert positions == sorted(positions)


def test_a_sequence_would_skip(world):
    """The counterfactual, on a scratch table numbered by a sequence: the same reader misses A's row."""
    engine = world["engine"]
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE late_commit_demo (seq BIGSERIAL PRIMARY KEY, note TEXT)"))
    try:
        a_conn = engine.connect()
        a_tx = a_conn.begin()
        a_conn.execute(text("INSERT INTO late_commit_demo (note) VALUES ('A')"))  # draws 1, stays open
        with engine.begin() as b_conn:
            b_conn.execute(text("INSERT INTO late_commit_demo (note) VALUES ('B')"))  # draws 2, commits

        def pull(cursor: int) -> list[tuple[int, str]]:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(  # type: ignore[misc]
                    text("SELECT seq, note FROM late_commit_demo WHERE seq > :c ORDER BY seq"), {"c": cursor})]

        first = pull(0)
        assert first == [(2, "B")]
        cursor = first[-1][0]
        a_tx.commit()
        a_conn.close()
        assert pull(cursor) == []  # A's change is behind the cursor: skipped for good
        assert pull(0) == [(1, "A"), (2, "B")]
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE late_commit_demo"))
