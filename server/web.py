"""Serves the built PWA (pwa/ → server/static/app/) at `/`, and template globals for every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, send_from_directory
from flask_babel import get_locale
from flask_babel import gettext as _

from server.i18n import month_label, text_direction

APP_DIR = Path(__file__).resolve().parent / "static" / "app"
# Paths the PWA routes itself; the server answers each with the app shell.
APP_ROUTES = ("enroll", "today", "log", "expenses", "assignments", "history", "settings", "timer")

bp = Blueprint("web", __name__)


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


@bp.get("/<path:path>")
def app_file(path: str) -> Any:
    first = path.split("/", 1)[0]
    if first in APP_ROUTES:
        return _shell()
    if first in ("api", "coordinator"):
        abort(404)
    target = _app_dir() / path
    if not target.is_file():
        abort(404)
    response = send_from_directory(_app_dir(), path)
    if path.startswith("assets/"):
        # Vite puts a content hash in every asset name: cache for a year.
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        # sw.js, the manifest, icons, catalogs: always revalidate so updates arrive.
        response.headers["Cache-Control"] = "no-cache"
    return response


def register_web(app: Flask) -> None:
    app.register_blueprint(bp)
    # "2026-12" → "Dezember 2026": a month is never shown as its code (locales/README.md).
    app.add_template_filter(month_label, "monthformat")

    @app.context_processor
    def locale_globals() -> dict[str, Any]:
        code = str(get_locale() or app.config["DEFAULT_LOCALE"])
        return {"current_locale": code, "current_dir": text_direction(code)}
