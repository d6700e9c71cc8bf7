"""The organization as read-only reference data for every device: name, districts, kinds, rates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.organizations.models import MileageRate, Organization
from sync.registry import Binding
from sync.spec import wire_value
from sync.tables import EVERYONE
from sync.vocabulary import ACTIVITY_KINDS, DISTRICTS, EXPENSE_CATEGORIES


class OrganizationBinding(Binding):
    type_name = "organization"
    model = Organization
    ignored_attrs = Binding.ignored_attrs | {"created_at", "retention_months", "bank_account_holder", "bank_iban",
                                             "bank_bic"}
    attr_to_field = {"name": "name", "slug": "slug"}

    def organization_id_of(self, obj: Any) -> int:
        return int(obj.id)

    def owner_guide_id(self, obj: Any) -> int | None:
        return None

    def audiences(self, session: Session, obj: Any) -> set[str]:
        return {EVERYONE}

    def visible_to_guide(self, session: Session, obj: Any, guide_id: int) -> bool:
        return True

    def current_values(self, session: Session, obj: Any) -> dict[str, Any]:
        return {}

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        rates = session.execute(
            select(MileageRate.mode, MileageRate.valid_from, MileageRate.cents_per_km)
            .where(MileageRate.organization_id == obj.id).order_by(MileageRate.valid_from)
        ).all()
        return {
            "name": obj.name, "slug": obj.slug,
            "districts": [{"code": code, "name": name} for code, name in DISTRICTS.items()],
            "activity_kinds": list(ACTIVITY_KINDS), "expense_categories": list(EXPENSE_CATEGORIES),
            "mileage_rates": [{"mode": m, "valid_from": wire_value(v), "cents_per_km": c} for m, v, c in rates],
        }
