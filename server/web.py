"""The app shell's fallback at `/` (the built PWA itself is served by server/static_files.py), and
template globals for every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, send_from_directory
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.routing import PathConverter

from server.i18n import claim_label, flashed_messages, month_label, text_direction
from server.static_files import APP_DIR, APP_ROUTES

bp = Blueprint("web", __name__)


class AppPathConverter(PathConverter):
    """A path of the app's files: never one under /api/ or /coordinator/. Those belong to their own
    routes, so an OPTIONS there lists only their methods (not this route's GET) and a wrong method
    answers 405, not 404."""

    regex = r"(?!(?:api|coordinator)(?:/|$))[^/].*?"


def _app_dir() -> Path:
    return Path(current_app.config.get("PWA_DIR", APP_DIR))


def _shell() -> Any:
    index = _app_dir() / "index.html"
    if not index.exists():
        return (_("The guide's app has not been built yet. Run “make run” (or “make pwa”) once."), 503,
                {"Content-Type": "text/plain; charset=utf-8"})
    response = send_from_directory(_app_dir(), "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def index() -> Any:
    return _shell()


@bp.get("/<app_path:path>")
def app_file(path: str) -> Any:
    """Only what WhiteNoise (server/static_files.py) did not answer comes here: the app's routes while
    the PWA is not built, and files that do not exist."""
    if path.split("/", 1)[0] in APP_ROUTES:
        return _shell()
    abort(404)


def register_web(app: Flask) -> None:
    app.url_map.converters["app_path"] = AppPathConverter
    app.register_blueprint(bp)
    # "2026-12" → "Dezember 2026": a month is never shown as its code (locales/README.md).
    app.add_template_filter(month_label, "monthformat")
    app.add_template_filter(claim_label, "claimmonth")  # the month, and "follow-up claim" for a Nachtrag
    app.add_template_global(flashed_messages)  # translated when shown (server/i18n.py)

    @app.context_processor
    def locale_globals() -> dict[str, Any]:
        code = str(get_locale() or app.config["DEFAULT_LOCALE"])
        return {"current_locale": code, "current_dir": text_direction(code)}
