"""The coordinator's pages under /coordinator/ (server-rendered, Jinja + Flask-Babel).

One folder per area, each listing its URLs in its `routes.py`; what they share is in `common/`.
"""

from __future__ import annotations

from flask import Flask


def register_coordinator(app: Flask) -> None:
    from server.coordinator.admin import routes as _admin  # noqa: F401  - each adds its URLs to bp
    from server.coordinator.common import formatting as _formatting  # noqa: F401  - template filters
    from server.coordinator.common.auth import init_login
    from server.coordinator.common.blueprint import bp
    from server.coordinator.courses import routes as _courses  # noqa: F401
    from server.coordinator.desk import routes as _desk  # noqa: F401
    from server.coordinator.guides import routes as _guides  # noqa: F401
    from server.coordinator.money import routes as _money  # noqa: F401
    from server.coordinator.reports import routes as _reports  # noqa: F401
    from server.coordinator.requests import routes as _requests  # noqa: F401
    from server.coordinator.review import routes as _review  # noqa: F401

    init_login(app)
    app.register_blueprint(bp)
    # The public check of a volunteer certificate (/verify/<token>, no sign-in) belongs to these pages' work.
    from server.money.verify_views import bp as verify_bp

    app.register_blueprint(verify_bp)
