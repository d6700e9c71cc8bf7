"""Routes for the conflicts inbox: open sync conflicts of the organization, both values side by side,
and the coordinator's decision (keep the kept value, restore the lost one, or write a new one).

The decision goes through `sync.coordinator.resolve_conflict`: the record's new value and the conflict's
`resolved` state reach the guide's phones on their next sync; every decision is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from server.accounts.models import Device, User
from server.audit.log import record_event
from server.coordinator.common.access import get_conflict_or_404
from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.forms import ConflictForm
from server.extensions import db
from server.i18n import flash
from sync.coordinator import CoordinatorError, resolve_conflict
from sync.registry import BINDINGS
from sync.spec import RECORD_SPECS
from sync.tables import Conflict

RECORD_LABELS = {"activity": _l("Activity"), "expense": _l("Expense"), "claim": _l("Claim"),
                 "assignment": _l("Assignment"), "profile": _l("Competence profile")}
PAGE_SIZE = 50


@dataclass
class ConflictRow:
    conflict: Conflict
    guide_name: str
    device_name: str
    record: Any  # the record now, or None when it is gone



def _record(conflict: Conflict) -> Any:
    binding = BINDINGS.get(conflict.record_type)
    if binding is None:
        return None
    obj = db.session.get(binding.model, conflict.record_id)
    return obj if obj is not None and getattr(obj, "organization_id", None) == conflict.organization_id else None


def parse_new_value(record_type: str, field: str, raw: str) -> Any:
    """The typed text as the field's JSON value (numbers, yes/no, lists as JSON); the sync spec checks it."""
    spec = RECORD_SPECS.get(record_type)
    wire = next((f for f in spec.fields if f.name == field), None) if spec else None
    text = raw.strip()
    if wire is None:
        return text
    if text == "" and wire.nullable:
        return None
    if wire.kind == "int":
        try:
            return int(text)
        except ValueError:
            return text  # refused by the spec with its own message
    if wire.kind == "bool":
        return text.lower() in ("1", "true", "yes", "ja", "on")
    if wire.kind in ("languages", "sha256_list", "str_list"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _rows(conflicts: list[Conflict]) -> list[ConflictRow]:
    names = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_({c.guide_id for c in conflicts}))).all()) if conflicts else {}
    device_ids = {c.lost_device_id for c in conflicts if c.lost_device_id}
    devices = dict(db.session.execute(select(Device.id, Device.name).where(
        Device.id.in_(device_ids))).all()) if device_ids else {}
    return [ConflictRow(c, names.get(c.guide_id, ""), devices.get(c.lost_device_id or "", ""), _record(c))
            for c in conflicts]


@staff_required
def conflicts() -> Any:
    show = "resolved" if request.args.get("show") == "resolved" else "open"
    query = select(Conflict).where(Conflict.organization_id == current_org_id(), Conflict.deleted_at.is_(None),
                                   Conflict.resolved.is_(show == "resolved"))
    query = query.order_by(Conflict.resolved_at.desc() if show == "resolved" else Conflict.created_at)
    rows = _rows(list(db.session.scalars(query.limit(PAGE_SIZE))))
    return render_template("coordinator/conflicts.html", rows=rows, show=show, record_labels=RECORD_LABELS,
                           form=ConflictForm(formdata=None))


@staff_required
def resolve(conflict_id: str) -> Any:
    conflict = get_conflict_or_404(conflict_id)
    form = ConflictForm()
    if not form.validate_on_submit():
        flash(_l("Choose what to keep."), "error")
        return redirect(url_for("coordinator.conflicts"))
    choice = form.choice.data
    value = parse_new_value(conflict.record_type, conflict.field, form.value.data or "") if choice == "new" else None
    if choice == "new" and conflict.field == "deleted":
        flash(_l("A deletion can only be kept or undone."), "error")
        return redirect(url_for("coordinator.conflicts"))
    try:
        resolve_conflict(db.session, current_author(), current_org_id(), conflict.id, choice, value)
    except CoordinatorError as exc:
        db.session.rollback()
        if exc.code == "already_resolved":
            flash(_l("This conflict was resolved already."), "info")
        elif exc.code == "not_found":
            flash(_l("The record of this conflict no longer exists."), "error")
        else:
            details = "; ".join(f"{f}: {', '.join(map(str, m))}" for f, m in (exc.fields or {}).items())
            flash(_l("The value could not be saved: %(details)s", details=details or exc.code), "error")
        return redirect(url_for("coordinator.conflicts"))
    record_event("conflict.resolved", current_org_id(), actor_user_id=current_user.id, object_type="conflict",
                 object_id=conflict.id, details={"choice": choice, "record_type": conflict.record_type,
                                                 "record_id": conflict.record_id, "field": conflict.field,
                                                 "guide_id": conflict.guide_id})
    db.session.commit()
    flash(_l("The conflict was resolved. The guide’s app shows the outcome after its next sync."), "info")
    return redirect(url_for("coordinator.conflicts"))
