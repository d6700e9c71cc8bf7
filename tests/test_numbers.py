"""Numbers typed on the coordinator's pages in any digits and with any decimal separator (server/numbers.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from server.numbers import DecimalNumberField, WholeNumberField, normalise_number


@pytest.mark.parametrize(("typed", "expected"), [
    ("90", "90"), ("٩٠", "90"), ("۹۰", "90"), ("1,5", "1.5"), ("١٫٥", "1.5"), ("۱٫۵", "1.5"), ("12.50", "12.50"),
    (" 1 200 ", "1200"), ("1\u202f200", "1200"),
])
def test_every_digit_and_separator_becomes_ascii(typed: str, expected: str) -> None:
    assert normalise_number(typed) == expected


class _Form(Form):
    minutes = WholeNumberField()
    hours = DecimalNumberField(places=1)


@pytest.mark.parametrize(("minutes", "hours", "expected"), [
    ("٩٠", "١٫٥", (90, Decimal("1.5"))),
    ("۴۵", "۲,۵", (45, Decimal("2.5"))),
    ("30", "0.5", (30, Decimal("0.5"))),
])
def test_a_form_reads_arabic_and_persian_digits(minutes: str, hours: str, expected: tuple[int, Decimal]) -> None:
    form = _Form(MultiDict({"minutes": minutes, "hours": hours}))
    assert form.validate()
    assert (form.minutes.data, form.hours.data) == expected


def test_an_ambiguous_number_is_refused_never_guessed() -> None:
    form = _Form(MultiDict({"minutes": "1.234,5", "hours": "1.234,5"}))
    assert not form.validate()
    assert form.minutes.errors and form.hours.errors


def test_the_inputs_are_text_with_a_decimal_keyboard() -> None:
    html = str(_Form().minutes())
    assert 'type="text"' in html and 'inputmode="decimal"' in html
