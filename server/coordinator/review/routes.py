"""Every URL of reviewing activities, conflicts, plenum meetings, messages to guides.

One blueprint for the whole desk (server/coordinator/common/blueprint.py): each endpoint keeps its
name, `url_for("coordinator.<endpoint>")`, wherever its view lives.
"""

from __future__ import annotations

from server.coordinator.common.blueprint import bp
from server.coordinator.review import conflicts, messages, plenum, views

# conflicts.py
bp.get("/conflicts")(conflicts.conflicts)
bp.post("/conflicts/<conflict_id>/resolve")(conflicts.resolve)

# messages.py
bp.get("/messages")(messages.messages)
bp.post("/messages")(messages.send_message)
bp.post("/messages/to/<int:guide_id>")(messages.send_message_to_guide)

# plenum.py
bp.route("/plenum", methods=["GET", "POST"])(plenum.plenum_events)
bp.get("/plenum/<int:event_id>")(plenum.plenum_event)
bp.post("/plenum/<int:event_id>/edit")(plenum.edit_plenum)
bp.post("/plenum/<int:event_id>/delete")(plenum.delete_plenum)
bp.post("/plenum/<int:event_id>/attendance")(plenum.plenum_attendance)

# views.py
bp.get("/review", endpoint="review")(views.review_list)
bp.get("/review/<activity_id>")(views.review_activity)
bp.post("/review/<activity_id>")(views.correct_activity)
bp.post("/review/<activity_id>/approve")(views.approve_one)
bp.post("/review/approve")(views.approve_bulk)
