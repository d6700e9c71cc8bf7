"""Write audit events. Append-only: nothing in the code updates or deletes them (and a trigger on
PostgreSQL refuses it)."""

from __future__ import annotations

from typing import Any

from server.audit.models import AuditEvent
from server.extensions import db
from sync.bulk_insert import insert_many
from sync.clock import utcnow


def record_event(action: str, organization_id: int | None, *, actor_user_id: int | None = None,
                 device_id: str | None = None, object_type: str = "", object_id: Any = "",
                 details: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(action=action, organization_id=organization_id, actor_user_id=actor_user_id,
                       device_id=device_id, object_type=object_type, object_id=str(object_id),
                       details=details or {})
    db.session.add(event)
    return event


def record_sync_events(organization_id: int, user_id: int, device_id: str,
                       applied: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """One event per applied mutation of a sync batch (who, which device, what changed, when), the
    rows `record_event` would write, in one INSERT (COPY on PostgreSQL): built here in one pass, as
    they are per record of a push of thousands."""
    if not applied:
        return
    now = utcnow()
    rows = [{"action": f"sync.{mutation['type']}.{mutation['op']}", "organization_id": organization_id, "at": now,
             "actor_user_id": user_id, "device_id": device_id, "object_type": mutation["type"],
             "object_id": str(mutation["record_id"]),
             "details": {"mutation_id": mutation["id"], "status": result["status"], "version": result.get("version"),
                         "fields": sorted(mutation["fields"])}}
            for mutation, result in applied]
    insert_many(db.session, AuditEvent.__table__, rows)
