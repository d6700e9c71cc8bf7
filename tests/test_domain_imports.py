"""A domain folder never imports the pages or the API (docs/ARCHITECTURE.md §1, "What may import what"):
`server/<domain>/` holds the rules, and the desk, the public pages and the API call them — never the
other way round. Every import counts, also one inside a function (a late import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parent.parent / "server"
# The parts that answer requests (they call the domains), and what is not Python code of a domain.
NOT_DOMAINS = {"api", "coordinator", "public", "migrations", "templates", "static", "__pycache__"}
PAGES = ("server.coordinator", "server.api", "server.public")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_domain_imports_the_desk_the_public_pages_or_the_api() -> None:
    domains = [d for d in SERVER.iterdir() if d.is_dir() and d.name not in NOT_DOMAINS]
    assert len(domains) > 10, domains  # the walk found the domain folders
    offending = sorted(
        f"{path.relative_to(SERVER.parent)} imports {module}"
        for domain in domains for path in domain.rglob("*.py")
        for module in imported_modules(path) if module in PAGES or module.startswith(tuple(f"{p}." for p in PAGES)))
    assert offending == []


def test_the_check_sees_a_late_import(tmp_path: Path) -> None:
    path = tmp_path / "late.py"
    path.write_text("def f():\n    from server.coordinator.common.auth import current_org_id\n")
    assert "server.coordinator.common.auth" in imported_modules(path)
