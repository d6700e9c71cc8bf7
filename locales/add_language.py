"""A new language in one step: `make i18n-add LANG=xx` (runs this after `make i18n-extract`).

Creates locales/<code>/LC_MESSAGES/messages.po from messages.pot with the Plural-Forms header
check_catalogs.py expects (its table, else CLDR's categories for whole numbers via Babel, in CLDR's
order), and adds the language's own name and direction to locales/languages.json from Babel's locale
data. Nothing else is registered by hand: the server, the app's picker and the tests find the language
by its folder (locales/README.md). Then translate, and `make run`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent
sys.path.insert(0, str(LOCALES))

from check_catalogs import plural_forms  # noqa: E402


def main(code: str) -> None:
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", code):
        sys.exit(f"usage: make i18n-add LANG=xx (a language code such as tr or pt_BR, not {code!r})")
    locale = Locale.parse(code)
    target = LOCALES / code / "LC_MESSAGES" / "messages.po"
    if target.exists():
        sys.exit(f"{target.relative_to(LOCALES.parent)} exists already")
    with (LOCALES / "messages.pot").open("rb") as handle:
        catalog = read_po(handle, locale=code)
    catalog.locale = locale
    rule = plural_forms(code)
    catalog._num_plurals = int(re.search(r"nplurals=(\d+)", rule).group(1))  # type: ignore[union-attr]
    catalog._plural_expr = rule.split("plural=", 1)[1].rstrip(";").strip()
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            message.string = ("",) * catalog.num_plurals
    target.parent.mkdir(parents=True)
    with target.open("wb") as handle:
        write_po(handle, catalog)

    table_file = LOCALES / "languages.json"
    table = json.loads(table_file.read_text(encoding="utf-8"))
    name = locale.get_display_name(code) or code
    table[code] = {"name": name[:1].upper() + name[1:], "dir": "rtl" if locale.text_direction == "rtl" else "ltr"}
    table_file.write_text(json.dumps(table, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{code}: {target.relative_to(LOCALES.parent)} ({rule}); {table[code]['name']}, {table[code]['dir']}."
          " Check the name in locales/languages.json, then translate.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
