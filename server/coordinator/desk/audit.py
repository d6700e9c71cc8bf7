"""The audit log: a filtered page and a CSV export; opening and exporting are audited too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from server.audit import labels, queries
from server.audit.log import record_event
from server.coordinator.common.auth import current_org_id, staff_required
from server.coordinator.common.exports import Column, export_response
from server.extensions import db
from sync import clock

PAGE_SIZE = 100


def export_columns() -> list[Column]:
    """The columns of `queries.export_rows`: in words first, then the machine keys."""
    return [Column(_("When"), "datetime", 17), Column(_("Who"), width=24), Column(_("Action"), width=34),
            Column(_("Object"), width=22), Column(_("Details"), width=60),
            *(Column(key, width=14) for key in queries.MACHINE_COLUMNS)]


def _filters() -> queries.AuditFilters:
    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    actor = request.args.get("actor", "")
    return queries.AuditFilters(actor_id=int(actor) if actor.isdigit() and len(actor) <= 9 else None,
                                action=request.args.get("action", "").strip()[:60],
                                date_from=day("from"), date_to=day("to"))


def _described(filters: queries.AuditFilters) -> dict[str, Any]:
    return {"actor_id": filters.actor_id, "action": filters.action,
            "from": filters.date_from.isoformat() if filters.date_from else None,
            "to": filters.date_to.isoformat() if filters.date_to else None}


@staff_required
def audit() -> Any:
    org_id = current_org_id()
    filters = _filters()
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    record_event("audit.viewed", org_id, actor_user_id=current_user.id, details=_described(filters))
    db.session.commit()
    rows = queries.events(db.session, org_id, filters, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    names = queries.add_names(db.session, {}, {i for event, _actor in rows for i in labels.user_ids(event.details)})
    return render_template("coordinator/audit.html", rows=rows[:PAGE_SIZE], has_more=len(rows) > PAGE_SIZE,
                           page=page, filters=filters, actions=queries.actions(db.session, org_id),
                           actors=queries.actors(db.session, org_id), labels=labels, names=names)


@staff_required
def audit_export(file_format: str) -> Any:
    org_id = current_org_id()
    filters = _filters()
    record_event("audit.exported", org_id, actor_user_id=current_user.id,
                 details={**_described(filters), "format": file_format})
    db.session.commit()
    return export_response(file_format, f"audit-{clock.today().isoformat()}", _("Audit log"),
                           export_columns(), queries.export_rows(db.session, org_id, filters))
