"""The audit log in words: one translatable label per action kind, per detail field and per object type,
and `describe()` that turns an event's details into lines such as "Amount: 12,00 € → 15,00 €".

Every action the code records needs its label here (tests/coordinator/test_audit_labels.py scans the
code for them); the sync actions `sync.<record type>.<op>` are labelled from their record type and op.
The CSV export keeps the machine keys next to these words (server/audit/queries.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from server.audit.models import AuditEvent

ACTION_LABELS = {
    "account.mail_preferences_changed": _l("Mail preferences changed"),
    "account.password_changed": _l("Own password changed"),
    "account.password_reset_requested": _l("Password link requested"),
    "message.sent": _l("Message sent to guides"),
    "public.form_settings_changed": _l("Public request form settings changed"),
    "public.profile_edited": _l("Directory entry edited"),
    "public.profile_published": _l("Directory entry published"),
    "public.profile_withdrawn": _l("Directory entry withdrawn"),
    "push.queued": _l("Push notification queued"),
    "push.subscribed": _l("Push notifications turned on for a phone"),
    "push.subscription_gone": _l("Push subscription removed by the push service"),
    "push.unsubscribed": _l("Push notifications turned off for a phone"),
    "request.filed_on_web_form": _l("Request filed on the public form"),
    "staff.invited": _l("Staff member invited"),
    "staff.reset_link_sent": _l("Password link sent to a staff member"),
    "activity.approved": _l("Activity approved"),
    "activity.approved_bulk": _l("Activities approved together"),
    "activity.corrected": _l("Activity corrected"),
    "assignment.edited": _l("Assignment changed"),
    "assignment.offered": _l("Assignment offered to guides"),
    "assignment.offer_withdrawn": _l("Offer withdrawn"),
    "audit.exported": _l("Audit log exported"),
    "audit.viewed": _l("Audit log viewed"),
    "blob.uploaded": _l("Receipt uploaded"),
    "certificate.downloaded": _l("Certificate downloaded"),
    "certificate.issued": _l("Certificate issued"),
    "certificate.revoked": _l("Certificate revoked"),
    "conflict.resolved": _l("Sync conflict resolved"),
    "coordinator.organization_switched": _l("Switched organization"),
    "coordinator.session_ended": _l("Session ended"),
    "coordinator.signed_in": _l("Signed in"),
    "coordinator.signed_out": _l("Signed out"),
    "coordinator.signed_out_everywhere": _l("Signed out on every device"),
    "coordinator.totp_disabled": _l("Two-step sign-in turned off"),
    "coordinator.totp_enabled": _l("Two-step sign-in turned on"),
    "demo.seeded": _l("Demo data loaded"),
    "device.enrolled": _l("Phone enrolled"),
    "device.enrolment_code_issued": _l("Enrolment code issued"),
    "device.revoked": _l("Phone revoked"),
    "device.revoked_all": _l("All phones of a guide revoked"),
    "export.downloaded": _l("List downloaded"),
    "guide.erased": _l("Guide erased (Art. 17 GDPR)"),
    "guide.import_previewed": _l("Guide import previewed"),
    "guide.imported": _l("Guides imported"),
    "guide.profile_edited": _l("Guide profile changed"),
    "guide.qualification_added": _l("Qualification added"),
    "guide.qualification_removed": _l("Qualification removed"),
    "money.allowance_approved": _l("Allowance approved"),
    "money.allowance_rate_set": _l("Allowance rate set"),
    "money.allowance_reopened": _l("Allowance reopened"),
    "money.allowances_computed": _l("Allowances computed"),
    "money.bank_account_set": _l("Organization's bank account set"),
    "money.expense_approved": _l("Expense approved"),
    "money.expense_rejected": _l("Expense rejected"),
    "money.expense_submitted": _l("Expense decision undone"),
    "money.guide_bank_account_set": _l("Guide's bank account set"),
    "money.km_rate_set": _l("Mileage rate set"),
    "money.payout_cancelled": _l("Payout cancelled"),
    "money.payout_changed": _l("Payout changed"),
    "money.payout_created": _l("Payout created"),
    "money.payout_downloaded": _l("Payout file downloaded"),
    "money.payout_exported": _l("Payout exported"),
    "money.payout_paid": _l("Payout marked paid"),
    "money.tax_free_limit_set": _l("Tax-free limit set"),
    "money.year_statement_downloaded": _l("Year statement downloaded"),
    "organization.created": _l("Organization created"),
    "organization.logo_removed": _l("Logo removed"),
    "organization.logo_set": _l("Logo uploaded"),
    "organization.reporting_changed": _l("Report and booking settings changed"),
    "organization.settings_changed": _l("Organization settings changed"),
    "course.attendance_taken": _l("Course attendance taken"),
    "course.created": _l("Course created"),
    "course.edited": _l("Course changed"),
    "course.finished": _l("Course concluded"),
    "course.registered": _l("Registered for a course"),
    "course.registration_decided": _l("Course registration decided"),
    "course.session_added": _l("Course session added"),
    "course.session_deleted": _l("Course session deleted"),
    "course.trainers_changed": _l("Course trainers changed"),
    "partner.created": _l("Partner institution added"),
    "partner.edited": _l("Partner institution changed"),
    "plenum.attendance_taken": _l("Plenum attendance taken"),
    "plenum.created": _l("Plenum created"),
    "plenum.deleted": _l("Plenum deleted"),
    "plenum.edited": _l("Plenum changed"),
    "privacy.exported": _l("Personal data exported (Art. 15 GDPR)"),
    "privacy.restricted_receipt_viewed": _l("Restricted receipt viewed"),
    "privacy.restricted_viewed": _l("Restricted records viewed"),
    "privacy.retention_applied": _l("Retention periods applied"),
    "privacy.retention_changed": _l("Retention periods changed"),
    "report.downloaded": _l("Funder report downloaded"),
    "request.created": _l("Request created"),
    "request.edited": _l("Request changed"),
    "request.state_changed": _l("Request status changed"),
    "staff.created": _l("Coordinator added"),
    "staff.deactivated": _l("Staff account deactivated"),
    "user.created": _l("User created"),
}

# Synced records (`sync.<type>.<op>`): the record type's name and what happened to it.
SYNC_RECORD_LABELS = {
    "activity": _l("activity"), "expense": _l("expense"), "claim": _l("claim"), "assignment": _l("assignment"),
    "profile": _l("profile"), "attendance": _l("attendance"),
    "course_registration": _l("course registration"),
}
SYNC_OP_LABELS = {
    "upsert": _l("Synced from the phone: %(record)s saved"),
    "delete": _l("Synced from the phone: %(record)s deleted"),
}

OBJECT_LABELS = {
    "activity": _l("Activity"), "assignment": _l("Assignment"), "certificate": _l("Certificate"),
    "claim": _l("Claim"), "conflict": _l("Conflict"), "course": _l("Course"), "device": _l("Phone"), "expense": _l("Expense"),
    "organization": _l("Organization"), "partner": _l("Partner"), "payout": _l("Payout"), "plenum": _l("Plenum"),
    "profile": _l("Profile"), "receipt": _l("Receipt"), "report": _l("Report"), "request": _l("Request"),
    "user": _l("User"), "blob": _l("Receipt file"), "allowance_month": _l("Allowances of"),
    "allowance_rate": _l("Allowance rate"), "mileage_rate": _l("Mileage rate"), "qualification": _l("Qualification"),
    "tax_free_limit": _l("Tax-free limit"), "list": _l("List"), "allowance_line": _l("Allowance"), "rate": _l("Rate"),
}

FIELD_LABELS = {
    "activities": _l("Activities"), "filters": _l("Filters"), "activity_ids": _l("Activities"), "added": _l("Added"), "after": _l("After"),
    "allowance_line_ids": _l("Allowance lines"), "amount": _l("Amount"), "amount_cents": _l("Amount"),
    "assignment_id": _l("Assignment"), "before": _l("Before"), "bic": _l("BIC"),
    "booking_retention_years": _l("Keep booking records (years)"), "cents": _l("Amount"),
    "cents_per_km": _l("Cents per km"), "changes": _l("Changes"), "choice": _l("Choice"), "claim_id": _l("Claim"),
    "claim_ids": _l("Claims"), "claims": _l("Claims"), "client": _l("Client"), "content_type": _l("File type"),
    "count": _l("Number"), "counts": _l("Numbers"), "date": _l("Date"), "days": _l("Days"),
    "email": _l("Email"), "execution_date": _l("Execution date"), "expenses": _l("Expenses"),
    "fields": _l("Fields"), "file": _l("File"), "format": _l("Format"), "from": _l("From"),
    "funding_reference": _l("Funding reference"), "guide_id": _l("Guide"), "guides": _l("Guides"),
    "iban_last4": _l("IBAN ends in"), "kind": _l("Kind"), "legal_basis": _l("Legal basis"), "lines": _l("Lines"),
    "message_id": _l("SEPA message id"), "minutes": _l("Minutes"), "missing": _l("Missing"), "mode": _l("Mode"),
    "month": _l("Month"), "name": _l("Name"), "new": _l("New"), "old": _l("Before"), "paid_on": _l("Paid on"),
    "planned_minutes": _l("Planned minutes"), "previous": _l("Before"), "query": _l("Search"),
    "reason": _l("Reason"), "receipt_id": _l("Receipt"), "record_type": _l("Record type"), "removed": _l("Removed"),
    "removed_attendance": _l("Attendance removed"), "removed_claim_id": _l("Claim removed"),
    "request_id": _l("Request"), "retention_months": _l("Anonymise after (months)"), "role": _l("Role"),
    "rows": _l("Rows"), "rows_with_errors": _l("Rows with errors"), "sessions": _l("Sessions"),
    "sessions_ended": _l("Sessions ended"), "size": _l("Size (bytes)"), "size_bytes": _l("Size (bytes)"),
    "slug": _l("Short name"), "state": _l("Status"), "status": _l("Status"), "title": _l("Title"),
    "to": _l("To"), "total_cents": _l("Total"), "type": _l("Type"), "unit": _l("Unit"),
    "user_ids": _l("Users"), "valid_from": _l("Valid from"), "version": _l("Version"), "via": _l("Via"),
    "year": _l("Year"), "mutation_id": _l("Mutation"), "actor_id": _l("Who"), "action": _l("Action"),
    "results": _l("Results"), "value": _l("Value"), "limit_state": _l("Tax-free limit"),
    "activity_kinds": _l("Activity kinds"), "category": _l("Category"),
}

# Detail values that are codes: shown by their label (tables kept where the codes are defined).
def _value_labels() -> dict[str, Mapping[str, Any]]:
    from server.labels import ACTIVITY_KIND_LABELS, EXPENSE_CATEGORY_LABELS
    from server.money.limits import LEGAL_BASIS_LABELS, LIMIT_STATE_LABELS

    return {"legal_basis": LEGAL_BASIS_LABELS, "limit_state": LIMIT_STATE_LABELS, "kind": ACTIVITY_KIND_LABELS,
            "category": EXPENSE_CATEGORY_LABELS}


# Details that name a user by id: shown by the name (`describe(..., names)`).
USER_KEYS = ("guide_id", "actor_id", "user_id")

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    parts = action.split(".")
    if len(parts) == 3 and parts[0] == "sync" and parts[2] in SYNC_OP_LABELS:
        record = SYNC_RECORD_LABELS.get(parts[1], parts[1])
        return str(SYNC_OP_LABELS[parts[2]]) % {"record": record}
    return action  # an action recorded by an older version: its key is still better than nothing


def field_label(key: str) -> str:
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    if key.startswith("booking_account."):
        return _("Booking account %(key)s", key=key.split(".", 1)[1])
    return key.replace("_", " ").capitalize()


def object_label(event: AuditEvent) -> str:
    if not event.object_type:
        return ""
    name = OBJECT_LABELS.get(event.object_type)
    return f"{name if name is not None else event.object_type} {event.object_id}".strip()


def actor_label(actor_name: str | None) -> str:
    """Who did it: a person's name, or the system (command line, retention job, demo)."""
    return actor_name or _("System")


