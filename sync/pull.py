"""The pull half of a round trip: read the feed after a cursor and turn rows into wire changes.

The cursor is opaque to clients: `v2:<organization>:<seq>:<epoch>`, base64url (`v1:<organization>:<seq>`
from servers before the feed had an epoch, still accepted). A cursor of another
organization, or one that does not parse, is refused (`BadCursor` → 400 `invalid_cursor`); a forged
one can only re-read the device's own scope, because the feed is addressed per audience.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.feed.queries import load_many, page_query_and_layouts
from sync.push.answers import DeviceContext
from sync.registry import BINDINGS
from sync.spec import UUID_RE
from sync.tables import SyncCounter


class BadCursor(ValueError):
    pass


# ------------------------------------------------------------------------------------------ cursor

def encode_cursor(organization_id: int, seq: int, epoch: str | None = None) -> str:
    raw = f"v1:{organization_id}:{seq}" if epoch is None else f"v2:{organization_id}:{seq}:{epoch}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_cursor(cursor: str | None, organization_id: int) -> tuple[int, str | None]:
    """The position a cursor names and the feed epoch it was handed out in (None: a v1 cursor, or none)."""
    if cursor is None:
        return 0, None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, org, seq, *rest = raw.split(":")
        if (version, len(rest)) not in {("v1", 0), ("v2", 1)} or int(org) != organization_id or int(seq) < 0:
            raise ValueError(raw)
        return int(seq), (rest[0] if rest else None)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None


def decode_cursor(cursor: str | None, organization_id: int) -> int:
    return read_cursor(cursor, organization_id)[0]


def feed_top(session: Session, organization_id: int) -> tuple[int | None, str | None]:
    """The organization's counter (the highest position handed out; None before its first change) and epoch."""
    row = session.execute(select(SyncCounter.value, SyncCounter.epoch)
                          .where(SyncCounter.organization_id == organization_id)).first()
    return (None, None) if row is None else (int(row[0]), row[1])


# ------------------------------------------------------------------------------------------ pull

def pull(session: Session, ctx: DeviceContext, after_seq: int, limit: int,
         top: int | None = None) -> tuple[list[dict[str, Any]], int, bool]:
    """A page of changes after `after_seq` (wire form), the page's last seq and whether more remain.
    `top`: the counter as the caller read it (`feed_top`), to save reading it again."""
    if after_seq:
        if top is None:
            top = session.scalar(select(SyncCounter.value).where(SyncCounter.organization_id == ctx.organization_id))
        if top is not None and top <= after_seq:
            return [], after_seq, False  # nothing numbered since the cursor: skip the feed query
    # The feed page with plain records' columns joined in: one query reads most of a page.
    statement, layouts = page_query_and_layouts(session.get_bind().dialect.name == "postgresql")
    result = session.connection().execute(statement, {
        "org": ctx.organization_id, "audience": str(ctx.guide_id), "after": after_seq, "fetch": limit + 1,
    }).all()
    rows, has_more = result[:limit], len(result) > limit
    changes: list[dict[str, Any]] = []
    waiting: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # type -> (index, id, audience)
    for record_type, record_id, version, deleted, audience, _seq, *columns in rows:
        change = {"type": record_type, "record_id": record_id, "version": version, "deleted": True, "data": None}
        changes.append(change)
        if deleted:
            continue
        layout = layouts.get(record_type)
        if layout is None:  # shaped by its binding: loaded below
            waiting[record_type].append((len(changes) - 1, record_id, audience))
            continue
        # A plain record: wire data straight from its joined columns (its version first, then its fields;
        # no version: the record is deleted and the feed row not yet marked).
        start, end, names, converted = layout
        if columns[start] is not None:
            data = dict(zip(names, columns[start + 1:end], strict=True))
            for name, convert in converted:
                data[name] = convert(data[name])
            change.update(version=columns[start], deleted=False, data=data)
    # The other types: loaded as objects, one query per type, shaped by their binding.
    for record_type, entries in waiting.items():
        binding = BINDINGS[record_type]
        objects = {binding.record_id_of(obj): obj for obj in load_many(session, binding, [e[1] for e in entries])}
        for index, record_id, audience in entries:
            obj = objects.get(record_id)
            if obj is not None and getattr(obj, "deleted_at", None) is None:
                changes[index].update(version=obj.version, deleted=False,
                                      data=binding.to_wire(session, obj, audience))
    last_seq = rows[-1].seq if rows else after_seq
    return changes, last_seq, has_more


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
