"""The desk's one blueprint: every page is `coordinator.<endpoint>` under /coordinator/.

Each area (desk, guides, requests, review, courses, money, reports, admin) lists its URLs in its own
`routes.py` on this blueprint, and keeps its templates in `<area>/templates/coordinator/`: one Jinja
loader searches them all, so a template keeps its name ("coordinator/guide.html") wherever it lives.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint
from jinja2 import BaseLoader, FileSystemLoader

DESK = Path(__file__).resolve().parent.parent


class DeskBlueprint(Blueprint):
    @property
    def jinja_loader(self) -> BaseLoader | None:  # type: ignore[override]
        folders = sorted(str(folder) for folder in DESK.glob("*/templates"))
        # The flat folder of old, if a branch written before the areas adds a template there.
        return FileSystemLoader([*folders, str(DESK / "templates")])


bp = DeskBlueprint("coordinator", __name__, url_prefix="/coordinator", static_folder=str(DESK / "static"),
                   static_url_path="/static")
