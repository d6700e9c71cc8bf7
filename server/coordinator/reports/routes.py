"""Every URL of the reports and the lists as spreadsheets.

One blueprint for the whole desk (server/coordinator/common/blueprint.py): each endpoint keeps its
name, `url_for("coordinator.<endpoint>")`, wherever its view lives.
"""

from __future__ import annotations

from server.coordinator.common.blueprint import bp
from server.coordinator.reports import list_exports, views

# list_exports.py: each list as a spreadsheet, /guides.csv or /guides.xlsx
FORMAT = "<any(csv, xlsx):file_format>"
bp.get(f"/guides.{FORMAT}")(list_exports.export_guides)
bp.get(f"/requests.{FORMAT}")(list_exports.export_requests)
bp.get(f"/assignments.{FORMAT}")(list_exports.export_assignments)
bp.get(f"/claims.{FORMAT}")(list_exports.export_claims)
bp.get(f"/payouts.{FORMAT}")(list_exports.export_payouts)
bp.get(f"/review.{FORMAT}")(list_exports.export_review)

# views.py
bp.get("/reports")(views.reports)
bp.get("/reports/report.<file_type>")(views.report_file)
