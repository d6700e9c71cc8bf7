"""What is pushed, and how: one outbox row (channel `push`) per subscribed device, in the caller's
transaction; the outbox's sender delivers it with pywebpush (`deliver`, the channel handler).

A payload names a category (sync/vocabulary.py PUSH_CATEGORIES) and a record id, and for reminders a
month or a date — never a name, a note or an amount: push services are third parties. The phone's
service worker builds the text from its own IndexedDB and the guide's language (pwa/src/sw/).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from flask import current_app
from pywebpush import WebPushException, webpush
from sqlalchemy.orm import Session

from server.audit.log import record_event
from server.extensions import db
from server.outbox.channels import SENT, Outcome
from server.outbox.queue import ClaimedMessage, NewMessage, queue_messages
from server.push import subscriptions
from server.push.keys import vapid
from server.push.models import PushSubscription
from sync.vocabulary import PUSH_CATEGORIES

log = logging.getLogger(__name__)

CHANNEL = "push"
# A push older than this is of no use any more (the next sync shows the same); the service drops it.
TTL_SECONDS = 24 * 3600
GONE = (404, 410)  # the push service no longer knows the subscription: the browser dropped it


def notify_guides(session: Session, organization_id: int, targets: Sequence[tuple[int, str]], category: str,
                  extra: dict[str, Any] | None = None, dedupe: str | None = None) -> int:
    """Queue a push per (guide, record id) to each of the guide's subscribed devices; returns how many.

    `extra` adds what the text needs that is not personal (a month, a count); `dedupe` makes a push
    queue at most once per device (reminders). Each push is in the audit log, without its payload."""
    assert category in PUSH_CATEGORIES, category
    by_guide: dict[int, list[PushSubscription]] = {}
    for row in subscriptions.subscriptions_of(session, organization_id, sorted({g for g, _r in targets})):
        by_guide.setdefault(row.user_id, []).append(row)
    messages = []
    for guide_id, record_id in targets:
        for row in by_guide.get(guide_id, []):
            payload = {"category": category, "id": record_id, **(extra or {})}
            messages.append(NewMessage(channel=CHANNEL, kind=category, organization_id=organization_id,
                                       user_id=guide_id, address=row.device_id, payload=payload,
                                       dedupe_key=f"push:{dedupe}:{row.device_id}" if dedupe else None))
    queued = queue_messages(session, messages)
    for message in messages:
        record_event("push.queued", organization_id, device_id=message.address, object_type=category,
                     object_id=message.payload["id"], details={"guide_id": message.user_id})
    return len(queued)


def _subject() -> str:
    subject = current_app.config.get("VAPID_SUBJECT") or ""
    public = current_app.config.get("PUBLIC_URL") or ""
    return subject or (public if public.startswith("https://") else "mailto:push@localhost")


def deliver(batch: Sequence[ClaimedMessage]) -> list[Outcome]:
    """The outbox's `push` channel handler: encrypt (RFC 8291) and POST each payload to its endpoint."""
    signer = vapid(current_app.config["VAPID_PRIVATE_KEY"])
    outcomes = []
    for message in batch:
        row = db.session.get(PushSubscription, message.address)
        if row is None:  # unsubscribed or revoked since it was queued: nobody to tell
            outcomes.append(Outcome(ok=False, permanent=True, error="no subscription"))
            continue
        info = {"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}}
        try:
            webpush(info, data=json.dumps(message.payload, separators=(",", ":")), vapid_private_key=signer,
                    vapid_claims={"sub": _subject()}, ttl=TTL_SECONDS, timeout=10)
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else 0
            if status in GONE:
                subscriptions.remove_subscription(db.session, row.device_id)
                record_event("push.subscription_gone", row.organization_id, device_id=row.device_id,
                             object_type="device", object_id=row.device_id, details={"status": status})
                db.session.commit()
                outcomes.append(Outcome(ok=False, permanent=True, error=f"subscription gone ({status})"))
            else:
                # 429/5xx/network: later, with the outbox's backoff; 400/403/413 will not change by waiting
                permanent = status in (400, 403, 413)
                outcomes.append(Outcome(ok=False, permanent=permanent, error=f"push service: {status or exc}"[:200]))
            continue
        except Exception as exc:  # noqa: BLE001 - a network failure: try again later
            outcomes.append(Outcome(ok=False, error=f"push failed: {type(exc).__name__}"))
            continue
        outcomes.append(SENT)
    return outcomes
