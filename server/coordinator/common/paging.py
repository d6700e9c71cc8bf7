"""Long lists in pages: the page number from the query string, the page size.

A list's filters stay in every page's link (the `pager` macro in _macros.html); its exports take every
row, whatever page is shown.
"""

from __future__ import annotations

from collections.abc import Mapping

PAGE_SIZE = 50


def page_number(raw: str | None) -> int:
    """"3" → 3; missing, malformed or out of range → 1 (a list shows its first page, never an error)."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 and int(raw) > 0 else 1


def page_size() -> int:
    return PAGE_SIZE


def page_count(rows: int, size: int | None = None) -> int:
    return max(1, -(-rows // (size or PAGE_SIZE)))


def list_args(args: Mapping[str, str]) -> dict[str, str]:
    """The list's filters as the query string has them, for the other pages' links (without `page`)."""
    return {key: value for key, value in args.items() if key != "page" and value}
