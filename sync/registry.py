"""How each wire record type maps onto a table: the one place the server plugs its models into sync.

The server registers a `Binding` per record type at start-up (`server/sync_bindings.py`). The engine,
the feed and the coordinator operations only ever talk to bindings, so they stay free of the server's
models. A binding for a plain table is a `ColumnBinding`; types with child rows or workflow rules
subclass it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sync.merge import Author
from sync.spec import RECORD_SPECS, RecordSpec, wire_value
from sync.tables import EVERYONE


@dataclass(frozen=True)
class ChildLink:
    """A child table whose rows belong to one record's wire field (receipts of an expense, …)."""

    parent_type: str
    parent_id_attr: str
    wire_field: str


class Binding:
    """Base binding: override what differs. Attribute names equal wire field names unless mapped."""

    type_name: str = ""
    model: type[Any] = object
    # attributes that are not wire fields (or are sent under another name) never count as a change
    ignored_attrs: frozenset[str] = frozenset({"version", "created_at", "updated_at", "organization_id", "id"})
    # attribute name -> wire field name, where they differ (relationships mostly)
    attr_to_field: dict[str, str] = {}
    # New records of this type may be written in bulk (`sync/push/bulk_writer.py`): one row each, and creating one
    # touches no other record (no child rows, `after_write` or `related_records`).
    bulk_creates: bool = False

    @property
    def spec(self) -> RecordSpec:
        return RECORD_SPECS[self.type_name]

    def organization_id_of(self, obj: Any) -> int:
        return int(obj.organization_id)

    def record_id_of(self, obj: Any) -> str:
        return str(obj.id)

    # -- scope ---------------------------------------------------------------------------------------
    def owner_guide_id(self, obj: Any) -> int | None:
        """The guide whose record this is (None: not owned by one guide)."""
        return getattr(obj, "guide_id", None)

    def audiences(self, session: Session, obj: Any) -> set[str]:
        """Who receives this record: guide ids as text, or EVERYONE in the organization."""
        owner = self.owner_guide_id(obj)
        return {str(owner)} if owner is not None else {EVERYONE}

    def visible_to_guide(self, session: Session, obj: Any, guide_id: int) -> bool:
        return str(guide_id) in self.audiences(session, obj) or EVERYONE in self.audiences(session, obj)

    # -- values --------------------------------------------------------------------------------------
    def wire_fields_of(self, changed_attrs: Iterable[str]) -> set[str]:
        names = set()
        for attr in changed_attrs:
            if attr in self.ignored_attrs:
                continue
            name = self.attr_to_field.get(attr, attr)
            if name in self.spec.by_name or name in self.spec.read_only_fields or name == "deleted_at":
                names.add("deleted" if name == "deleted_at" else name)
        return names

    def current_values(self, session: Session, obj: Any) -> dict[str, Any]:
        """Writable wire fields as Python values, the merge's view of the server side."""
        return {f.name: self.get_field(session, obj, f.name) for f in self.spec.fields}

    def get_field(self, session: Session, obj: Any, name: str) -> Any:
        return getattr(obj, name)

    def set_fields(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> None:
        for name, value in values.items():
            setattr(obj, name, value)

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        data = {name: wire_value(value) for name, value in self.current_values(session, obj).items()}
        for name in self.spec.read_only_fields:
            if hasattr(obj, name):
                data[name] = wire_value(getattr(obj, name))
        return data

    # -- life cycle ----------------------------------------------------------------------------------
    def create(self, session: Session, record_id: str, organization_id: int, guide_id: int) -> Any:
        obj = self.model(id=record_id, organization_id=organization_id, guide_id=guide_id, version=1)
        return obj

    def lock_reason(self, obj: Any, author: Author) -> str | None:
        """Why this author may not change the record now (workflow wins), or None."""
        return None

    def staff_edit_refusal(self, obj: Any, values: dict[str, Any]) -> str | None:
        """Why a coordinator's edit of `values` is refused now (an error code, e.g. `locked`), or None."""
        return None

    def validate_references(self, session: Session, obj: Any | None, values: dict[str, Any],
                            organization_id: int, guide_id: int) -> dict[str, list[str]]:
        """Field errors for ids that point outside the writer's scope."""
        return {}

    def before_write(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> dict[str, Any]:
        """Derive computed fields (e.g. a mileage amount) before the merge writes `values`."""
        return values

    def after_write(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> None:
        """Side effects on other records (e.g. submitting a claim submits its expenses)."""

    def related_records(self, obj: Any, changed_attrs: set[str]) -> set[tuple[str, str]]:
        """Other records whose derived fields depend on this change (a claim's total on its expenses);
        the feed gives them a new version too, so devices never keep a stale figure."""
        return set()

    # A binding may take over a guide's upsert of an existing record entirely (an assignment's
    # response is an answer, not an edit to merge). Return the result status, or None to merge.
    def guide_upsert(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> str | None:
        return None


BINDINGS: dict[str, Binding] = {}
BY_MODEL: dict[type[Any], Binding] = {}
CHILD_LINKS: dict[type[Any], ChildLink] = {}


def register(binding: Binding, children: dict[type[Any], ChildLink] | None = None) -> None:
    BINDINGS[binding.type_name] = binding
    BY_MODEL[binding.model] = binding
    CHILD_LINKS.update(children or {})
