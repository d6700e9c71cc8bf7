"""A Babel extractor for the PWA's TypeScript: finds `t("…")` and `t('…')` calls.

Referenced from babel.cfg as `extract_ts.extract`; pybabel must be able to import it, so the Makefile
runs pybabel with PYTHONPATH=locales. The msgid is the English source text, as with the server's
`_("…")`; `{name}` placeholders are kept as they are (the app fills them in). Only a single literal
string as the first argument is extracted — a variable or a concatenation would never match a
catalog entry, so keep those out of `t()`. A comment on the line before a call that starts with one
of the comment tags (`--add-comments`, e.g. "TRANSLATORS:") goes to the translators.
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
            options: Mapping[str, Any]) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield (line number, function name, msgid, translator comments) for every `t("…")` call."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    lines = source.splitlines()
    for match in CALL.finditer(source):
        lineno = source.count("\n", 0, match.start()) + 1
        comments: list[str] = []
        if comment_tags and lineno >= 2:
            previous = LINE_COMMENT.match(lines[lineno - 2])
            if previous and any(previous.group(1).startswith(tag) for tag in comment_tags):
                comments.append(previous.group(1))
        yield lineno, "t", _unescape(match.group("s")), comments
