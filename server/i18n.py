"""Locale and timezone selection, and the list of languages the catalogs provide.

Order: the signed-in user's own setting, then an explicit `?lang=` (kept in the session), then the
browser's Accept-Language, then DEFAULT_LOCALE. Right-to-left is decided from the chosen locale.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_login import current_user

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
RTL_LANGUAGES = {"ar", "fa", "prs", "he", "ur", "ps", "ckb"}


@cache
def available_locales() -> tuple[str, ...]:
    """Every locale with a catalog under locales/ (German first: the source language)."""
    found = sorted(p.parent.parent.name for p in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))
    return tuple(["de"] + [code for code in found if code != "de"])


def select_locale() -> str:
    locales = available_locales()
    if not has_request_context():
        # The command line follows the shell's language (LANG=en_US.UTF-8 → en).
        lang = (os.environ.get("LANGUAGE") or os.environ.get("LANG") or "").split(":")[0][:2]
        return lang if lang in locales else current_app.config["DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in locales:
        return str(current_user.locale)
    asked = request.args.get("lang")
    if asked in locales:
        session["lang"] = asked
        return str(asked)
    if session.get("lang") in locales:
        return str(session["lang"])
    best = request.accept_languages.best_match(locales)
    return best or current_app.config["DEFAULT_LOCALE"]


def select_timezone() -> str:
    return "Europe/Berlin"


def text_direction(locale_code: str) -> str:
    return "rtl" if locale_code.split("_")[0] in RTL_LANGUAGES else "ltr"


def locale_name(code: str) -> str:
    """The language's own name for itself ("Türkçe", "العربية")."""
    try:
        return Locale.parse(code).get_display_name(code) or code
    except (ValueError, TypeError):
        return code
