"""Write audit events. Append-only: nothing in the code updates or deletes them (and a trigger on
PostgreSQL refuses it)."""

from __future__ import annotations

from typing import Any

from server.audit.models import AuditEvent
from server.extensions import db
from sync.bulk_insert import insert_many
from sync.db import utcnow


def record_event(action: str, organization_id: int | None, *, actor_user_id: int | None = None,
                 device_id: str | None = None, object_type: str = "", object_id: Any = "",
                 details: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(action=action, organization_id=organization_id, actor_user_id=actor_user_id,
                       device_id=device_id, object_type=object_type, object_id=str(object_id),
                       details=details or {})
    db.session.add(event)
    return event


def record_events(events: list[dict[str, Any]]) -> None:
    """Many events at once (a sync batch), in one INSERT: the same rows `record_event` writes.
    Each dict holds `record_event`'s arguments by name."""
    if not events:
        return
    now = utcnow()
    rows = [{"action": e["action"], "organization_id": e["organization_id"], "at": now,
             "actor_user_id": e.get("actor_user_id"), "device_id": e.get("device_id"),
             "object_type": e.get("object_type", ""), "object_id": str(e.get("object_id", "")),
             "details": e.get("details") or {}} for e in events]
    insert_many(db.session, AuditEvent.__table__, rows)  # COPY on PostgreSQL
