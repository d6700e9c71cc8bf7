"""Lotsenbuch's Flask server: `create_app` builds the app; `flask --app server <command>` finds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flask_babel
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter, Map

from server.config import INSTANCE_DIR, load_config

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_DIR = PACKAGE_DIR.parent


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 … 2**31-1, the range of an id column on PostgreSQL and SQLite."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config_override: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config_override` wins over environment variables (tests pass one)."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), static_folder=None)
    # Ids in URLs are database integers: a larger number is "not found" (404), not an overflow (500).
    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.update(load_config(config_override))
    if app.config["TRUSTED_PROXIES"] > 0:
        # Behind N proxies the client's address (rate limits, audit) is the one the last N forwarded.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    # No pre-ping: it costs a round trip per request; stale connections are recycled hourly instead.
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_recycle": 3600})
    app.config["MAX_CONTENT_LENGTH"] = max(app.config["BLOB_MAX_BYTES"], app.config["SYNC_MAX_BODY_BYTES"]) + 4096
    app.config.update(
        API_TITLE="Lotsenbuch API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT_DIR / "locales"),
        BABEL_DEFAULT_LOCALE=app.config["DEFAULT_LOCALE"],
        BABEL_DEFAULT_TIMEZONE="Europe/Berlin",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        RATELIMIT_STORAGE_URI=app.config["REDIS_URL"] or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=None,
    )
    from server.observability.logs import configure_logging

    configure_logging(app)  # before the database: SQLAlchemy's engine takes its logging options at creation
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from server import models  # noqa: F401  - registers every table on the metadata
    from server.extensions import api, babel, csrf, db, limiter, login_manager, migrate
    from server.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # Each request chooses its language afresh, even when an app context outlives it (tests, CLI).
    app.before_request(flask_babel.refresh)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    api.init_app(app)

    from server.outbox.mail import init_mail

    init_mail(app)

    from server.sync_bindings import register_bindings

    register_bindings()

    from server.push import install_push

    install_push()

    from server.api import register_api
    from server.cli import register_cli
    from server.coordinator import register_coordinator
    from server.errors import register_error_handlers
    from server.public import register_public
    from server.security_headers import register_security_headers
    from server.web import register_web

    register_api(app, api)
    register_coordinator(app)
    register_public(app)
    register_web(app)
    register_cli(app)
    register_error_handlers(app)

    from server.observability import register_observability
    from server.static_files import install_static_files

    register_observability(app)
    install_static_files(app)
    register_security_headers(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Make SQLite enforce foreign keys and wait for locks instead of failing at once."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
