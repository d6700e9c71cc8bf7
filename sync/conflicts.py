"""The `conflict` record type: read-only for guides, decided by a coordinator."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sync.registry import Binding
from sync.spec import wire_value
from sync.tables import Conflict


class ConflictBinding(Binding):
    type_name = "conflict"
    model = Conflict

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        return {
            "record_type": obj.record_type, "record_id": obj.record_id, "field": obj.field,
            "kept_value": obj.kept_value, "lost_value": obj.lost_value, "lost_by": obj.lost_by,
            "resolved": obj.resolved, "resolution": obj.resolution, "created_at": wire_value(obj.created_at),
        }
