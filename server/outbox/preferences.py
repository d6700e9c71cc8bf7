"""Which mails a staff member gets: account mails always; the others she can turn off under "My account"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from server.accounts.models import User

# Mail kinds a coordinator may turn off, with the label of their checkbox.
OPTIONAL_KINDS = {
    "professional_help": _l("At once when a guide marks a meeting “needs professional help”"),
    "daily_digest": _l("Every morning: what waits (claims, conflicts, requests, agreements, silent guides)"),
}


def wants(user: User, kind: str) -> bool:
    return kind not in (user.mail_opt_out or [])


def set_preferences(user: User, wanted: set[str]) -> list[str]:
    """Keep the kinds the user ticked; returns the kinds now turned off."""
    user.mail_opt_out = sorted(k for k in OPTIONAL_KINDS if k not in wanted)
    return user.mail_opt_out
