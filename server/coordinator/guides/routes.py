"""Every URL of the guides: list, profile, enrolment, import, certificates, data protection.

One blueprint for the whole desk (server/coordinator/common/blueprint.py): each endpoint keeps its
name, `url_for("coordinator.<endpoint>")`, wherever its view lives.
"""

from __future__ import annotations

from server.coordinator.common.blueprint import bp
from server.coordinator.guides import certificates, importing, privacy, views

# certificates.py
bp.get("/certificates")(certificates.certificates)
bp.post("/certificates")(certificates.certificate_issue)
bp.get("/certificates/<int:certificate_id>.pdf")(certificates.certificate_file)
bp.post("/certificates/<int:certificate_id>/revoke")(certificates.certificate_revoke)

# importing.py
bp.get("/guides/import")(importing.import_guides)
bp.post("/guides/import")(importing.import_preview)
bp.post("/guides/import/confirm")(importing.import_confirm)

# privacy.py
bp.get("/guides/<int:guide_id>/privacy")(privacy.guide_privacy)
bp.post("/guides/<int:guide_id>/export")(privacy.export_guide)
bp.post("/guides/<int:guide_id>/erase")(privacy.erase_guide)
bp.get("/privacy")(privacy.privacy)
bp.post("/privacy/retention")(privacy.retention_settings)

# views.py
bp.get("/guides")(views.guides)
bp.get("/guides/<int:guide_id>")(views.guide)
bp.post("/guides/<int:guide_id>/profile")(views.edit_profile)
bp.post("/guides/<int:guide_id>/qualifications")(views.add_qualification)
bp.post("/guides/<int:guide_id>/qualifications/<int:qualification_id>/delete")(views.delete_qualification)
bp.post("/guides/<int:guide_id>/enrolment-code")(views.enrolment_code)
bp.post("/guides/<int:guide_id>/enrolment-mail")(views.enrolment_mail)
bp.post("/guides/<int:guide_id>/devices/<device_id>/revoke")(views.revoke_device)
bp.post("/guides/<int:guide_id>/bank-account")(views.guide_bank_account)
