"""Every shipped language's catalog is complete and safe (locales/check_catalogs.py `problems()`).

All eleven shipped catalogs must pass: complete, no fuzzy entries, the msgid's placeholders and
markup, and one form per plural category (see locales/README.md).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from server.i18n import available_locales, languages_table, locale_name, text_direction

LOCALES = Path(__file__).resolve().parents[1] / "locales"
_spec = importlib.util.spec_from_file_location("check_catalogs", LOCALES / "check_catalogs.py")
assert _spec and _spec.loader
check_catalogs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_catalogs)

COMPLETE = ("de", "en", "ar", "fa", "tr", "ru", "uk", "pl", "ku", "ro", "ps")
# Every shipped language (a folder under locales/) must be complete; a language added with
# `make i18n-add` is shipped once its catalog is complete (until then its folder stays on a branch).
PARAMS = list(available_locales())


@pytest.mark.parametrize("code", PARAMS)
def test_catalog_is_complete_and_safe(code: str) -> None:
    assert check_catalogs.problems(code) == []


def test_every_catalog_is_shipped_with_a_plural_rule_and_a_row_in_the_languages_table() -> None:
    shipped = set(available_locales())
    assert shipped >= set(COMPLETE)
    assert all(check_catalogs.plural_forms(code) for code in shipped)
    assert shipped <= set(languages_table())


def test_each_language_is_named_in_its_own_script_and_direction() -> None:
    names = {code: locale_name(code) for code in available_locales()}
    assert names.items() >= {
        "de": "Deutsch", "en": "English", "ar": "العربية", "fa": "فارسی", "tr": "Türkçe", "ru": "Русский",
        "uk": "Українська", "pl": "Polski", "ku": "Kurdî (Kurmancî)", "ro": "Română", "ps": "پښتو"}.items()
    assert {code for code in available_locales() if text_direction(code) == "rtl"} >= {"ar", "fa", "ps"}
    assert {code for code in COMPLETE if text_direction(code) == "rtl"} == {"ar", "fa", "ps"}
