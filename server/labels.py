"""Translatable names for the codes of sync.vocabulary, as the coordinator's pages show them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SPECIALISATION_LABELS = {
    "sport": _l("Sport"),
    "parents": _l("Parents"),
    "university": _l("University"),
    "vocational_training": _l("Vocational training"),
    "tolerance": _l("Tolerance"),
    "environment": _l("Environment"),
}

QUALIFICATION_LABELS = {
    "basic": _l("Basic qualification"),
    "specialisation": _l("Specialisation"),
    "sustainability": _l("Sustainability module"),
}

ACTIVITY_KIND_LABELS = {
    "accompaniment": _l("Accompaniment"),
    "meeting": _l("Meeting"),
    "phone": _l("Phone call"),
    "preparation": _l("Preparation"),
    "travel": _l("Travel"),
    "plenum": _l("Plenum"),
    "training": _l("Training"),
    "other": _l("Other"),
}

EXPENSE_CATEGORY_LABELS = {
    "mileage": _l("Mileage"),
    "public_transport": _l("Public transport"),
    "phone": _l("Phone costs"),
    "material": _l("Material"),
    "other": _l("Other"),
}

STATE_LABELS = {
    "logged": _l("logged"),
    "approved": _l("approved"),
    "open": _l("open"),
    "submitted": _l("submitted"),
    "rejected": _l("rejected"),
    "paid": _l("paid"),
}


def label(table: dict[str, object], code: str | None) -> str:
    if code is None:
        return ""
    return str(table.get(code, code))


# A partner institution's kind: the form takes free text, these are the demo's and the importer's codes.
PARTNER_KIND_LABELS = {
    "authority": _l("Public authority"),
    "school": _l("School"),
    "job_centre": _l("Job centre"),
    "clinic": _l("Clinic"),
    "family_centre": _l("Family centre"),
    "counselling": _l("Counselling service"),
    "kindergarten": _l("Kindergarten"),
}

# CEFR levels (A1–C2) are the same words in every language; "native" is not.
LANGUAGE_LEVEL_LABELS = {"native": _l("Native language")}


def language_label(code: str) -> str:
    """A language's name in the page's language ("Türkisch", "Dari" on a German page), or its code."""
    from server.i18n import language_display_name

    return language_display_name(code)


def level_label(level: str | None) -> str:
    """"native" → "Muttersprache"; "B2" stays "B2"."""
    return label(LANGUAGE_LEVEL_LABELS, level)
