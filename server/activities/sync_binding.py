"""Activities over sync: a guide's own meetings and time; approved ones are locked for the guide."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.activities.models import Activity
from server.assignments.models import Assignment
from sync.merge import Author
from sync.registry import Binding
from sync.spec import MSG


class ActivityBinding(Binding):
    type_name = "activity"
    model = Activity
    ignored_attrs = Binding.ignored_attrs | {"approved_at", "approved_by_id", "plenum_event_id", "guide_id"}
    bulk_creates = True  # one row, no side effects on other records

    def lock_reason(self, obj: Any, author: Author) -> str | None:
        if not author.is_staff and obj.state == "approved":
            return "approved"
        return None

    def validate_references(self, session: Session, obj: Any | None, values: dict[str, Any],
                            organization_id: int, guide_id: int) -> dict[str, list[str]]:
        assignment_id = values.get("assignment_id")
        if assignment_id is None:
            return {}
        found = session.scalar(select(Assignment.id).where(
            Assignment.id == assignment_id, Assignment.organization_id == organization_id,
            Assignment.guide_id == guide_id, Assignment.deleted_at.is_(None)))
        return {} if found else {"assignment_id": [MSG["reference"]]}
