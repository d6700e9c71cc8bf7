"""Reading the coordinator's pages in tests: start tags found by their (data-*) attributes."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append({"tag": tag, **{k: v or "" for k, v in attrs}})


def elements(html: str, tag: str | None = None, **wanted: Any) -> list[dict[str, str]]:
    """Start tags (as attribute dicts) with the given attributes; `data_mode="car"` means data-mode="car"."""
    parser = _Collector()
    parser.feed(html)
    attrs = {k.rstrip("_").replace("_", "-"): str(v) for k, v in wanted.items()}
    return [e for e in parser.found if (tag is None or e["tag"] == tag)
            and all(e.get(k) == v for k, v in attrs.items())]
