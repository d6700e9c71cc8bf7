"""The finance view of an erased guide's restricted money records, and audited access to their receipts.

See server/privacy/restricted.py for what is restricted and why. Opening the list and each receipt is
written to the audit log with its legal basis: restricted data may be processed only for the books.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.audit.log import record_event
from server.coordinator.common.auth import current_org_id, staff_required
from server.coordinator.common.files import inline_receipt, receipt_blob
from server.coordinator.common.formatting import euros
from server.extensions import db
from server.labels import EXPENSE_CATEGORY_LABELS, STATE_LABELS, label
from server.money.bank import masked_iban
from server.privacy import restricted
from sync import clock

LEGAL_BASIS = "Art. 17 (3) (b), Art. 18 DSGVO; § 147 AO"
PAYOUT_STATE_LABELS = {"draft": _l("draft"), "exported": _l("exported"), "paid": _l("paid"),
                       "cancelled": _l("cancelled")}
CLAIM_STATE_LABELS = {**STATE_LABELS, "decided": _l("decided")}



@staff_required
def restricted_records() -> Any:
    rows = restricted.restricted_records(db.session, current_org_id())
    record_event("privacy.restricted_viewed", current_org_id(), actor_user_id=current_user.id,
                 details={"legal_basis": LEGAL_BASIS, "guides": [r.guide.id for r in rows]})
    db.session.commit()
    return render_template("coordinator/restricted.html", rows=rows, today=clock.today(), euro=euros,
                           categories=EXPENSE_CATEGORY_LABELS, states=STATE_LABELS, claim_states=CLAIM_STATE_LABELS,
                           payout_states=PAYOUT_STATE_LABELS, label=label, masked_iban=masked_iban)


@staff_required
def restricted_receipt(receipt_id: int) -> Any:
    """One receipt of a restricted expense, shown inline; each access is audited."""
    found = restricted.restricted_receipt(db.session, current_org_id(), receipt_id)
    if found is None:
        abort(404)
    receipt, expense = found
    blob, data = receipt_blob(current_org_id(), receipt.sha256)
    record_event("privacy.restricted_receipt_viewed", current_org_id(), actor_user_id=current_user.id,
                 object_type="expense", object_id=expense.id,
                 details={"receipt_id": receipt.id, "guide_id": expense.guide_id, "legal_basis": LEGAL_BASIS})
    db.session.commit()
    # Not kept by the browser: a second look is a second, audited access.
    return inline_receipt(receipt.id, blob, data, cache="no-store")
