"""Write audit events. Append-only: nothing in the code updates or deletes them (and a trigger on
PostgreSQL refuses it)."""

from __future__ import annotations

from typing import Any

from server.audit.models import AuditEvent
from server.extensions import db


def record_event(action: str, organization_id: int | None, *, actor_user_id: int | None = None,
                 device_id: str | None = None, object_type: str = "", object_id: Any = "",
                 details: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(action=action, organization_id=organization_id, actor_user_id=actor_user_id,
                       device_id=device_id, object_type=object_type, object_id=str(object_id),
                       details=details or {})
    db.session.add(event)
    return event
