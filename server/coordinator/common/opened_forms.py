"""Desk forms that edit a synced record carry what they were opened at: the record's version and its
values (signed, so a form cannot claim another record's values). `sync.coordinator.edit_from_form` then
treats only the fields she changed as edits, and a field someone else changed meanwhile as a clash that
she decides on the re-rendered form (409, both values, nothing overwritten).

Used by the activity review, the guide's competence profile and the assignment's agreement: every desk
form that edits fields a guide's phone can also write. (Expense decisions act on submitted expenses,
which the phone can no longer change; a second decision is refused there.)
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import HiddenField, IntegerField
from wtforms.validators import Length, NumberRange, Optional

from server.extensions import db
from sync.coordinator import Clash, EditClash, current_wire_values

SALT = "lotsenbuch.desk-form.opened"


class OpenedForm(FlaskForm):
    """The two hidden fields: the version the form was opened at, and the values it showed then."""

    version = IntegerField(validators=[Optional(), NumberRange(min=0, max=2**31 - 1)])
    opened = HiddenField(validators=[Optional(), Length(max=100_000)])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def seal(record_type: str, record_id: str, values: dict[str, Any]) -> str:
    return str(_serializer().dumps({"t": record_type, "id": str(record_id),
                                    "v": json.loads(json.dumps(values, default=str))}))


def unseal(token: str | None, record_type: str, record_id: str) -> dict[str, Any] | None:
    """The values the form was opened with; None for a missing, forged or another record's token."""
    if not token:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") != record_type or data.get("id") != str(record_id) \
            or not isinstance(data.get("v"), dict):
        return None
    return dict(data["v"])


def stamp(form: OpenedForm, organization_id: int, record_type: str, record_id: str,
          version: int | None = None, values: dict[str, Any] | None = None) -> OpenedForm:
    """Set the hidden fields to what is stored now (or to `version`/`values` after a clash)."""
    if version is None or values is None:
        version, values = current_wire_values(db.session, organization_id, record_type, record_id)
    _set(form, version, seal(record_type, record_id, values))
    return form


def _set(form: OpenedForm, version: int, opened: str) -> None:
    form.version.data, form.version.raw_data = version, [str(version)]  # (an IntegerField renders raw_data)
    form.opened.data, form.opened.raw_data = opened, [opened]


def opened_values(form: OpenedForm, record_type: str, record_id: str) -> tuple[int | None, dict[str, Any] | None]:
    version = form.version.data if isinstance(form.version.data, int) else None
    return version, unseal(form.opened.data, record_type, record_id)


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(" ".join(str(v) for v in item.values() if v) if isinstance(item, dict) else str(item)
                         for item in value)
    return str(value)


def clash_messages(clash: EditClash, labels: dict[str, Any]) -> list[str]:
    """One line per clash for the re-rendered form: the field, the value stored now, hers."""
    lines = [_("Someone else (the guide’s app or a colleague) changed this since you opened the form. "
               "Nothing was saved. Check the fields below: save again to keep your values.")]
    for item in clash.clashes:
        lines.append(_clash_line(item, labels))
    return lines


def _clash_line(item: Clash, labels: dict[str, Any]) -> str:
    return _("%(field)s: stored now “%(theirs)s”, yours “%(mine)s”.", field=str(labels.get(item.field, item.field)),
             theirs=_shown(item.theirs), mine=_shown(item.mine))


def restamp_after_clash(form: OpenedForm, record_type: str, record_id: str, clash: EditClash) -> None:
    """After a clash the form shows her values but is opened at what is stored now: saving again is her
    decision to keep hers."""
    _set(form, clash.version, seal(record_type, record_id, clash.current))
