"""Plain helpers for the API tests: database snapshots and server-side records made directly."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select


def table_counts() -> dict[str, int]:
    """Rows per table (audit log aside), to show that a refused request changed nothing."""
    from server.extensions import db

    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name in ("audit_events", "audit_log"):
            continue
        counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
    return counts


def snapshot(model: Any, record_id: Any) -> dict[str, Any] | None:
    """A row's column values, read fresh from the database."""
    from server.extensions import db

    db.session.expire_all()
    row = db.session.execute(select(model.__table__).where(model.__table__.c.id == record_id)).mappings().first()
    return None if row is None else dict(row)


def make_assignment(org: Any, guide_id: int | None = None, offered_to: tuple[Any, ...] = (),
                    state: str | None = None) -> str:
    """An assignment made by the coordination office, offered to `offered_to` or given to `guide_id`."""
    from server.assignments.models import Assignment, AssignmentOffer
    from server.extensions import db

    assignment = Assignment(id=str(uuid.uuid4()), organization_id=org.id, title="Begleitung Jobcenter",
                            starts_on=dt.date(2026, 11, 1), guide_id=guide_id,
                            state=state or ("active" if guide_id else "offered"))
    for guide in offered_to:
        assignment.offers.append(AssignmentOffer(organization_id=org.id, guide_id=guide.id, state="offered"))
    db.session.add(assignment)
    db.session.commit()
    return assignment.id


def coordinator_author(coordinator: Any) -> Any:
    from sync.merge import Author

    return Author(role="coordinator", user_id=coordinator.id)
