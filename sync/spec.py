"""The wire contract: one declaration per record type — its fields, their limits, who may write them.

Rules stated once, here:
* A mutation's `fields` holds only the fields it changes. A field the writer may not write is refused
  (`read_only`); a field that does not exist is refused (`unknown`). Nothing is silently dropped.
* Types are strict: an integer is a JSON integer (not "5", not 5.0, not true), a boolean is true/false,
  a date is "YYYY-MM-DD", a month "YYYY-MM", ids are lowercase UUID strings.
* Error messages are fixed English sentences marked with `N_` so the server can translate them; the
  limits themselves are documented in PROTOCOL.md.

`tests/test_contract.py` checks that the PWA's TypeScript wire types list the same types, fields and
enums as this file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sync import vocabulary as v


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message


MSG = {
    "reference": N_("This record is not available to you."),
    "unknown": N_("This field does not exist."),
    "read_only": N_("You may not change this field."),
    "required": N_("This field is required."),
    "null": N_("This field may not be empty."),
    "type_int": N_("Enter a whole number."),
    "type_bool": N_("Choose yes or no."),
    "type_str": N_("Enter text."),
    "type_list": N_("Expected a list."),
    "range": N_("This value is outside the allowed range."),
    "length": N_("This text is too long."),
    "date": N_("Enter a date as YYYY-MM-DD."),
    "month": N_("Enter a month as YYYY-MM."),
    "time": N_("Enter a time of day as HH:MM."),
    "datetime": N_("Enter a time as YYYY-MM-DDTHH:MM:SSZ."),
    "choice": N_("Choose one of the offered values."),
    "uuid": N_("Not a valid id."),
    "sha256": N_("Not a valid receipt reference."),
    "too_many": N_("Too many entries."),
    "language": N_("Not a valid language entry."),
    "already": N_("You have asked for this already."),
}

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
LANG_CODE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")

GUIDE = "guide"
COORDINATOR = "coordinator"


class FieldError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(MSG[key])
        self.key = key


@dataclass(frozen=True)
class WireField:
    """One field: its JSON kind and limits, and which roles may write it."""

    name: str
    kind: str  # int | bool | str | date | datetime | month | time (HH:MM) | enum | uuid | sha256_list | languages | str_list
    writers: frozenset[str] = frozenset({GUIDE, COORDINATOR})
    nullable: bool = False
    required: bool = False  # on create
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    max_items: int | None = None

    def parse(self, value: Any) -> Any:
        """Check one incoming JSON value; return it in Python form (dates become dt.date)."""
        if value is None:
            if self.nullable:
                return None
            raise FieldError("null")
        kind = self.kind
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise FieldError("type_int")
            if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
                raise FieldError("range")
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                raise FieldError("type_bool")
            return value
        if kind in ("str", "enum", "uuid", "date", "datetime", "month", "time"):
            if not isinstance(value, str):
                raise FieldError("type_str")
        if kind == "str":
            if self.max_length is not None and len(value) > self.max_length:
                raise FieldError("length")
            return value
        if kind == "enum":
            if value not in self.choices:
                raise FieldError("choice")
            return value
        if kind == "uuid":
            if not UUID_RE.match(value):
                raise FieldError("uuid")
            return value
        if kind == "date":
            return parse_date(value)
        if kind == "datetime":
            return parse_datetime(value)
        if kind == "month":
            if not MONTH_RE.match(value):
                raise FieldError("month")
            return value
        if kind == "time":
            if not TIME_RE.match(value):
                raise FieldError("time")
            return value
        if kind in ("sha256_list", "str_list", "languages"):
            if not isinstance(value, list):
                raise FieldError("type_list")
            if self.max_items is not None and len(value) > self.max_items:
                raise FieldError("too_many")
            return [self._parse_item(item) for item in value]
        raise AssertionError(f"unknown field kind {kind}")

    def _parse_item(self, item: Any) -> Any:
        if self.kind == "sha256_list":
            if not isinstance(item, str) or not SHA256_RE.match(item):
                raise FieldError("sha256")
            return item
        if self.kind == "str_list":
            if not isinstance(item, str) or (self.choices and item not in self.choices):
                raise FieldError("choice")
            return item
        # languages: {"language": "ar", "level": "C2", "dialect": "Levantine"}
        if not isinstance(item, dict) or set(item) - {"language", "level", "dialect"}:
            raise FieldError("language")
        code, level, dialect = item.get("language"), item.get("level"), item.get("dialect", "")
        if not isinstance(code, str) or not LANG_CODE_RE.match(code):
            raise FieldError("language")
        if level not in v.LANGUAGE_LEVELS or not isinstance(dialect, str) or len(dialect) > 60:
            raise FieldError("language")
        return {"language": code, "level": level, "dialect": dialect}


def parse_datetime(value: str) -> dt.datetime:
    """An RFC 3339 time with its offset ("…Z" or "…+01:00"), as an aware UTC datetime."""
    if not DATETIME_RE.match(value):
        raise FieldError("datetime")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise FieldError("datetime") from None
    if not (2000 <= parsed.year <= 2100):
        raise FieldError("range")
    return parsed.astimezone(dt.UTC)


def parse_date(value: str) -> dt.date:
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        raise FieldError("date")
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        raise FieldError("date") from None
    if not (2000 <= parsed.year <= 2100):
        raise FieldError("range")
    return parsed


G = frozenset({GUIDE, COORDINATOR})
C = frozenset({COORDINATOR})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RecordSpec:
    """A synced record type: its wire fields and whether devices may create or delete it."""

    name: str
    fields: tuple[WireField, ...]
    guide_creates: bool = False
    guide_deletes: bool = False
    read_only_fields: tuple[str, ...] = ()  # sent to devices, written by nobody over sync
    by_name: Mapping[str, WireField] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    def validate(self, values: Any, role: str, creating: bool) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """Parse a mutation's `fields` for `role`; returns (clean values, errors by field)."""
        errors: dict[str, list[str]] = {}
        clean: dict[str, Any] = {}
        if not isinstance(values, dict):
            return {}, {"fields": [MSG["type_list"]]}
        for name, value in values.items():
            spec = self.by_name.get(name)
            if spec is None:
                key = "read_only" if name in self.read_only_fields else "unknown"
                errors[str(name)[:64]] = [MSG[key]]
                continue
            if role not in spec.writers:
                errors[name] = [MSG["read_only"]]
                continue
            try:
                clean[name] = spec.parse(value)
            except FieldError as exc:
                errors[name] = [MSG[exc.key]]
        if creating:
            for spec in self.fields:
                if spec.required and spec.name not in clean and spec.name not in errors:
                    errors[spec.name] = [MSG["required"]]
        return clean, errors


