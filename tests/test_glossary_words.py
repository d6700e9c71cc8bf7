"""One word for one thing: each language's GLOSSARY.md names the word its catalog gives an expense
category, so the app, the desk and the PDFs (which all translate the same msgid) read as the glossary says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[1] / "locales"
GLOSSARIES = sorted(LOCALES.glob("*/GLOSSARY.md"))


def translation(code: str, msgid: str) -> str:
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        message = read_po(f).get(msgid)
    assert message is not None and message.string, f"{code}: {msgid!r} untranslated"
    return str(message.string)


@pytest.mark.parametrize("glossary", GLOSSARIES, ids=lambda p: p.parent.name)
def test_phone_costs_is_the_glossary_word(glossary: Path) -> None:
    code = glossary.parent.name
    rows = [line for line in glossary.read_text(encoding="utf-8").splitlines()
            if re.match(r"\|\s*phone costs \(expense category\)", line)]
    assert len(rows) == 1, f"{glossary}: one row for phone costs"
    word = translation(code, "Phone costs")
    assert f"| {word} |" in rows[0], f"{code}: catalog says {word!r}, glossary row is {rows[0]!r}"
    # The device is never called by the category's word (de: Handy vs Telefonkosten).
    assert word != translation(code, "Phone enrolled")


def test_every_catalog_with_a_glossary_is_covered() -> None:
    assert {p.parent.name for p in GLOSSARIES} >= {"de", "ku", "pl", "ps", "ro", "ru", "tr", "uk"}
