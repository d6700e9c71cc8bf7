"""The repository explains itself: nothing cites documents a fresh clone does not have.

`DESIGN.md` and `CONVENTIONS` lived outside the repository (`../shared`); the architecture, the
conventions and the glossary are in docs/ARCHITECTURE.md, the commands and settings in README.md and
the wire contract in sync/PROTOCOL.md. A path that climbs out of the repository (`../shared/…` that
does not resolve inside it) is such a citation too; the PWA's own `../shared/` imports resolve.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve()
FORBIDDEN = re.compile(r"DESIGN\.md|CONVENTIONS")
CLIMBING = re.compile(r"((?:\.\./)+shared/[\w./-]*)")


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.split("\n")
    files = []
    for name in listed:
        path = ROOT / name
        if not name or not path.is_file() or path.resolve() == THIS or name.startswith("locales/"):
            continue
        try:
            files.append((path, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue  # images, fonts, archives
    return [path for path, _text in files]


def citations(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FORBIDDEN.search(line):
            found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
        for target in CLIMBING.findall(line):
            resolved = (path.parent / target).resolve()
            candidates = [resolved, *(resolved.with_suffix(s) for s in (".ts", ".tsx", ".py"))]
            if not resolved.is_relative_to(ROOT) or not any(c.exists() for c in candidates):
                found.append(f"{path.relative_to(ROOT)}:{number}: {target}")
    return found


def test_no_file_cites_documents_outside_the_repository() -> None:
    files = tracked_text_files()
    assert len(files) > 100  # the listing worked
    found = [hit for path in files for hit in citations(path)]
    assert found == [], "cite docs/ARCHITECTURE.md, README.md or sync/PROTOCOL.md instead:\n" + "\n".join(found)


def test_the_check_catches_each_kind_of_citation(tmp_path: Path) -> None:
    """The scanner itself: each forbidden form is caught; the PWA's own imports are not."""
    pwa = ROOT / "pwa" / "src" / "app" / "log" / "LogScreen.tsx"
    assert citations(pwa) == []
    for text in ("see DESIGN.md", "(CONVENTIONS §2)", "in `../shared/DESIGN.md`", "see ../../shared/notes.txt"):
        probe = ROOT / "tests" / f"_probe_{tmp_path.name}.py"
        try:
            probe.write_text(f"# {text}\n", encoding="utf-8")
            assert citations(probe), text
        finally:
            probe.unlink()


def test_architecture_document_names_files_that_exist() -> None:
    """Every repository path docs/ARCHITECTURE.md names in backticks is there."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:pwa|sync|server|tests|bench|locales|docs)/[\w./-]*?)(?::[^`]*)?`", text))
    missing = sorted(p for p in named if "<" not in p and "…" not in p and not (ROOT / p.rstrip("/")).exists())
    assert missing == []
