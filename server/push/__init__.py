"""Web Push to the guides' phones: subscriptions per device, VAPID keys, what is sent (PROTOCOL.md, "Push")."""

from __future__ import annotations


def install_push() -> None:
    """Wire push into the app: revoked devices lose their subscription; the outbox's `push` channel."""
    from server.outbox.channels import register_channel
    from server.push.operations import CHANNEL, deliver
    from server.push.subscriptions import install_revocation_hook

    install_revocation_hook()
    register_channel(CHANNEL, deliver)
