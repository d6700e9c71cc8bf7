"""Check that a language's catalog is complete and safe to ship: `python locales/check_catalogs.py tr ru`.

Every message translated, no fuzzy entries, the same placeholders (`%(name)s`, `%s`, `{name}`) and markup
as the msgid, one form per plural category of the language, and the Plural-Forms header below (CLDR's
categories for whole numbers, in CLDR's order: zero, one, two, few, many, other — the order the PWA's
`tn()` maps `Intl.PluralRules` onto). tests/test_catalogs.py runs it for every language we ship.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent

# The plural rule of every shipped language (gettext syntax). The index order follows CLDR's category
# order for whole numbers; see the module docstring.
PLURAL_FORMS = {
    "de": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
    "fa": "nplurals=2; plural=(n > 1);",
    "tr": "nplurals=2; plural=(n != 1);",
    "ku": "nplurals=2; plural=(n != 1);",
    "ps": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "uk": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "ro": "nplurals=3; plural=(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2);",
}



def plural_forms(code: str) -> str:
    """The Plural-Forms rule of a language: the table above, else CLDR's via Babel (the same category order;
    for whole numbers the exponent operand e is 0). A language whose CLDR rule has a fraction-only category
    before a whole-number one needs its row in the table (the app counts whole-number categories only)."""
    if code in PLURAL_FORMS:
        return PLURAL_FORMS[code]
    from babel import Locale
    from babel.plural import to_gettext

    rule = Locale.parse(code).plural_form
    order = ("zero", "one", "two", "few", "many", "other")
    used = [tag for tag in order if tag in rule.tags or tag == "other"]
    reached = {rule(n) for n in [*range(201), 1000, 10000, 100000, 1000000, 1000001]}
    if any(tag not in reached for tag in used[:-1]):
        raise ValueError(f"{code}: a fraction-only plural category; add its rule to PLURAL_FORMS")
    return re.sub(r"\be\b", "0", to_gettext(rule))


PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-zA-Z_0-9]+\}")
MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|&[a-z]+;")


def load(code: str) -> Catalog:
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


def _same(pattern: re.Pattern[str], source: str, translation: str) -> bool:
    return sorted(pattern.findall(source)) == sorted(pattern.findall(translation))


def problems(code: str, *, require_complete: bool = True) -> list[str]:
    """Everything wrong with one language's catalog, as readable lines (empty: fine)."""
    catalog = load(code)
    found: list[str] = []
    header = catalog.mime_headers and dict(catalog.mime_headers).get("Plural-Forms", "")
    expected = plural_forms(code)
    if expected and (header or "").replace(" ", "") != expected.replace(" ", ""):
        found.append(f"{code}: Plural-Forms is {header!r}, expected {expected!r}")
    forms = int(re.search(r"nplurals=(\d+)", expected or header or "nplurals=2").group(1))  # type: ignore[union-attr]
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        label = f"{code}: {ids[0][:60]!r}"
        if message.fuzzy:
            found.append(f"{label} is fuzzy")
        if isinstance(message.id, tuple) and len(strings) != forms:
            found.append(f"{label} has {len(strings)} plural forms, the language has {forms}")
        if code == "en":
            continue  # English is the source language: an empty msgstr shows the msgid
        if require_complete and not all(strings):
            found.append(f"{label} is not translated")
            continue
        for i, text in enumerate(strings):
            if not text:
                continue
            source = ids[min(i, len(ids) - 1)] if isinstance(message.id, tuple) else ids[0]
            # A plural form may leave out the count (e.g. "one" written as a word), never add another.
            if isinstance(message.id, tuple):
                extra = set(PLACEHOLDER.findall(text)) - set(PLACEHOLDER.findall(ids[0] + ids[-1]))
                if extra:
                    found.append(f"{label} form {i} has placeholders {sorted(extra)} the msgid lacks")
            elif not _same(PLACEHOLDER, source, text):
                found.append(f"{label}: placeholders {sorted(PLACEHOLDER.findall(text))} differ from the msgid's")
            if not _same(MARKUP, source, text):
                found.append(f"{label}: markup differs from the msgid's")
    return found


if __name__ == "__main__":
    codes = sys.argv[1:] or sorted(PLURAL_FORMS)
    issues = [line for code in codes for line in problems(code)]
    print("\n".join(issues) or f"ok: {', '.join(codes)}")
    sys.exit(1 if issues else 0)
