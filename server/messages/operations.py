"""Sending a message from the desk to one guide or to every active guide of the organization.

Each recipient gets a row of her own (server/messages/models.py); the feed publishes it to her phones,
and a push tells them to look (server/push/operations.py). The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from server.accounts.models import Membership, User
from server.audit.log import record_event
from server.messages.models import MESSAGE_MAX_LENGTH, Message
from sync.clock import utcnow
from sync.db import new_uuid
from sync.merge import Author
from sync.push.bulk_writer import NewRecord, write_new_records
from sync.registry import BINDINGS


class MessageError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def active_guides(session: Session, organization_id: int) -> list[User]:
    """The guides a message to all reaches: active members of the organization with the guide role."""
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, Membership.role == "guide", User.active.is_(True),
               User.erased_at.is_(None))
        .order_by(func.lower(User.name), User.id)))


def send_message(session: Session, author: Author, sender: User, organization_id: int, recipients: list[User],
                 body: str, *, to_all: bool) -> list[NewRecord]:
    """One row per recipient, all in the caller's transaction; the audit names who, not what. Returns the
    new records' values (id, guide_id, …), as plain objects."""
    text = body.strip()
    if not text:
        raise MessageError("empty")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise MessageError("too_long")
    if not recipients:
        raise MessageError("no_recipients")
    now, batch = utcnow(), new_uuid()
    # Written in bulk (rows, history, feed marks), not as ORM objects: a message to 2,000 guides is
    # 2,000 records (bench/README.md, "Mail").
    messages = [NewRecord(id=new_uuid(), organization_id=organization_id, guide_id=guide.id, sender_id=sender.id,
                          sender_name=sender.name, body=text, to_all=to_all, batch_id=batch, sent_at=now)
                for guide in recipients]
    write_new_records(session, BINDINGS["message"], messages, author)
    from server.push.operations import notify_guides  # push is optional wiring, imported late

    notify_guides(session, organization_id, [(m.guide_id, m.id) for m in messages], "message")
    record_event("message.sent", organization_id, actor_user_id=sender.id, object_type="message_batch",
                 object_id=batch, details={"to_all": to_all, "recipients": len(messages),
                                           "guide_ids": [m.guide_id for m in messages][:50]})
    return messages


@dataclass(frozen=True)
class SentBatch:
    batch_id: str
    body: str
    sent_at: object
    sender_name: str
    to_all: bool
    recipient_name: str  # the one guide's name, "" for a message to all
    recipients: int
    read: int


def sent_batches(session: Session, organization_id: int, limit: int = 50) -> list[SentBatch]:
    """The organization's latest sendings, newest first, with how many recipients have read them."""
    rows = session.execute(
        select(Message.batch_id, func.min(Message.body), func.min(Message.sent_at), func.min(Message.sender_name),
               func.max(Message.guide_id), func.count(Message.id), func.count(Message.read_at),
               func.max(cast(Message.to_all, Integer)))
        .where(Message.organization_id == organization_id, Message.deleted_at.is_(None))
        .group_by(Message.batch_id).order_by(func.min(Message.sent_at).desc()).limit(limit)).all()
    names = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_([r[4] for r in rows])))}
    return [SentBatch(batch_id=r[0], body=r[1], sent_at=r[2], sender_name=r[3], to_all=bool(r[7]),
                      recipient_name="" if r[7] else names.get(r[4], ""), recipients=r[5], read=r[6])
            for r in rows]
