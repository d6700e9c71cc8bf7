"""Every check of a mutation, in one place for both writers (`orm_writer`, `bulk_writer`).

The envelope (type, op, record id, base version) is checked once per mutation when the batch is
read (`sync/push/batch.py`); the fields against the record type's rules (`sync/spec.py`) and the
binding's references, once, by whichever writer takes the mutation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sync.push.answers import DeviceContext, Rejected
from sync.registry import Binding
from sync.spec import MSG, MUTABLE_TYPES, UUID_RE


def envelope_errors(mutation: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors in a mutation's envelope (its type, op, record id, base version)."""
    errors: dict[str, list[str]] = {}
    if mutation.get("type") not in MUTABLE_TYPES:
        errors["type"] = [MSG["choice"]]
    if mutation.get("op") not in ("upsert", "delete"):
        errors["op"] = [MSG["choice"]]
    record_id = mutation.get("record_id")
    if not isinstance(record_id, str) or not UUID_RE.match(record_id):
        errors["record_id"] = [MSG["uuid"]]
    base = mutation.get("base_version")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 0):
        errors["base_version"] = [MSG["type_int"]]
    if mutation.get("op") == "upsert" and not isinstance(mutation.get("fields", {}), dict):
        errors["fields"] = [MSG["type_list"]]
    return errors


def clean_fields(session: Session, ctx: DeviceContext, binding: Binding, obj: Any, mutation: dict[str, Any],
                 creating: bool) -> dict[str, Any]:
    """The mutation's fields as the record type accepts them from a guide, or `Rejected("invalid")`."""
    clean, errors = binding.spec.validate(mutation.get("fields") or {}, "guide", creating=creating)
    errors.update(binding.validate_references(session, obj, clean, ctx.organization_id, ctx.guide_id))
    if errors:
        raise Rejected("invalid", errors)
    return clean
