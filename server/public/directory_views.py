"""The city's directory of guide projects: /directory (HTML, no script needed) and /directory.json (for the
city's portal). Both read only what the organizations published and the counts stored with it."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from server.extensions import db
from server.labels import SPECIALISATION_LABELS, language_label
from server.public import directory
from server.public.views import bp
from sync.vocabulary import DISTRICTS, SPECIALISATIONS

CACHE_SECONDS = 300


def entry_labels(entries: list[directory.Entry]) -> dict[str, Any]:
    """Every text an entry shows, translated once per page: 50 entries would otherwise cost some 1,500
    look-ups of the same dozen strings (a third of a second on the development machine)."""
    counts = {count for e in entries for count in e.languages.values()}
    codes = {code for e in entries for code in e.languages}
    return {
        "labels": {
            "open": _("Takes new requests"), "closed": _("Takes no new requests at the moment"),
            "districts": _("Districts served"), "languages": _("Languages of its guides"),
            "specialisations": _("Specialisations"), "get_help": _("How to get help"),
            "become_guide": _("How to become a guide"), "contact": _("Contact"), "request": _("Request a guide"),
        },
        "guides_text": {count: ngettext("%(num)d guide", "%(num)d guides", count) for count in counts},
        "language_names": {code: language_label(code) for code in codes},
        "districts": DISTRICTS,
        "specialisation_labels": {code: str(label) for code, label in SPECIALISATION_LABELS.items()},
    }


def _entries() -> tuple[list[directory.Entry], directory.Filters, list[directory.Entry]]:
    every = directory.listed_entries(db.session)
    filters = directory.parse_filters(request.args, every)
    return every, filters, [e for e in every if filters.matches(e)]


@bp.get("/directory")
def directory_page() -> Any:
    every, filters, shown = _entries()
    response = render_template(
        "public/directory.html", entries=shown, total=len(every), filters=filters, specialisations=SPECIALISATIONS,
        filter_languages={code: language_label(code) for code in filters.options_languages}, **entry_labels(shown))
    return response, 200, {"Cache-Control": f"public, max-age={CACHE_SECONDS}", "Vary": "Accept-Language, Cookie"}


def _json_entry(entry: directory.Entry, names: dict[str, str], specialisations: dict[str, str]) -> dict[str, Any]:
    return {
        "slug": entry.slug,
        "name": entry.name,
        "offer": entry.offer,
        "districts": [{"code": code, "name": DISTRICTS[code]} for code in entry.districts if code in DISTRICTS],
        "specialisations": [{"code": code, "label": specialisations.get(code, code)} for code in entry.specialisations],
        "languages": [{"code": code, "name": names[code], "guides": count}
                      for code, count in entry.languages.items()],
        "guides": entry.guides,
        "how_to_get_help": entry.how_to_get_help,
        "how_to_become_guide": entry.how_to_become_guide,
        "contact": entry.contact,
        "accepts_requests": entry.accepts_requests,
        "request_form_url": url_for("public.request_form", slug=entry.slug, _external=True)
        if entry.accepts_requests else None,
        "published_at": entry.published_at.isoformat() if entry.published_at else None,
        "numbers_refreshed_at": entry.numbers_refreshed_at.isoformat() if entry.numbers_refreshed_at else None,
    }


@bp.get("/directory.json")
def directory_json() -> Any:
    every, filters, shown = _entries()
    texts = entry_labels(shown)
    response = jsonify({
        "filters": {"district": filters.district or None, "language": filters.language or None,
                    "specialisation": filters.specialisation or None},
        "total": len(every),
        "organizations": [_json_entry(e, texts["language_names"], texts["specialisation_labels"]) for e in shown],
    })
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Vary"] = "Accept-Language"
    return response
