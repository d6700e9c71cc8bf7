"""The city's directory of guide projects: /directory (HTML, no script needed) and /directory.json (for the
city's portal). Both read only what the organizations published and the counts stored with it."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request, url_for

from server.coordinator.labels import SPECIALISATION_LABELS, language_label
from server.extensions import db
from server.public import directory
from server.public.views import bp
from sync.vocabulary import DISTRICTS, SPECIALISATIONS

CACHE_SECONDS = 300


def _entries() -> tuple[list[directory.Entry], directory.Filters, list[directory.Entry]]:
    every = directory.listed_entries(db.session)
    filters = directory.parse_filters(request.args, every)
    return every, filters, [e for e in every if filters.matches(e)]


@bp.get("/directory")
def directory_page() -> Any:
    every, filters, shown = _entries()
    response = render_template(
        "public/directory.html", entries=shown, total=len(every), filters=filters, districts=DISTRICTS,
        specialisations=SPECIALISATIONS, specialisation_labels=SPECIALISATION_LABELS, language_name=language_label)
    return response, 200, {"Cache-Control": f"public, max-age={CACHE_SECONDS}", "Vary": "Accept-Language, Cookie"}


def _json_entry(entry: directory.Entry) -> dict[str, Any]:
    return {
        "slug": entry.slug,
        "name": entry.name,
        "offer": entry.offer,
        "districts": [{"code": code, "name": DISTRICTS[code]} for code in entry.districts if code in DISTRICTS],
        "specialisations": [{"code": code, "label": str(SPECIALISATION_LABELS.get(code, code))}
                            for code in entry.specialisations],
        "languages": [{"code": code, "name": language_label(code), "guides": count}
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
    response = jsonify({
        "filters": {"district": filters.district or None, "language": filters.language or None,
                    "specialisation": filters.specialisation or None},
        "total": len(every),
        "organizations": [_json_entry(e) for e in shown],
    })
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Vary"] = "Accept-Language"
    return response
