"""Everything stored about one guide, as a ZIP of JSON files and receipt files (DSGVO Art. 15).

One JSON file per record type (user, profile, devices, activities, expenses, claims, conflicts,
assignments, messages from the desk with their read state, audit events about the guide) plus `receipts/<sha256>.<ext>` from the blob store and a
`manifest.json` with the counts. Secrets never leave the server: password and TOTP hashes, device
token hashes and enrolment code hashes are left out (the export says whether they are set). The caller
audits the access (`privacy.exported`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from server.accounts.models import Device, User
from server.activities.models import Activity
from server.assignments.models import Assignment
from server.audit.models import AuditEvent
from server.blobs.models import Blob
from server.blobs.store import BlobStore
from server.expenses.models import Claim, Expense
from server.guides.models import GuideProfile
from server.messages.models import Message
from sync.clock import utcnow
from sync.tables import Conflict

SECRET_COLUMNS = {"password_hash", "totp_secret", "totp_last_step", "token_hash", "code_hash", "data"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def as_dict(obj: Any) -> dict[str, Any]:
    """The row's own columns as JSON values, without secrets."""
    return {attr.key: _value(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs
            if attr.key not in SECRET_COLUMNS}


def collect(session: Session, organization_id: int, guide: User) -> dict[str, Any]:
    """The export's JSON documents, by file name (without `.json`)."""
    user = as_dict(guide)
    user["password_set"], user["two_step_sign_in"] = bool(guide.password_hash), bool(guide.totp_secret)
    profile = session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id,
                                                        GuideProfile.organization_id == organization_id))
    profile_doc: dict[str, Any] | None = None
    if profile is not None:
        profile_doc = as_dict(profile)
        profile_doc["languages"] = [as_dict(lang) for lang in profile.languages]
        profile_doc["qualifications"] = [as_dict(q) for q in profile.qualifications]
    devices = session.scalars(select(Device).where(Device.user_id == guide.id,
                                                   Device.organization_id == organization_id)).all()

    def owned(model: Any) -> list[Any]:
        return list(session.scalars(select(model).where(model.organization_id == organization_id,
                                                        model.guide_id == guide.id).order_by(model.created_at)))

    activities, expenses, claims, conflicts = owned(Activity), owned(Expense), owned(Claim), owned(Conflict)
    assignments, messages = owned(Assignment), owned(Message)
    expense_docs = []
    for expense in expenses:
        doc = as_dict(expense)
        doc["receipts"] = [r.sha256 for r in expense.receipts]
        expense_docs.append(doc)
    about = [
        AuditEvent.actor_user_id == guide.id,
        (AuditEvent.object_type == "user") & (AuditEvent.object_id == str(guide.id)),
    ]
    if devices:
        about.append(AuditEvent.device_id.in_([d.id for d in devices]))
        about.append((AuditEvent.object_type == "device") & AuditEvent.object_id.in_([d.id for d in devices]))
    for kind, rows in (("activity", activities), ("expense", expenses), ("claim", claims), ("conflict", conflicts),
                       ("message", messages), ("profile", [profile] if profile else [])):
        ids = [str(r.id) for r in rows]
        for start in range(0, len(ids), 500):
            about.append((AuditEvent.object_type == kind) & AuditEvent.object_id.in_(ids[start:start + 500]))
    events = session.scalars(select(AuditEvent).where(AuditEvent.organization_id == organization_id, or_(*about))
                             .order_by(AuditEvent.at, AuditEvent.id)).all()
    return {
        "user": user, "profile": profile_doc, "devices": [as_dict(d) for d in devices],
        "activities": [as_dict(a) for a in activities], "expenses": expense_docs,
        "claims": [as_dict(c) for c in claims], "conflicts": [as_dict(c) for c in conflicts],
        "assignments": [as_dict(a) for a in assignments],
        "messages": [as_dict(m) for m in messages], "audit_events": [as_dict(e) for e in events],
    }


def build_zip(session: Session, organization_id: int, guide: User, store: BlobStore) -> tuple[bytes, dict[str, int]]:
    """The ZIP's bytes and how many entries of each kind it holds."""
    documents = collect(session, organization_id, guide)
    hashes = sorted({sha for e in documents["expenses"] for sha in e["receipts"]})
    types = dict(session.execute(select(Blob.sha256, Blob.content_type).where(
        Blob.sha256.in_(hashes), Blob.organization_id == organization_id)).all()) if hashes else {}
    counts = {name: (len(doc) if isinstance(doc, list) else int(doc is not None)) for name, doc in documents.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, doc in documents.items():
            archive.writestr(f"{name}.json", json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True))
        receipts = 0
        for sha in hashes:
            if sha not in types:
                continue
            data = store.read(organization_id, sha)
            if data is None:
                continue
            archive.writestr(f"receipts/{sha}.{EXTENSIONS.get(types[sha], 'bin')}", data)
            receipts += 1
        counts["receipts"] = receipts
        archive.writestr("manifest.json", json.dumps({
            "generated_at": utcnow().isoformat(), "guide_id": guide.id, "organization_id": organization_id,
            "legal_basis": "DSGVO Art. 15", "counts": counts}, indent=2, sort_keys=True))
    return buffer.getvalue(), counts


__all__ = ["as_dict", "build_zip", "collect"]
