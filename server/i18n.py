"""Locale and timezone selection, and the list of languages the catalogs provide.

Order: the signed-in user's own setting, then an explicit `?lang=` (kept in the session), then the
browser's Accept-Language, then DEFAULT_LOCALE. Right-to-left is decided from the chosen locale.

The languages are the folders under locales/ that hold a catalog; how each is shown (its own name in
its own script, its direction) comes from the one table locales/languages.json, which the PWA build
reads too (see locales/README.md). A code missing from the table falls back to Babel's locale data.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_login import current_user

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES_TABLE = LOCALES_DIR / "languages.json"


@cache
def languages_table() -> dict[str, dict[str, str]]:
    """locales/languages.json: {code: {"name": own name, "dir": "ltr" | "rtl"}}."""
    raw = json.loads(LANGUAGES_TABLE.read_text(encoding="utf-8"))
    return {code: row for code, row in raw.items() if not code.startswith("_")}


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
    """"rtl" or "ltr": the table's entry, else Babel's character order for the language."""
    row = languages_table().get(locale_code) or languages_table().get(locale_code.split("_")[0])
    if row:
        return row["dir"]
    try:
        return "rtl" if Locale.parse(locale_code).text_direction == "rtl" else "ltr"
    except (ValueError, TypeError):
        return "ltr"


def locale_name(code: str) -> str:
    """The language's own name in its own script ("Türkçe", "العربية", "Kurdî (Kurmancî)")."""
    row = languages_table().get(code)
    if row:
        return row["name"]
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:]


# Codes whose name Babel's locale data keeps under another code: Dari (ISO 639-3 prs) is CLDR's fa_AF.
_LANGUAGE_ALIASES = {"prs": "fa_AF"}


def language_display_name(code: str, in_locale: str | None = None) -> str:
    """A language code's name in the page's language ("Türkisch", "Dari" on a German page), from Babel's
    locale data; the code itself only if Babel has no name for it."""
    if not code:
        return ""
    if in_locale is None:
        from flask_babel import get_locale

        in_locale = str(get_locale() or "de")
    try:
        names = Locale.parse(in_locale).languages
    except (ValueError, TypeError):
        return code
    wanted = _LANGUAGE_ALIASES.get(code, code).replace("-", "_")
    return str(names.get(wanted) or names.get(wanted.split("_")[0]) or code)


def month_label(month: str | None, in_locale: str | None = None) -> str:
    """"2026-12" → "Dezember 2026" ("December 2026", "دسامبر ۲۰۲۶") in the Gregorian calendar, through
    Babel's date patterns for the language; anything that is not a month is returned as it is."""
    import datetime as dt

    from babel.dates import format_skeleton

    if not month:
        return ""
    try:
        year, number = (int(part) for part in str(month)[:7].split("-"))
        day = dt.date(year, number, 1)
    except ValueError:
        return str(month)
    if in_locale is None:
        from flask_babel import get_locale

        in_locale = str(get_locale() or "de")
    return str(format_skeleton("yMMMM", day, locale=in_locale))


def claim_label(claim: object) -> str:
    """A claim's month in words, and "follow-up claim" (Nachtrag) for a later claim of the same month."""
    from flask_babel import gettext as _

    month = month_label(getattr(claim, "month", ""))
    sequence = int(getattr(claim, "sequence", 1) or 1)
    if sequence == 2:
        return _("%(month)s, follow-up claim", month=month)
    if sequence > 2:
        return _("%(month)s, follow-up claim %(number)s", month=month, number=sequence - 1)
    return month

# ------------------------------------------------------------------ flash messages in the reader's language
# A flash message waits in the session for the next page, and the language may change in between (she
# switches to Arabic, or signs in with her own setting). So the session keeps what to say — the lazy
# string's msgid, its plural and its parameters — and the page translates it when it shows it.

_TRANSLATORS = ("gettext", "ngettext")


def _stored(value: Any) -> Any:
    from flask_babel.speaklater import LazyString

    if isinstance(value, LazyString):
        name = getattr(value._func, "__name__", "")
        if name in _TRANSLATORS:
            return {"i18n": name, "args": [_stored(a) for a in value._args],
                    "kwargs": {k: _stored(v) for k, v in value._kwargs.items()}}
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _shown(value: Any) -> Any:
    if isinstance(value, dict) and value.get("i18n") in _TRANSLATORS:
        import flask_babel

        translate = getattr(flask_babel, value["i18n"])
        return translate(*[_shown(a) for a in value.get("args", [])],
                         **{k: _shown(v) for k, v in (value.get("kwargs") or {}).items()})
    return value


def flash(message: Any, category: str = "message") -> None:
    """`flask.flash` for the desk: pass `_l("…", name=…)` or `lazy_ngettext(…)`; it is translated when shown."""
    from flask import flash as flask_flash

    flask_flash(_stored(message), category)


def flashed_messages() -> list[tuple[str, str]]:
    """The waiting flash messages as (category, text), in the language of the page showing them."""
    from flask import get_flashed_messages

    return [(category, str(_shown(message))) for category, message in get_flashed_messages(with_categories=True)]
