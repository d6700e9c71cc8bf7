"""The coordinator's pages under /coordinator/ (server-rendered, Jinja + Flask-Babel)."""

from __future__ import annotations

from flask import Flask


def register_coordinator(app: Flask) -> None:
    from server.coordinator import (  # noqa: F401  - routes on the same blueprint
        admin_reporting_views,
        admin_views,
        allowance_ledger_views,
        assignment_views,
        audit_views,
        certificate_views,
        claim_views,
        conflict_views,
        course_session_views,
        course_views,
        formatting,
        guide_views,
        import_views,
        list_exports,
        message_views,
        offer_views,
        partner_views,
        password_views,
        payout_views,
        plenum_views,
        privacy_views,
        public_views,
        rate_views,
        report_views,
        request_views,
        restricted_views,
        review_views,
        search_views,
    )
    from server.coordinator.auth import init_login
    from server.coordinator.views import bp

    init_login(app)
    app.register_blueprint(bp)
    # The public check of a volunteer certificate (/verify/<token>, no sign-in) belongs to these pages' work.
    from server.money.verify_views import bp as verify_bp

    app.register_blueprint(verify_bp)
