"""Text for SEPA files: names and remittance information in the SEPA Latin character set.

German banks (DK) accept only a-z A-Z 0-9 / - ? : ( ) . , ' + and the space in names and remittance
information. Umlauts are written the German way (Jürgens → Juergens, Straße → Strasse), which is how a
German account holder spells their own name without umlauts; every other character is transliterated
by text-unidecode (Ayşe → Ayse, Олександр → Oleksandr), and what still falls outside the set is left out.
"""

from __future__ import annotations

import re

from text_unidecode import unidecode

GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                        "ẞ": "SS"})
OUTSIDE_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


def sepa_text(value: str, max_length: int) -> str:
    """`value` in the SEPA character set, spaces collapsed, cut to `max_length` characters."""
    latin = unidecode((value or "").translate(GERMAN))
    cleaned = OUTSIDE_SEPA.sub("", latin.replace("&", "+").replace("_", "-"))
    return " ".join(cleaned.split())[:max_length].rstrip()
