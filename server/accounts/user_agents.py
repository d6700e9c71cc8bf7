"""A browser's user-agent string in words, for "My account": "Chrome on Android", "Firefox on Windows".

ua-parser (the uap-core rules) does the parsing; what it cannot name reads "Unknown browser".
"""

from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _
from ua_parser import parse


@lru_cache(maxsize=256)
def _families(user_agent: str) -> tuple[str, str]:
    result = parse(user_agent[:300])
    browser = result.user_agent.family if result.user_agent else ""
    system = result.os.family if result.os else ""
    # "Chrome Mobile" on Android says the same twice; the system names the phone already.
    browser = browser.removesuffix(" Mobile") if browser != "Other" else ""
    return browser, system if system != "Other" else ""


def describe_user_agent(user_agent: str | None) -> str:
    browser, system = _families(user_agent or "")
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown browser")
