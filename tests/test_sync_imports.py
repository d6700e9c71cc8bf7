"""The modules of `sync/` import one another without a circle (docs/ARCHITECTURE.md §1): each one can
be read knowing only what it imports. Every import counts, also those inside a function or under
`TYPE_CHECKING` (a circle hidden there is still one)."""

from __future__ import annotations

import ast
from pathlib import Path

SYNC = Path(__file__).resolve().parent.parent / "sync"


def _module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the `sync` modules it imports (`from sync import feed` names the module `sync.feed`)."""
    modules = {_module_name(root, p): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        # Only modules of the package; a package's own `__init__` and its parents are not edges
        # (importing `sync.feed.state` runs `sync/feed/__init__.py`, which is not an import of ours).
        graph[name] = {m for m in found if m in modules and m != name and not name.startswith(m + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected group of modules (Tarjan), each as a path back to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_among_sync_modules():
    graph = import_graph(SYNC)
    assert "sync.push.plan" in graph and "sync.engine" in graph  # the scan sees the package
    assert cycles(graph) == []


def test_the_scan_finds_a_circle_hidden_in_a_function_or_type_checking(tmp_path):
    package = tmp_path / "sync"
    (package / "feed").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "feed" / "__init__.py").write_text("from sync.feed.state import x\n")
    (package / "feed" / "state.py").write_text("x = 1\n")
    (package / "engine.py").write_text("from sync import pull\nfrom sync.feed import state\n")
    (package / "pull.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sync.engine import Context\n")
    (package / "clock.py").write_text("def now():\n    import sync.engine\n")
    assert cycles(import_graph(package)) == [["sync.engine", "sync.pull"]]
    (package / "pull.py").write_text("import sync.clock\n")
    assert cycles(import_graph(package)) == [["sync.clock", "sync.engine", "sync.pull"]]
    (package / "clock.py").write_text("")
    assert cycles(import_graph(package)) == []
