"""Every URL of the organization's set-up (admins), its reporting settings, its public profile.

One blueprint for the whole desk (server/coordinator/common/blueprint.py): each endpoint keeps its
name, `url_for("coordinator.<endpoint>")`, wherever its view lives.
"""

from __future__ import annotations

from server.coordinator.admin import public_profile, reporting, views
from server.coordinator.common.blueprint import bp

# public_profile.py
bp.get("/public")(public_profile.public_profile)
bp.post("/public/form")(public_profile.public_form_settings)
bp.post("/public/profile")(public_profile.public_profile_save)
bp.get("/public/preview")(public_profile.public_profile_preview)
bp.post("/public/publish")(public_profile.public_profile_publish)
bp.post("/public/withdraw")(public_profile.public_profile_withdraw)

# reporting.py
bp.post("/admin/organizations/<int:org_id>/reporting")(reporting.admin_reporting)
bp.post("/admin/organizations/<int:org_id>/logo")(reporting.admin_logo)
bp.post("/admin/organizations/<int:org_id>/logo/remove")(reporting.admin_remove_logo)
bp.get("/admin/organizations/<int:org_id>/logo")(reporting.admin_logo_image)
bp.get("/organization-logo")(reporting.organization_logo)

# views.py
bp.route("/admin/organizations", methods=["GET", "POST"])(views.admin_organizations)
bp.get("/admin/organizations/<int:org_id>")(views.admin_organization)
bp.post("/admin/organizations/<int:org_id>")(views.admin_organization_settings)
bp.post("/admin/organizations/<int:org_id>/bank-account")(views.admin_bank_account)
bp.post("/admin/organizations/<int:org_id>/staff")(views.admin_new_coordinator)
bp.post("/admin/organizations/<int:org_id>/staff/<int:user_id>/reset-link")(views.admin_send_reset_link)
bp.post("/admin/organizations/<int:org_id>/staff/<int:user_id>/deactivate")(views.admin_deactivate_staff)
