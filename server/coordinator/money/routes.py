"""Every URL of claims, payouts, rates, each guide's allowance ledger, restricted records.

One blueprint for the whole desk (server/coordinator/common/blueprint.py): each endpoint keeps its
name, `url_for("coordinator.<endpoint>")`, wherever its view lives.
"""

from __future__ import annotations

from server.coordinator.common.blueprint import bp
from server.coordinator.money import allowance_ledger, claims, payouts, rates, restricted

# allowance_ledger.py
bp.get("/guides/<int:guide_id>/year-statement.pdf")(allowance_ledger.year_statement)

# claims.py
bp.get("/claims", endpoint="claims")(claims.claim_list)
bp.get("/claims/<claim_id>", endpoint="claim")(claims.claim_detail)
bp.post("/claims/<claim_id>/items/<expense_id>")(claims.decide_item)
bp.post("/claims/<claim_id>/approve-remaining")(claims.approve_remaining_items)
bp.get("/receipts/<int:receipt_id>")(claims.receipt_file)
bp.post("/claims/<claim_id>/allowances/compute")(claims.compute_allowances)
bp.post("/claims/<claim_id>/allowances/<int:line_id>/approve")(claims.approve_allowance)
bp.post("/claims/<claim_id>/allowances/<int:line_id>/reopen")(claims.reopen_allowance)

# payouts.py
bp.get("/payouts", endpoint="payouts")(payouts.payout_list)
bp.get("/payouts/new", endpoint="new_payout")(payouts.new_payout_form)
bp.post("/payouts/new", endpoint="create_payout")(payouts.create_payout_from_form)
bp.get("/payouts/<int:payout_id>", endpoint="payout")(payouts.payout_detail)
bp.post("/payouts/<int:payout_id>/remove", endpoint="remove_from_payout")(payouts.remove_view)
bp.post("/payouts/<int:payout_id>/export", endpoint="export_payout")(payouts.export_payout_view)
bp.get("/payouts/<int:payout_id>/sepa.xml")(payouts.payout_sepa_file)
bp.get("/payouts/<int:payout_id>/payout.xlsx")(payouts.payout_xlsx_file)
bp.post("/payouts/<int:payout_id>/paid", endpoint="mark_payout_paid")(payouts.mark_paid_view)
bp.post("/payouts/<int:payout_id>/cancel", endpoint="cancel_payout")(payouts.cancel_view)

# rates.py
bp.get("/rates")(rates.rates)
bp.post("/rates/km")(rates.add_km_rate)
bp.post("/rates/allowance")(rates.add_allowance_rate)
bp.post("/rates/limits")(rates.set_limit)

# restricted.py
bp.get("/privacy/restricted")(restricted.restricted_records)
bp.get("/privacy/restricted/receipts/<int:receipt_id>")(restricted.restricted_receipt)
