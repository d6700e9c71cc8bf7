"""Channel handlers: channel name → a function that delivers a batch of leased messages.

The mail channel registers itself in `create_app` (server/outbox/mail.py); another channel (push)
plugs in with `register_channel`. A handler returns one `Outcome` per message, in order; it never
touches the outbox table, the sender records the outcomes (server/outbox/sender.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from server.outbox.queue import ClaimedMessage


@dataclass(frozen=True)
class Outcome:
    ok: bool
    # A refusal that will not change by waiting (SMTP 5xx, an expired push subscription).
    permanent: bool = False
    error: str = ""


SENT = Outcome(ok=True)

ChannelHandler = Callable[[Sequence[ClaimedMessage]], list[Outcome]]

CHANNEL_HANDLERS: dict[str, ChannelHandler] = {}


def register_channel(channel: str, handler: ChannelHandler) -> None:
    CHANNEL_HANDLERS[channel] = handler
