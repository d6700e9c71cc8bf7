"""Random histories of offline devices, a coordinator and an unreliable network: the sync invariants hold.

Three devices — two phones of one guide and one phone of another guide of the same organization — and a
coordinator make random creates, edits and deletes of activities and expenses, submit claims (a later
claim of a claimed month is a follow-up, Nachtrag), correct rejected expenses (receipt added, amount
fixed) to send them again, and the coordinator edits, approves and decides. Requests are lost before the server sees them, or the server applies them and the
answer is lost, or the network delivers them twice; the clients retry with the same mutation ids and
their clocks are off by up to two days. After every device has synced twice with no new edits:

* every device holds exactly the server's state for its guide, and nothing of the other guide's;
* every acknowledged write is accounted for: its value is on the server, or a later write to that
  field superseded it (a history entry with a higher version), or a conflict keeps it as the lost value;
* no mutation was applied twice: one `sync_applied_mutations` row and at most one audit entry per
  mutation, and each record's history versions are exactly 1..version;
* the version a device holds of a record never goes down;
* a month's claims of a guide are numbered 1..n (the claim, then its follow-ups); an open expense is in
  no claim; and every correction of a rejected expense kept the rejection it answered.

Each Hypothesis example gets an organization of its own, so examples share the database but not data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from sqlalchemy import func, select

from sync.spec import wire_value
from sync.vocabulary import ACTIVITY_KINDS, DISTRICTS
from tests.syncing import conftest as sync_fixtures
from tests.syncing.harness import (
    FlakyTransport,
    LostInTransit,
    SkewedClient,
    audit_mutation_counts,
    enrol_directly,
    history_problems,
    server_scope,
)

MONTHS = ("2026-10", "2026-11")
PLAIN_CATEGORIES = ("public_transport", "phone", "material", "other")
FATES = ("ok", "ok", "ok", "drop_request", "drop_response", "duplicate")

def some_of(fields: dict) -> st.SearchStrategy:
    """A non-empty dict of some of `fields`: one key is always there, the others optional.
    (`fixed_dictionaries(optional=…).filter(bool)` makes Hypothesis's draws inconsistent between a
    test case and its replay — FlakyStrategyDefinition — so no filter here.)"""
    keys = sorted(fields)
    return st.sampled_from(keys).flatmap(lambda key: st.fixed_dictionaries(
        {key: fields[key]}, optional={k: v for k, v in fields.items() if k != key}))

dates = st.dates(dt.date(2026, 10, 1), dt.date(2026, 11, 30)).map(dt.date.isoformat)
notes = st.sampled_from(["", "Jobcenter", "Ausländerbehörde", "Kita", "Arzt"])
activity_edits = some_of({
    "date": dates,
    "minutes": st.integers(1, 600),
    "kind": st.sampled_from(ACTIVITY_KINDS),
    "note": notes,
    "district": st.sampled_from((None, "mitte", "nord", "linden-limmer")),
    "travel_km": st.one_of(st.none(), st.integers(0, 60)),
    "needs_professional_help": st.booleans(),
})
new_activities = st.fixed_dictionaries({
    "date": dates, "minutes": st.integers(1, 600), "kind": st.sampled_from(ACTIVITY_KINDS), "note": notes,
})
descriptions = st.sampled_from(["", "GVH", "Porto", "Kopien", "Telefon"])
plain_expense_edits = some_of({
    "date": dates, "amount_cents": st.integers(0, 5000), "description": descriptions,
    "category": st.sampled_from(PLAIN_CATEGORIES),
})
mileage_expense_edits = some_of({
    "date": dates, "km": st.integers(0, 80), "description": descriptions,
})
coordinator_activity_edits = some_of({
    "minutes": st.integers(1, 600), "note": notes, "kind": st.sampled_from(ACTIVITY_KINDS),
})
coordinator_expense_edits = some_of({
    "description": descriptions, "date": dates,
})

assert set(DISTRICTS) >= {"mitte", "nord", "linden-limmer"}
_orgs = itertools.count(1)


def check_written_values(session: Any, writes: list[dict[str, Any]]) -> list[str]:
    """Every acknowledged write's values are on the server, superseded by a later write of the same
    field, or kept as the lost value of a conflict. Returns what is unaccounted for."""
    from sync.registry import BINDINGS
    from sync.tables import Conflict, RecordHistory

    problems = []
    for write in writes:
        binding = BINDINGS[write["type"]]
        obj = session.get(binding.model, write["record_id"])
        if obj is None:
            if write["fields"] == {"deleted": True}:
                continue  # a delete of a record the server never had
            problems.append(f"{write}: record missing")
            continue
        later = session.execute(
            select(RecordHistory.fields).where(
                RecordHistory.record_type == write["type"], RecordHistory.record_id == write["record_id"],
                RecordHistory.version > write["version"])
        ).scalars().all()
        superseded = set().union(*(set(fields) for fields in later)) if later else set()
        for name, value in write["fields"].items():
            if name == "amount_cents" and obj.category == "mileage":
                continue  # computed by the server from km, whatever the writer sent
            if name == "deleted":
                current = obj.deleted_at is not None
            else:
                current = wire_value(binding.get_field(session, obj, name))
            if current == value or name in superseded or name in write.get("later_own", set()):
                continue
            lost = session.scalars(select(Conflict.lost_value).where(
                Conflict.record_id == write["record_id"], Conflict.field == name)).all()
            if value in lost:
                continue
            problems.append(f"{write['by']} wrote {write['type']} {write['record_id']} {name}={value!r} "
                            f"(status {write['status']}, version {write['version']}): server has {current!r}, "
                            f"no later write of {name}, conflicts lost {lost!r}")
    return problems


def claim_problems(session: Any, organization_id: int) -> list[str]:
    """Follow-up claims and corrected expenses: a guide's claims of a month are numbered 1..n, an open
    expense is in no claim, a claimed one is, and each correction of a rejected expense (a guide's write
    after a coordinator's rejection) kept that rejection on the expense."""
    from server.expenses.models import Claim, Expense
    from sync.tables import RecordHistory

    problems = []
    sequences: dict[tuple[int, str], list[int]] = {}
    for claim in session.scalars(select(Claim).where(Claim.organization_id == organization_id)):
        sequences.setdefault((claim.guide_id, claim.month), []).append(claim.sequence)
    for key, numbers in sequences.items():
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            problems.append(f"claims of {key} are numbered {sorted(numbers)}")
    for expense in session.scalars(select(Expense).where(Expense.organization_id == organization_id)):
        if (expense.state == "open") != (expense.claim_id is None):
            problems.append(f"expense {expense.id} is {expense.state} with claim {expense.claim_id}")
        corrections, waiting = 0, False
        for author_role, fields in session.execute(select(RecordHistory.author_role, RecordHistory.fields).where(
                RecordHistory.record_type == "expense", RecordHistory.record_id == expense.id)
                .order_by(RecordHistory.version)):
            if author_role != "guide" and "state" in fields:
                waiting = fields["state"] == "rejected"
            elif author_role == "guide" and waiting and set(fields) - {"deleted"}:
                corrections, waiting = corrections + 1, False
        kept = [r.get("reason") for r in expense.rejections or []]
        if kept != ["Beleg fehlt"] * corrections:
            problems.append(f"expense {expense.id}: {corrections} corrections of a rejection, kept {kept}")
    return problems


def run_machine(app: Any, client: Any, max_examples: int) -> None:
    from server.accounts.operations import create_organization, create_user
    from server.activities import review
    from server.expenses import operations as expenses
    from server.extensions import db
    from sync import coordinator as coord
    from sync.merge import Author
    from sync.registry import BINDINGS
    from sync.tables import AppliedMutation

    session = db.session

    class SyncMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            n = next(_orgs)
            self.org = create_organization(f"prop-{n}", f"Property {n}")
            self.guide_a = create_user(self.org, f"a{n}@example.org", "guide", "Guide A")
            self.guide_b = create_user(self.org, f"b{n}@example.org", "guide", "Guide B")
            staff = create_user(self.org, f"c{n}@example.org", "coordinator", "Coordinator", "correct horse battery")
            session.commit()
            self.coordinator = Author(role="coordinator", user_id=staff.id)
            self.devices: list[tuple[SkewedClient, FlakyTransport, Any]] = []
            for guide, name, limit in ((self.guide_a, "phone", 4), (self.guide_a, "tablet", 500),
                                       (self.guide_b, "phone", 3)):
                transport = FlakyTransport(sync_fixtures.test_client_transport(client))
                device = SkewedClient(transport, limit=limit)
                enrol_directly(session, device, guide, name)
                self.devices.append((device, transport, guide))
            self.coordinator_writes: list[dict[str, Any]] = []
            self.seen_versions: list[dict[tuple[str, str], int]] = [{} for _ in self.devices]
            # Records in the order this machine created them: a drawn index must pick the same record
            # when Hypothesis replays the steps, and uuids (hence their sort order) differ every run.
            self.created: dict[str, int] = {}

        def _created(self, record_id: str) -> None:
            self.created.setdefault(record_id, len(self.created))

        def _in_creation_order(self, ids: Any) -> list[str]:
            return sorted(ids, key=lambda rid: (self.created.get(rid, len(self.created)), rid))

        # -------------------------------------------------------------------------- device edits
        def _local_ids(self, index: int, record_type: str) -> list[str]:
            return self._in_creation_order(rid for (_t, rid) in self.devices[index][0].records(record_type))

        @rule(index=st.integers(0, 2), fields=new_activities)
        def create_activity(self, index: int, fields: dict[str, Any]) -> None:
            self._created(self.devices[index][0].upsert("activity", **fields))

        @rule(index=st.integers(0, 2), fields=activity_edits, data=st.data())
        def edit_activity(self, index: int, fields: dict[str, Any], data: st.DataObject) -> None:
            ids = self._local_ids(index, "activity")
            if ids:
                self.devices[index][0].upsert("activity", data.draw(st.sampled_from(ids)), **fields)

        @rule(index=st.integers(0, 2), record_type=st.sampled_from(["activity", "expense"]), data=st.data())
        def delete(self, index: int, record_type: str, data: st.DataObject) -> None:
            ids = self._local_ids(index, record_type)
            if ids:
                self.devices[index][0].delete(record_type, data.draw(st.sampled_from(ids)))

        @rule(index=st.integers(0, 2), date=dates, mileage=st.booleans(), amount=st.integers(0, 5000),
              km=st.integers(0, 80), category=st.sampled_from(PLAIN_CATEGORIES), description=descriptions)
        def create_expense(self, index: int, date: str, mileage: bool, amount: int, km: int, category: str,
                           description: str) -> None:
            if mileage:
                fields: dict[str, Any] = {"category": "mileage", "km": km}
            else:
                fields = {"category": category, "amount_cents": amount}
            self._created(self.devices[index][0].upsert("expense", date=date, description=description, **fields))

        @rule(index=st.integers(0, 2), data=st.data())
        def edit_expense(self, index: int, data: st.DataObject) -> None:
            device = self.devices[index][0]
            ids = self._local_ids(index, "expense")
            if not ids:
                return
            record_id = data.draw(st.sampled_from(ids))
            mileage = (device.record("expense", record_id) or {}).get("category") == "mileage"
            # Draw both shapes, use one: which record is picked depends on random uuids, so the draws
            # must not (Hypothesis replays choices and refuses data generation that varies).
            mileage_fields, plain_fields = data.draw(st.tuples(mileage_expense_edits, plain_expense_edits))
            fields = mileage_fields if mileage else plain_fields
            device.upsert("expense", record_id, **fields)

        @rule(index=st.integers(0, 2), amount=st.integers(1, 5000), km=st.integers(1, 80), data=st.data())
        def correct_rejected_expense(self, index: int, amount: int, km: int, data: st.DataObject) -> None:
            """A rejection ("Beleg fehlt") of one of this guide's expenses the phone holds: the guide adds the
            receipt and fixes the amount (from whatever version the phone has seen)."""
            device, _transport, guide = self.devices[index]
            model = BINDINGS["expense"].model
            rejected = set(session.scalars(select(model.id).where(
                model.organization_id == self.org.id, model.guide_id == guide.id, model.state == "rejected")))
            ids = [rid for rid in self._local_ids(index, "expense") if rid in rejected]
            if not ids:
                return
            record_id = data.draw(st.sampled_from(ids))
            record = device.record("expense", record_id) or {}
            receipt = hashlib.sha256(f"{record_id}-{amount}".encode()).hexdigest()
            fields = {"km": km} if record.get("category") == "mileage" else {"amount_cents": amount}
            device.upsert("expense", record_id, receipts=[receipt], **fields)

        @rule(index=st.integers(0, 2), month=st.sampled_from(MONTHS))
        def submit_claim(self, index: int, month: str) -> None:
            self.devices[index][0].upsert("claim", month=month, state="submitted")

        @rule(index=st.integers(0, 2), month=st.sampled_from(MONTHS), fate=st.sampled_from(FATES))
        def sync_then_claim(self, index: int, month: str, fate: str) -> None:
            """The phone syncs, then submits the month's claim (a follow-up if the month has one) over a
            network with the given fate: claims and follow-ups happen often, lost or repeated."""
            device, transport, _guide = self.devices[index]
            transport.fate = "ok"
            device.sync()
            self._check_versions_only_grow(index)
            device.upsert("claim", month=month, state="submitted")
            transport.fate = fate
            try:
                device.sync_once()
            except LostInTransit:
                return
            self._check_versions_only_grow(index)

        # -------------------------------------------------------------------------- the network
        @rule(index=st.integers(0, 2), fate=st.sampled_from(FATES), skew_hours=st.integers(-48, 48))
        def sync_once(self, index: int, fate: str, skew_hours: int) -> None:
            device, transport, _guide = self.devices[index]
            device.skew = dt.timedelta(hours=skew_hours)  # applies to the edits it makes from now on
            transport.fate = fate
            try:
                device.sync_once()
            except LostInTransit:
                return
            self._check_versions_only_grow(index)

        def _check_versions_only_grow(self, index: int) -> None:
            seen = self.seen_versions[index]
            for key, version in self.devices[index][0].versions().items():
                if version == 0:
                    continue  # created here, not yet acknowledged
                assert version >= seen.get(key, 0), f"device {index}: {key} went from {seen[key]} to {version}"
                seen[key] = version

        # -------------------------------------------------------------------------- the coordinator
        def _server_ids(self, record_type: str) -> list[str]:
            model = BINDINGS[record_type].model
            return self._in_creation_order(session.scalars(select(model.id).where(
                model.organization_id == self.org.id, model.deleted_at.is_(None))))

        def _coordinator(self, action: Any) -> None:
            try:
                action()
                session.commit()
            except coord.CoordinatorError:
                session.rollback()

        @rule(record_type=st.sampled_from(["activity", "expense"]), data=st.data())
        def coordinator_edit(self, record_type: str, data: st.DataObject) -> None:
            ids = self._server_ids(record_type)
            if not ids:
                return
            record_id = data.draw(st.sampled_from(ids))
            fields = data.draw(coordinator_activity_edits if record_type == "activity" else coordinator_expense_edits)

            def edit() -> None:
                resolution = coord.edit_record(session, self.coordinator, self.org.id, record_type, record_id, fields)
                obj = session.get(BINDINGS[record_type].model, record_id)
                self.coordinator_writes.append({
                    "by": "coordinator", "type": record_type, "record_id": record_id, "status": resolution.status,
                    "version": obj.version, "fields": {k: wire_value(v) for k, v in fields.items()}})

            self._coordinator(edit)

        @rule(data=st.data())
        def approve_activity(self, data: st.DataObject) -> None:
            ids = self._server_ids("activity")
            if ids:
                record_id = data.draw(st.sampled_from(ids))
                self._coordinator(lambda: review.approve_activity(session, self.coordinator, self.org.id, record_id))

        @rule(state=st.sampled_from(["approved", "rejected", "paid", "submitted"]), data=st.data())
        def decide_expense(self, state: str, data: st.DataObject) -> None:
            ids = self._server_ids("expense")
            if ids:
                record_id = data.draw(st.sampled_from(ids))
                self._coordinator(lambda: expenses.set_expense_state(
                    session, self.coordinator, self.org.id, record_id, state, "Beleg fehlt"))

        @rule(data=st.data())
        def reject_a_submitted_expense(self, data: st.DataObject) -> None:
            """A claim's item sent back ("Beleg fehlt"), so that corrections and follow-ups happen often."""
            model = BINDINGS["expense"].model
            ids = self._in_creation_order(session.scalars(select(model.id).where(
                model.organization_id == self.org.id, model.state == "submitted", model.deleted_at.is_(None))))
            if ids:
                record_id = data.draw(st.sampled_from(ids))
                self._coordinator(lambda: expenses.set_expense_state(
                    session, self.coordinator, self.org.id, record_id, "rejected", "Beleg fehlt"))

        # -------------------------------------------------------------------------- settle + check
        def settle(self) -> None:
            for _round in range(2):  # hard requirement 6: everybody syncs twice, no new edits
                for index, (device, _transport, _guide) in enumerate(self.devices):
                    device.sync()
                    self._check_versions_only_grow(index)
            session.commit()  # a fresh snapshot for the checks below

        @precondition(lambda self: True)
        @rule()
        def settle_and_check(self) -> None:
            self.settle()
            self.check()

        def teardown(self) -> None:
            try:
                self.settle()
                self.check()
                # A device of each guide that pulls from scratch gets the same state as the old ones.
                for guide in (self.guide_a, self.guide_b):
                    fresh = SkewedClient(sync_fixtures.test_client_transport(client), limit=2)
                    enrol_directly(session, fresh, guide, "fresh")
                    fresh.sync()
                    session.commit()
                    assert fresh.snapshot() == server_scope(session, self.org.id, guide.id)
            finally:
                session.rollback()

        def check(self) -> None:
            guides = {self.guide_a.id, self.guide_b.id}
            for index, (device, transport, guide) in enumerate(self.devices):
                assert device.pending() == [], f"device {index} still has unsent mutations"
                held = device.snapshot()
                expected = server_scope(session, self.org.id, guide.id)
                assert held == expected, _diff(index, held, expected)
                for (record_type, record_id) in held:
                    binding = BINDINGS[record_type]
                    obj = session.get(binding.model, int(record_id) if record_type == "organization" else record_id)
                    owner = binding.owner_guide_id(obj)
                    assert owner in (None, guide.id) or record_type == "assignment", \
                        f"device {index} of guide {guide.id} holds {record_type} {record_id} of guide {owner}"
                    assert owner is None or owner in guides
                # Exactly once: one stored result per mutation the device ever queued, no more.
                device_id = device._meta("device_id")
                stored = set(session.scalars(select(AppliedMutation.mutation_id).where(
                    AppliedMutation.device_id == device_id)))
                assert stored == set(device.queued)
                assert set(transport.acked) == set(device.queued)
            counts = audit_mutation_counts(session, self.org.id)
            assert not [m for m, c in counts.items() if c > 1], "a mutation was applied twice"
            total = session.scalar(select(func.count()).select_from(AppliedMutation).where(
                AppliedMutation.organization_id == self.org.id))
            assert total == sum(len(d.queued) for d, _t, _g in self.devices)
            assert history_problems(session, self.org.id) == []
            assert check_written_values(session, self._acknowledged_writes()) == []
            assert claim_problems(session, self.org.id) == []

        def _acknowledged_writes(self) -> list[dict[str, Any]]:
            writes = list(self.coordinator_writes)
            for index, (device, transport, _guide) in enumerate(self.devices):
                # A result's version is the record's version after the whole batch (one flush), so a
                # later mutation of the same device in that batch supersedes without a higher version.
                own: list[tuple[dict[str, Any], dict[str, Any]]] = [
                    transport.acked[m] for m in device.queued if transport.acked[m][1]["status"] != "rejected"]
                for position, (mutation, result) in enumerate(own):
                    fields = {"deleted": True} if mutation["op"] == "delete" else mutation["fields"]
                    later_own: set[str] = set()
                    for later, _result in own[position + 1:]:
                        if (later["type"], later["record_id"]) == (mutation["type"], mutation["record_id"]):
                            later_own |= set(later["fields"]) | {"deleted"}
                    writes.append({"by": f"device {index}", "type": mutation["type"],
                                   "record_id": mutation["record_id"], "status": result["status"],
                                   "version": result["version"], "fields": fields, "later_own": later_own})
            return writes

    run_state_machine_as_test(SyncMachine, settings=settings(
        max_examples=max_examples, stateful_step_count=30, deadline=None, derandomize=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    ))


def _diff(index: int, held: dict[Any, Any], expected: dict[Any, Any]) -> str:
    lines = [f"device {index} differs from the server:"]
    for key in sorted(set(held) | set(expected)):
        if held.get(key) != expected.get(key):
            lines.append(f"  {key}: device {held.get(key)!r} / server {expected.get(key)!r}")
    return "\n".join(lines)


@pytest.mark.slow
def test_random_histories_converge_without_loss_or_duplication(app, client, backend):
    run_machine(app, client, max_examples=30 if backend == "sqlite" else 25)
