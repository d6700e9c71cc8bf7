"""Assignments over sync: offered guides see the offer; the first to accept gets the assignment.

A guide's only write is `response` (accepted | declined) — an answer, not an edit, so it bypasses the
merge. The client is shown only by its pseudonym code, language and household size.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from server.assignments.models import Assignment, AssignmentOffer, Client
from server.assignments.operations import release_assignment, request_matched
from sync.merge import Author
from sync.push.answers import Rejected
from sync.registry import Binding
from sync.spec import wire_value
from sync.tables import EVERYONE

VISIBLE_OFFER_STATES = ("offered", "accepted", "taken")


class AssignmentBinding(Binding):
    type_name = "assignment"
    model = Assignment
    ignored_attrs = Binding.ignored_attrs | {"request_id", "client_id"}
    attr_to_field = {"offers": "response", "guide_id": "state"}

    def owner_guide_id(self, obj: Any) -> int | None:
        return obj.guide_id

    def audiences(self, session: Session, obj: Any) -> set[str]:
        if obj.state in ("draft", "cancelled"):
            return set()
        guides = {str(o.guide_id) for o in obj.offers if o.state in VISIBLE_OFFER_STATES}
        if obj.guide_id is not None:
            guides.add(str(obj.guide_id))
        return guides - {EVERYONE}

    def visible_to_guide(self, session: Session, obj: Any, guide_id: int) -> bool:
        return str(guide_id) in self.audiences(session, obj)

    def get_field(self, session: Session, obj: Any, name: str) -> Any:
        if name == "response":
            return None  # per guide; see to_wire
        return getattr(obj, name)

    def guide_upsert(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> str | None:
        response = values.get("response")
        if response is None:
            return "applied"
        offer = next((o for o in obj.offers if o.guide_id == author.user_id), None)
        if offer is None:
            raise Rejected("not_offered")
        if offer.state == "accepted" and response == "accepted":
            return "applied"  # said twice, e.g. from two phones
        if offer.state in ("taken", "withdrawn") or obj.state not in ("offered", "active"):
            raise Rejected("taken" if offer.state == "taken" else "not_offered", state=offer.state)
        if response == "declined":
            if offer.state == "accepted":
                release_assignment(session, obj)
            offer.state = "declined"
        else:
            if obj.guide_id is not None and obj.guide_id != author.user_id:
                offer.state = "taken"
                raise Rejected("taken", state="taken")
            offer.state = "accepted"
            obj.guide_id = author.user_id
            obj.state = "active"
            for other in obj.offers:
                if other is not offer and other.state == "offered":
                    other.state = "taken"
            request_matched(session, obj)
        from sync.clock import utcnow

        offer.responded_at = utcnow()
        return "applied"

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        offer = next((o for o in obj.offers if str(o.guide_id) == audience), None)
        client = session.get(Client, obj.client_id) if obj.client_id else None
        response = None
        if offer is not None and offer.state in ("accepted", "declined"):
            response = offer.state
        return {
            "title": obj.title, "description": obj.description, "field": obj.field, "language": obj.language,
            "district": obj.district, "starts_on": wire_value(obj.starts_on), "ends_on": wire_value(obj.ends_on),
            "planned_minutes": obj.planned_minutes, "state": obj.state,
            "offer_state": offer.state if offer is not None else ("accepted" if obj.guide_id else None),
            "response": response,
            "client_code": client.code if client else None,
            "client_language": client.language if client else None,
            "household_size": client.household_size if client else None,
        }


# AssignmentOffer rows belong to the assignment's `response` field.
OFFER_MODEL = AssignmentOffer
