"""The device a batch comes from, and the answers a mutation can get (stored, then sent).

Results keep English message ids (`N_`); the endpoint translates them per response.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync.merge import Author
from sync.spec import N_

ERRORS = {
    "invalid": N_("Some fields are not valid."),
    "forbidden": N_("You may not change this record."),
    "not_found": N_("This record does not exist."),
    "locked": N_("This record is locked: it has been submitted, approved or paid."),
    "taken": N_("Another guide has already accepted this assignment."),
    "not_offered": N_("This assignment is no longer offered to you."),
    "duplicate": N_("This month's claim has already been submitted from another device."),
    "no_open_expenses": N_("There are no open expenses in this month."),
}


@dataclass
class DeviceContext:
    device_id: str
    organization_id: int
    guide_id: int

    @property
    def author(self) -> Author:
        return Author(role="guide", device_id=self.device_id, user_id=self.guide_id)


class Rejected(Exception):
    """A mutation the rules refuse: it changes nothing and is answered `rejected` with this code."""

    def __init__(self, code: str, fields: dict[str, list[str]] | None = None, state: str | None = None,
                 message: str | None = None) -> None:
        super().__init__(code)
        self.code, self.fields, self.state, self.message = code, fields, state, message


def answer(mutation: dict[str, Any], status: str, record_id: str, version: int | None) -> dict[str, Any]:
    return {"id": mutation["id"], "status": status, "record_id": record_id, "version": version}


def rejection(mutation: dict[str, Any], exc: Rejected, version: int | None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": exc.code, "message": exc.message or ERRORS.get(exc.code, exc.code)}
    if exc.fields:
        error["fields"] = exc.fields
    if exc.state:
        error["state"] = exc.state
    return {"id": mutation["id"], "status": "rejected", "record_id": mutation.get("record_id"),
            "version": version, "error": error}