def value_text(key: str, value: Any, names: Mapping[int, str] | None = None) -> str:
    """A detail's value as a person reads it: euros from cents, dates in the page's language, codes by their
    label, users by their name, lists joined."""
    if value is None or value == "":
        return "–"
    if key in USER_KEYS and isinstance(value, int) and names and value in names:
        return names[value]
    codes = _value_labels().get(key)
    if codes is not None and isinstance(value, str) and value in codes:
        return str(codes[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key.endswith("cents") and isinstance(value, int):
        return str(format_decimal(Decimal(value).scaleb(-2), "#,##0.00")) + " €"
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return str(format_date(dt.date.fromisoformat(value), "medium"))
        except ValueError:
            return value
    if isinstance(value, list | tuple):
        if key == "fields":
            return ", ".join(field_label(str(v)) for v in value) or "–"
        singular = key.removesuffix("s") if key in ("activity_kinds", "user_ids") else ""
        return ", ".join(value_text({"activity_kind": "kind", "user_id": "user_id"}.get(singular, ""), v, names)
                         for v in value) or "–"
    if isinstance(value, Mapping):
        return "; ".join(f"{field_label(str(k))}: {value_text(str(k), v)}" for k, v in value.items())
    return str(value)


def _is_change(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) <= {"before", "after"} and "after" in value


def _change_line(key: str, change: Mapping[str, Any]) -> str:
    return f"{field_label(key)}: {value_text(key, change.get('before'))} → {value_text(key, change.get('after'))}"


def user_ids(details: Mapping[str, Any] | None) -> set[int]:
    """The user ids an event's details name (to look their names up once per page)."""
    found = {v for k, v in (details or {}).items() if k in USER_KEYS and isinstance(v, int)}
    found |= {v for v in (details or {}).get("user_ids", []) or [] if isinstance(v, int)}
    return found


def describe(details: Mapping[str, Any] | None, names: Mapping[int, str] | None = None) -> list[str]:
    """The details as lines: changes as "Field: before → after", everything else as "Field: value";
    details without a value (a filter not used) are left out."""
    lines: list[str] = []
    details = {k: v for k, v in (details or {}).items() if v is not None and v != ""}
    if "before" in details and "after" in details and not _is_change(details.get("before")):
        before, after = details.pop("before"), details.pop("after")
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            lines += [_change_line(k, {"before": before.get(k), "after": after.get(k)}) for k in after]
        else:
            lines.append(_change_line("value" if "amount_cents" not in details else "amount_cents",
                                      {"before": before, "after": after}))
    if "old" in details and "new" in details:
        lines.append(_change_line("state", {"before": details.pop("old"), "after": details.pop("new")}))
    for key, value in details.items():
        if isinstance(value, Mapping) and value and all(_is_change(v) for v in value.values()):
            lines += [_change_line(str(k), v) for k, v in value.items()]
        elif _is_change(value):
            lines.append(_change_line(key, value))
        else:
            lines.append(f"{field_label(key)}: {value_text(key, value, names)}")
    return lines
