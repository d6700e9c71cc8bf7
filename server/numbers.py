"""Numbers as people type them on the coordinator's pages, in any of the desk's languages.

ASCII digits, Arabic-Indic (٠–٩) and Persian (۰–۹) digits; "," "." or the Arabic decimal separator "٫"
before the decimals; spaces ignored. The desk's number inputs are text inputs (`inputmode="decimal"`):
a browser's `type="number"` input silently empties itself on a digit or a comma it does not expect.
Nothing is guessed: "1.234,5" is an error, never 1.2345 (the same rule as the app's
pwa/src/shared/numbers.ts).
"""

from __future__ import annotations

import re

from wtforms import DecimalField, IntegerField
from wtforms.widgets import TextInput

_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)},
           ord(","): ".", 0x066B: "."}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")


def normalise_number(text: str) -> str:
    """The text with ASCII digits and "." as the decimal separator ("١٢٫٥" → "12.5")."""
    return _SPACES.sub("", text).translate(_DIGITS)


class _TypedNumber:
    """A number input as text, its value normalised before WTForms parses it."""

    widget = TextInput()

    def __init__(self, *args: object, **kwargs: object) -> None:
        render_kw = dict(kwargs.pop("render_kw", None) or {})  # type: ignore[call-overload]
        render_kw.setdefault("inputmode", "decimal")
        render_kw.setdefault("autocomplete", "off")
        super().__init__(*args, render_kw=render_kw, **kwargs)  # type: ignore[call-arg]

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata([normalise_number(v) for v in valuelist] if valuelist else valuelist)  # type: ignore[misc]


class WholeNumberField(_TypedNumber, IntegerField):
    """An integer typed in any digits ("٩٠" → 90)."""


class DecimalNumberField(_TypedNumber, DecimalField):
    """A decimal typed in any digits and with either separator ("١٫٥", "1,5" → Decimal("1.5"))."""
