"""One request's batch: its mutations with their envelopes checked, the results stored by earlier
requests (replays), and the records it touches. Both writers (`sync/push/plan.py` picks one) read
and answer through it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync import feed
from sync.push.answers import DeviceContext, Rejected, rejection
from sync.push.validate import envelope_errors
from sync.registry import BINDINGS, Binding
from sync.spec import MUTABLE_TYPES, UUID_RE
from sync.tables import AppliedMutation

CHUNK = 500  # ids per look-up statement


@dataclass
class Item:
    """A mutation as sent, with its envelope checked (`errors` empty: `binding` is its type's)."""

    mutation: dict[str, Any]
    errors: dict[str, list[str]]
    binding: Binding | None

    @property
    def key(self) -> tuple[str, str]:
        return (str(self.mutation.get("type")), str(self.mutation.get("record_id")))


class Batch:
    def __init__(self, session: Session, ctx: DeviceContext, mutations: list[dict[str, Any]]) -> None:
        self.session, self.ctx = session, ctx
        self.items = [_item(m) for m in mutations]
        # records whose server state the device is sent with this response, whatever its cursor
        self.force: set[tuple[str, str]] = set()
        self.applied: list[tuple[dict[str, Any], dict[str, Any]]] = []  # for the audit log and alerts
        self.answered: dict[str, dict[str, Any]] = {}  # mutation id -> result, in this request
        self.known: dict[tuple[str, str], Any] = {}  # existing records, once looked up
        self.prior = stored_results(session, ctx.device_id, [m["id"] for m in mutations])

    def look_up_records(self) -> None:
        """Load (and lock) every existing record the batch touches, in one query per type."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for item in self.items:
            m = item.mutation
            if m["id"] not in self.prior and m.get("type") in MUTABLE_TYPES and isinstance(m.get("record_id"), str) \
                    and UUID_RE.match(m["record_id"]):
                wanted[m["type"]].add(m["record_id"])
        for record_type, ids in sorted(wanted.items()):
            model = BINDINGS[record_type].model
            ordered = sorted(ids)  # a fixed lock order: concurrent batches cannot deadlock on these rows
            for start in range(0, len(ordered), CHUNK):
                query = (select(model).where(feed.one_of(self.session, model.id, ordered[start:start + CHUNK]))
                         .order_by(model.id).with_for_update().execution_options(populate_existing=True))
                for obj in self.session.scalars(query):
                    self.known[(record_type, obj.id)] = obj

    def replayed(self, item: Item) -> dict[str, Any] | None:
        """The answer already given to this mutation (by an earlier request or earlier in this one)."""
        mutation = item.mutation
        if mutation["id"] in self.prior:
            result = dict(self.prior[mutation["id"]])
            if result["status"] in ("rejected", "conflict") and mutation.get("type") in MUTABLE_TYPES:
                # The first answer (with the server's state) may have been lost: send that state again.
                self.force.add(item.key)
            return result
        return self.answered.get(mutation["id"])

    def reject(self, item: Item, exc: Rejected) -> dict[str, Any]:
        mutation = item.mutation
        if mutation.get("type") in MUTABLE_TYPES and isinstance(mutation.get("record_id"), str):
            # Whatever the device did optimistically is undone by the server's state (if it may see it).
            self.force.add(item.key)
        obj = self.known.get(item.key)
        return rejection(mutation, exc, None if exc.code == "forbidden" or obj is None else obj.version)

    def answer(self, item: Item, result: dict[str, Any]) -> None:
        self.answered[item.mutation["id"]] = result
        if result["status"] != "rejected":
            self.applied.append((item.mutation, result))

    def stored_meanwhile(self) -> bool:
        """Whether another request of this device has stored results of this batch since it was read
        (a retry racing its original): the next attempt replays them."""
        now = stored_results(self.session, self.ctx.device_id, [item.mutation["id"] for item in self.items])
        return len(now) > len(self.prior)


def stored_results(session: Session, device_id: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The results stored for these mutations of the device, by mutation id."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        for mutation_id, result in session.execute(feed.each_of(
            session, [AppliedMutation.mutation_id, AppliedMutation.result], AppliedMutation.mutation_id,
            ids[start:start + CHUNK], AppliedMutation.device_id == device_id,
        )):
            found[mutation_id] = result
    return found


def _item(mutation: dict[str, Any]) -> Item:
    errors = envelope_errors(mutation)
    return Item(mutation, errors, None if errors else BINDINGS[mutation["type"]])
