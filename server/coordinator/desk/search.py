"""The desk's search page: one query over the organization's guides, requests, assignments, client codes
and notes (server/search/operations.py), grouped by kind, each kind paged (`guides_page=2`, …)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l

from server.coordinator.common.auth import current_org_id, staff_required
from server.extensions import db
from server.search import operations as search

KIND_LABELS = {"guides": _l("Guides"), "requests": _l("Requests"), "assignments": _l("Assignments"),
               "clients": _l("Client codes"), "notes": _l("Notes")}
LINKS = {"guides": ("coordinator.guide", "guide_id"), "requests": ("coordinator.request_detail", "request_id"),
         "assignments": ("coordinator.assignment", "assignment_id"), "clients": ("coordinator.assignment", "assignment_id"),
         "notes": ("coordinator.review_activity", "activity_id")}


@staff_required
def desk_search() -> Any:
    text = " ".join(request.args.get("q", "").split())
    if len(text) > search.MAX_LENGTH:
        text = text[:search.MAX_LENGTH]
    pages = {kind: max(1, min(request.args.get(f"{kind}_page", 1, type=int) or 1, 10_000)) for kind in search.KINDS}
    groups = search.search(db.session, current_org_id(), text, pages) if len(text) >= search.MIN_LENGTH else None

    def page_url(kind: str, number: int) -> str:
        """This search with one kind's page changed, the others' kept."""
        others = {f"{k}_page": n for k, n in pages.items() if k != kind and n > 1}
        return url_for("coordinator.desk_search", q=text, **others, **{f"{kind}_page": number})

    return render_template("coordinator/search.html", q=text, groups=groups, kinds=KIND_LABELS, links=LINKS,
                           min_length=search.MIN_LENGTH, page_url=page_url), (200 if groups is not None or not text else 400)
