"""The one exception of the money domain: a stable code (and optional field errors) for pages to translate."""

from __future__ import annotations


class MoneyError(ValueError):
    def __init__(self, code: str, fields: dict[str, list[str]] | None = None, **details: object) -> None:
        super().__init__(code)
        self.code, self.fields, self.details = code, fields or {}, details
