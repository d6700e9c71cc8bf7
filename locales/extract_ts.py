"""A Babel extractor for the PWA's TypeScript: finds `t("…")` / `t('…')` and `tn("…", "…", n)` calls.

Referenced from babel.cfg as `extract_ts.extract`; pybabel must be able to import it, so the Makefile
runs pybabel with PYTHONPATH=locales. The msgid is the English source text, as with the server's
`_("…")`; `{name}` placeholders are kept as they are (the app fills them in). Only a single literal
string as the first argument is extracted — a variable or a concatenation would never match a
catalog entry, so keep those out of `t()`. A comment on the line before a call that starts with one
of the comment tags (`--add-comments`, e.g. "TRANSLATORS:") goes to the translators.

`tn(singular, plural, n)` (src/shared/i18n.ts) is yielded as `ngettext` with both strings, so pybabel's
default keyword `ngettext:1,2` makes it a plural message (msgid / msgid_plural).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

# t( not preceded by a name character or a dot (so `fmt(`, `this.t(`, `set(` do not match), then a
# single- or double-quoted JavaScript string, then `,` or `)`.
CALL = re.compile(r"""(?<![\w$.])t\(\s*(?P<q>['"])(?P<s>(?:\\.|(?!(?P=q))[^\\\n])*)(?P=q)\s*[,)]""")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_STRING = r"""(?P<q{n}>['"])(?P<s{n}>(?:\\.|(?!(?P=q{n}))[^\\\n])*)(?P=q{n})"""
PLURAL_CALL = re.compile(r"(?<![\w$.])tn\(\s*" + _STRING.format(n=1) + r"\s*,\s*" + _STRING.format(n=2) + r"\s*,")
LINE_COMMENT = re.compile(r"^\s*//\s?(.*)$")


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        seq = match.group(1)
        if seq.startswith("u{"):
            return chr(int(seq[2:-1], 16))
        if seq[0] in "ux" and len(seq) > 1:
            return chr(int(seq[1:], 16))
        return ESCAPES.get(seq, seq)

    return ESCAPE.sub(one, text)


def extract(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
            options: Mapping[str, Any]) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Yield (line number, function name, msgid, translator comments) for every `t("…")` call."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    lines = source.splitlines()

    def comments_for(lineno: int) -> list[str]:
        if comment_tags and lineno >= 2:
            previous = LINE_COMMENT.match(lines[lineno - 2])
            if previous and any(previous.group(1).startswith(tag) for tag in comment_tags):
                return [previous.group(1)]
        return []

    found: list[tuple[int, str, Any, list[str]]] = []
    for match in CALL.finditer(source):
        lineno = source.count("\n", 0, match.start()) + 1
        found.append((lineno, "t", _unescape(match.group("s")), comments_for(lineno)))
    for match in PLURAL_CALL.finditer(source):
        lineno = source.count("\n", 0, match.start()) + 1
        forms = (_unescape(match.group("s1")), _unescape(match.group("s2")))
        found.append((lineno, "ngettext", forms, comments_for(lineno)))
    yield from sorted(found, key=lambda item: item[0])
