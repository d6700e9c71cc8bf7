"""Messages over sync: each row goes to its one guide, who may set only `read_at` (opened in the inbox)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from server.messages.models import Message
from sync.merge import Author
from sync.registry import Binding
from sync.spec import wire_value


class MessageBinding(Binding):
    type_name = "message"
    model = Message
    ignored_attrs = Binding.ignored_attrs | {"guide_id", "sender_id", "batch_id"}

    def lock_reason(self, obj: Any, author: Author) -> str | None:
        return None

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        return {"read_at": wire_value(obj.read_at), "body": obj.body, "sender_name": obj.sender_name,
                "sent_at": wire_value(obj.sent_at), "to_all": obj.to_all}

    def guide_upsert(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> str | None:
        # Read state only moves forward: the first time she opened it, from whichever phone.
        read_at = values.get("read_at")
        if read_at is not None and (obj.read_at is None or read_at < _aware(obj.read_at)):
            obj.read_at = read_at
        return "applied"


def _aware(value: Any) -> Any:
    import datetime as dt

    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
