"""Every URL of the desk itself: sign-in, account, password, language, dashboard, search, audit log.

One blueprint for the whole desk (server/coordinator/common/blueprint.py): each endpoint keeps its
name, `url_for("coordinator.<endpoint>")`, wherever its view lives.
"""

from __future__ import annotations

from server.coordinator.common.blueprint import bp
from server.coordinator.desk import audit, password, search, views

# audit.py
bp.get("/audit")(audit.audit)
bp.get("/audit.<any(csv, xlsx):file_format>")(audit.audit_export)

# password.py
bp.route("/password/forgot", methods=["GET", "POST"])(password.forgot_password)
bp.route("/password/<token>", methods=["GET", "POST"])(password.set_password)
bp.route("/account/password", methods=["GET", "POST"])(password.change_password)
bp.post("/account/mail")(password.account_mail_preferences)

# search.py
bp.get("/search")(search.desk_search)

# views.py
bp.post("/language")(views.set_language)
bp.post("/organization")(views.switch_organization)
bp.route("/login", methods=["GET", "POST"])(views.login)
bp.route("/login/code", methods=["GET", "POST"])(views.login_code)
bp.post("/logout")(views.logout)
bp.get("/account")(views.account)
bp.post("/account/sessions/<session_id>/end")(views.end_one_session)
bp.post("/account/sessions/end-others")(views.end_other_sessions)
bp.route("/account/totp", methods=["GET", "POST"])(views.totp_setup)
bp.post("/account/totp/disable")(views.totp_disable)
bp.get("/")(views.home)