ACTIVITY = RecordSpec(
    "activity",
    (
        WireField("date", "date", G, required=True),
        WireField("minutes", "int", G, required=True, min=1, max=1440),
        # When the meeting began (local time), if the guide gave it: lets overlaps be seen.
        WireField("start_time", "time", G, nullable=True),
        WireField("kind", "enum", G, required=True, choices=v.ACTIVITY_KINDS),
        WireField("assignment_id", "uuid", G, nullable=True),
        WireField("district", "enum", G, nullable=True, choices=tuple(v.DISTRICTS)),
        WireField("travel_km", "int", G, nullable=True, min=0, max=2000),
        WireField("note", "str", G, max_length=2000),
        WireField("needs_professional_help", "bool", G),
        WireField("state", "enum", C, choices=v.ACTIVITY_STATES),
    ),
    guide_creates=True,
    guide_deletes=True,
)

EXPENSE = RecordSpec(
    "expense",
    (
        WireField("date", "date", G, required=True),
        WireField("category", "enum", G, required=True, choices=v.EXPENSE_CATEGORIES),
        WireField("amount_cents", "int", G, min=0, max=1_000_000),
        WireField("km", "int", G, nullable=True, min=0, max=5000),
        WireField("description", "str", G, max_length=1000),
        WireField("receipts", "sha256_list", G, max_items=10),
        WireField("activity_id", "uuid", G, nullable=True),
        WireField("state", "enum", C, choices=v.EXPENSE_STATES),
        WireField("rejection_reason", "str", C, max_length=1000),
    ),
    guide_creates=True,
    guide_deletes=True,
)

CLAIM = RecordSpec(
    "claim",
    (
        WireField("month", "month", G, required=True),
        WireField("state", "enum", G, required=True, choices=v.CLAIM_STATES),
    ),
    guide_creates=True,
    read_only_fields=("sequence", "total_cents", "expense_count", "submitted_at", "decided_at"),
)

