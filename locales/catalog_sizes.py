"""Per language: messages, translated, and what the app's first screen weighs: `python locales/catalog_sizes.py`.

Prints the table of locales/README.md (Markdown). The first-screen catalog is the built
server/static/app/locales/<code>.json (run `make pwa` first), raw and gzipped; the last column adds the
entry script and stylesheet of index.html, gzipped — the budget is 60 KB on the wire for all three.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

LOCALES = Path(__file__).resolve().parent
BUILD = LOCALES.parent / "server" / "static" / "app"
BUDGET = 60 * 1024
sys.path.insert(0, str(LOCALES.parent))


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def shell_bytes() -> int:
    """The first screen's JS and CSS (index.html's entry script and stylesheet), gzipped."""
    html = (BUILD / "index.html").read_text(encoding="utf-8")
    files = re.findall(r'(?:src|href)="/(assets/[^"]+\.(?:js|css))"', html)
    return sum(_gz((BUILD / name).read_bytes()) for name in files)


def rows() -> list[list[str]]:
    from babel.messages.pofile import read_po

    from server.i18n import available_locales, locale_name

    shell = shell_bytes()
    out = []
    for code in available_locales():
        with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=code)
        messages = [m for m in catalog if m.id]
        done = sum(1 for m in messages if all(m.string) if isinstance(m.string, tuple)) + \
            sum(1 for m in messages if isinstance(m.string, str) and m.string)
        first = (BUILD / "locales" / f"{code}.json").read_bytes()
        total = shell + _gz(first)
        flag = "" if total <= BUDGET else " (over budget)"
        out.append([f"{locale_name(code)} (`{code}`)", str(len(messages)),
                    "source" if code == "en" else str(done), "none yet",
                    f"{len(first):,} B / {_gz(first):,} B", f"{total / 1024:.1f} KB{flag}"])
    return out


def main() -> None:
    head = ["language", "messages", "translated", "reviewed by a native speaker",
            "first-screen catalog (raw / gzip)", "first screen on the wire (JS+CSS+catalog, gzip)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows():
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
