"""The public pages, without sign-in: a partner institution's request form (/request/<slug>), the private
status link of a filed request (/request/status/<token>) and the city's directory of guide projects
(/directory, /directory.json). Nothing appears here that the organization has not chosen to publish."""

from __future__ import annotations

from flask import Flask


def register_public(app: Flask) -> None:
    from server.public import directory_views, request_views  # noqa: F401  - routes on the same blueprint
    from server.public.views import bp

    app.register_blueprint(bp)
