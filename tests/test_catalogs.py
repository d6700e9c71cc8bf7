"""Every shipped language's catalog is complete and safe (locales/check_catalogs.py `problems()`).

German, English, Arabic and Farsi must pass now. The seven catalogs being translated for issue #14
(tr ru uk pl ku ro ps) are required to be complete too, but marked xfail until their translators
finish — the lead removes the mark when merging (see locales/README.md).
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

COMPLETE = ("de", "en", "ar", "fa")
BEING_TRANSLATED = ("tr", "ru", "uk", "pl", "ku", "ro", "ps")
# Every shipped language (a folder under locales/) must be complete; one not yet in COMPLETE is being
# translated: xfail, not strict, until its translator finishes and the lead adds it to COMPLETE.
PARAMS = [code if code in COMPLETE else pytest.param(code, marks=pytest.mark.xfail(
    strict=False, reason=f"{code}: being translated (issue #14); complete when its translator finishes"))
    for code in available_locales()]


@pytest.mark.parametrize("code", PARAMS)
def test_catalog_is_complete_and_safe(code: str) -> None:
    assert check_catalogs.problems(code) == []


def test_every_catalog_is_shipped_with_a_plural_rule_and_a_row_in_the_languages_table() -> None:
    shipped = set(available_locales())
    assert shipped >= set(COMPLETE) | set(BEING_TRANSLATED)
    assert all(check_catalogs.plural_forms(code) for code in shipped)
    assert shipped <= set(languages_table())


@pytest.mark.parametrize("code", [c for c in available_locales() if c not in COMPLETE])
def test_a_half_translated_catalog_is_still_well_formed(code: str) -> None:
    """Until complete, a new catalog may have empty entries but nothing that would break at runtime."""
    assert check_catalogs.problems(code, require_complete=False) == []


def test_each_language_is_named_in_its_own_script_and_direction() -> None:
    names = {code: locale_name(code) for code in available_locales()}
    assert names.items() >= {
        "de": "Deutsch", "en": "English", "ar": "العربية", "fa": "فارسی", "tr": "Türkçe", "ru": "Русский",
        "uk": "Українська", "pl": "Polski", "ku": "Kurdî (Kurmancî)", "ro": "Română", "ps": "پښتو"}.items()
    assert {code for code in available_locales() if text_direction(code) == "rtl"} >= {"ar", "fa", "ps"}
    assert {code for code in COMPLETE + BEING_TRANSLATED if text_direction(code) == "rtl"} == {"ar", "fa", "ps"}