ASSIGNMENT = RecordSpec(
    "assignment",
    (
        WireField("response", "enum", G, choices=v.ASSIGNMENT_RESPONSES),
        WireField("title", "str", C, max_length=200),
        WireField("description", "str", C, max_length=4000),
        WireField("starts_on", "date", C),
        WireField("ends_on", "date", C, nullable=True),
        WireField("planned_minutes", "int", C, nullable=True, min=0, max=100_000),
        WireField("district", "enum", C, nullable=True, choices=tuple(v.DISTRICTS)),
        WireField("language", "str", C, nullable=True, max_length=12),
        WireField("field", "enum", C, nullable=True, choices=v.SPECIALISATIONS),
    ),
    read_only_fields=("state", "offer_state", "client_code", "client_language", "household_size"),
)

PROFILE = RecordSpec(
    "profile",
    (
        WireField("phone", "str", G, nullable=True, max_length=40),
        WireField("languages", "languages", G, max_items=12),
        WireField("districts", "str_list", G, choices=tuple(v.DISTRICTS), max_items=13),
        WireField("availability", "str", G, max_length=1000),
        WireField("specialisations", "str_list", C, choices=v.SPECIALISATIONS, max_items=6),
        WireField("monthly_hour_limit", "int", C, nullable=True, min=0, max=400),
        # Reminder kinds the guide switched off in the app's Settings (send-reminders skips them).
        WireField("muted_reminders", "str_list", G, choices=v.REMINDER_KINDS, max_items=len(v.REMINDER_KINDS)),
    ),
    read_only_fields=("name", "email", "qualifications"),
)

CONFLICT = RecordSpec(
    "conflict",
    (WireField("resolved", "bool", C),),
    read_only_fields=("record_type", "record_id", "field", "kept_value", "lost_value", "lost_by", "resolution"),
)

# A short message from the coordination office to one guide (a message to all guides is one record per
# guide, so each has its own read state). The guide writes only `read_at`, when she opened it.
MESSAGE = RecordSpec(
    "message",
    (WireField("read_at", "datetime", G, nullable=True),),
    read_only_fields=("body", "sender_name", "sent_at", "to_all"),
)

# A qualification course, on every guide's phone (the app lists the upcoming ones). Read-only: the desk
# keeps it; `sessions` is [{"date", "starts_at", "minutes", "topic"}], `places_left` counts accepted ones.
COURSE = RecordSpec(
    "course", (),
    read_only_fields=("title", "kind", "specialisation", "description", "location", "places", "places_left",
                      "required_minutes", "sessions"),
)

# A guide's registration for a course, on her own phone. She asks to join by creating one (the desk
# then accepts or turns it down: `state`); `completed_on` is set when she has finished the course.
COURSE_REGISTRATION = RecordSpec(
    "course_registration",
    (WireField("course_id", "uuid", G, required=True),),
    guide_creates=True,
    read_only_fields=("state", "completed_on"),
)

# One participant at one session of a qualification course, on the phones of the course's trainers,
# who set `present` (null: not taken yet). The rest describes the sheet line (server/courses/).
ATTENDANCE = RecordSpec(
    "attendance",
    (WireField("present", "bool", G, nullable=True),),
    read_only_fields=("course_id", "course_title", "session_id", "session_date", "session_starts_at",
                      "session_minutes", "session_topic", "participant_name"),
)

ORGANIZATION = RecordSpec(
    "organization", (),
    read_only_fields=("name", "slug", "districts", "activity_kinds", "expense_categories", "mileage_rates"),
)

RECORD_SPECS: dict[str, RecordSpec] = {
    s.name: s for s in (ACTIVITY, EXPENSE, CLAIM, ASSIGNMENT, PROFILE, CONFLICT, ORGANIZATION, MESSAGE, COURSE,
                        COURSE_REGISTRATION, ATTENDANCE)
}
# Types a device may send mutations for.
MUTABLE_TYPES = ("activity", "expense", "claim", "assignment", "profile", "message", "course_registration",
                 "attendance")


def wire_value(value: Any) -> Any:
    """A Python value as it travels in JSON."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


Serializer = Callable[[Any], dict[str, Any]]
