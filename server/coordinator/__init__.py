"""The coordinator's pages under /coordinator/ (server-rendered, Jinja + Flask-Babel)."""

from __future__ import annotations

from flask import Flask


def register_coordinator(app: Flask) -> None:
    from server.coordinator import (  # noqa: F401  - routes on the same blueprint
        audit_views,
        conflict_views,
        guide_views,
        import_views,
        plenum_views,
        privacy_views,
        request_views,
        review_views,
    )
    from server.coordinator.auth import init_login
    from server.coordinator.views import bp

    init_login(app)
    app.register_blueprint(bp)
