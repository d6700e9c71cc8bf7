"""Every URL of partner institutions, requests for a guide, offers, agreements (assignments).

One blueprint for the whole desk (server/coordinator/common/blueprint.py): each endpoint keeps its
name, `url_for("coordinator.<endpoint>")`, wherever its view lives.
"""

from __future__ import annotations

from server.coordinator.common.blueprint import bp
from server.coordinator.requests import assignments, offers, partners, views

# assignments.py
bp.get("/assignments")(assignments.assignments)
bp.get("/assignments/<assignment_id>")(assignments.assignment)
bp.post("/assignments/<assignment_id>")(assignments.edit_assignment)
bp.post("/assignments/<assignment_id>/offers")(assignments.add_offers)
bp.post("/assignments/<assignment_id>/offers/<int:offer_id>/withdraw")(assignments.withdraw_offer)
bp.post("/assignments/<assignment_id>/end")(assignments.end_assignment)
bp.post("/assignments/<assignment_id>/cancel")(assignments.cancel_assignment)

# offers.py
bp.get("/requests/<int:request_id>")(offers.request_detail)
bp.post("/requests/<int:request_id>/offer")(offers.offer)

# partners.py
bp.route("/partners", methods=["GET", "POST"])(partners.partners)
bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])(partners.partner)

# views.py
bp.get("/requests")(views.requests)
bp.route("/requests/new", methods=["GET", "POST"])(views.new_request)
bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])(views.edit_request)
bp.post("/requests/<int:request_id>/state")(views.request_state)
