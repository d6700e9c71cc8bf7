"""The pull half of a round trip: read the feed after a cursor and turn rows into wire changes.

The cursor is opaque to clients: `v1:<organization>:<seq>`, base64url. A cursor of another
organization, or one that does not parse, is refused (`BadCursor` → 400 `invalid_cursor`); a forged
one can only re-read the device's own scope, because the feed is addressed per audience.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync import feed
from sync.registry import BINDINGS, Binding
from sync.spec import UUID_RE
from sync.tables import SyncChange, SyncCounter

if TYPE_CHECKING:
    from sync.engine import DeviceContext


class BadCursor(ValueError):
    pass


# ------------------------------------------------------------------------------------------ cursor

def encode_cursor(organization_id: int, seq: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{organization_id}:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, organization_id: int) -> int:
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, org, seq = raw.split(":")
        if version != "v1" or int(org) != organization_id or int(seq) < 0:
            raise ValueError(raw)
        return int(seq)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None


# ------------------------------------------------------------------------------------------ pull

def pull(session: Session, ctx: DeviceContext, after_seq: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
    top = session.scalar(select(SyncCounter.value).where(SyncCounter.organization_id == ctx.organization_id))
    if top is not None and top <= after_seq:
        return [], after_seq, False  # nothing numbered since the cursor: skip the feed query
    rows, has_more = feed.pull_page(session, ctx.organization_id, ctx.guide_id, after_seq, limit)
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if not row.deleted:
            ids_by_type[row.record_type].append(row.record_id)
    objects: dict[tuple[str, str], Any] = {}
    for record_type, ids in ids_by_type.items():
        binding = BINDINGS[record_type]
        for obj in load_many(session, binding, ids):
            objects[(record_type, str(obj.id))] = obj
    changes = []
    for row in rows:
        obj = objects.get((row.record_type, row.record_id))
        changes.append(_change(session, row, obj))
    last_seq = rows[-1].seq if rows else after_seq
    return changes, last_seq, has_more


def load_many(session: Session, binding: Binding, ids: list[str]) -> list[Any]:
    pk = binding.model.__mapper__.primary_key[0]
    keys: list[Any] = [int(i) for i in ids] if pk.type.python_type is int else ids
    found: list[Any] = []
    for start in range(0, len(keys), 500):
        found.extend(session.scalars(select(binding.model).where(pk.in_(keys[start:start + 500]))).all())
    return found


def _change(session: Session, row: SyncChange, obj: Any) -> dict[str, Any]:
    if row.deleted or obj is None or getattr(obj, "deleted_at", None) is not None:
        return {"type": row.record_type, "record_id": row.record_id, "version": row.version, "deleted": True,
                "data": None}
    binding = BINDINGS[row.record_type]
    return {"type": row.record_type, "record_id": row.record_id, "version": obj.version, "deleted": False,
            "data": binding.to_wire(session, obj, row.audience)}


def current_change(session: Session, ctx: DeviceContext, record_type: str, record_id: str) -> dict[str, Any] | None:
    """The record as the device should hold it now, outside the cursor order (after a rejection)."""
    binding = BINDINGS.get(record_type)
    if binding is None or not UUID_RE.match(record_id):
        return None
    obj = session.get(binding.model, record_id)
    if obj is None or obj.organization_id != ctx.organization_id:
        return None
    if not binding.visible_to_guide(session, obj, ctx.guide_id):
        return None
    deleted = obj.deleted_at is not None
    return {"type": record_type, "record_id": record_id, "version": obj.version, "deleted": deleted,
            "data": None if deleted else binding.to_wire(session, obj, str(ctx.guide_id))}
