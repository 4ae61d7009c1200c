"""The package layout's rules (DESIGN.md "Layout"), checked on the source itself.

Stages import only stages below them, so there is no import cycle; the core
touches nothing outside the process; no module grows past what one reads in a
sitting. Imports are read with ``ast``: inside functions and under
``TYPE_CHECKING`` too, since a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "monitor"
# Lowest first: a stage may import itself and the stages before it.
STAGES = ["core", "store", "config", "fetch", "extract", "discover", "evidence", "notify",
          "archive", "pipeline", "web", "daemon", "cli"]
# What would let the core read a clock, a file, the network or a process.
NOT_IN_CORE = {"asyncio", "httpx", "httpcore", "sqlite3", "subprocess", "socket", "os",
               "pathlib.Path.open", "threading", "multiprocessing", "time", "random",
               "shutil", "tempfile", "urllib.request", "smtplib", "fcntl", "select", "lxml",
               "trafilatura", "ruamel"}
MAX_LINES = 400


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def stage(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_every_module_belongs_to_a_stage():
    loose = [p.name for p in modules() if stage(p) is None
             and p.name not in ("__init__.py", "__main__.py")]
    assert loose == []
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} \
        <= set(STAGES)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_only_downwards(path: Path):
    own = stage(path)
    if own is None:
        return
    upward = [f"line {line}: {name}" for line, name in imported(path)
              if name.startswith("monitor.") and name.split(".")[1] in STAGES
              and STAGES.index(name.split(".")[1]) > STAGES.index(own)]
    assert upward == [], f"{path.relative_to(PACKAGE)} imports a higher stage"


@pytest.mark.parametrize("path", [p for p in modules() if stage(p) == "core"],
                         ids=lambda p: p.name)
def test_the_core_touches_nothing_outside(path: Path):
    outside = [f"line {line}: {name}" for line, name in imported(path)
               if name in NOT_IN_CORE or name.split(".")[0] in NOT_IN_CORE]
    assert outside == []


def test_no_import_cycle_between_modules():
    """Module-level imports only: those are the ones that run when a module loads."""
    graph: dict[str, set[str]] = {}
    names = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
        ".__init__"): p for p in modules()}
    for name, path in names.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t in names and t != name}
        graph[name] = edges
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in graph:
        if start not in state:
            visit(start, [start])
    # A package's __init__ imported by its own modules is no cycle unless it imports back.
    assert cycles == []


def test_the_product_never_imports_the_test_helpers():
    """testing/ is not shipped: an import of it would break every installed copy."""
    found = [f"{path.relative_to(PACKAGE)} line {line}" for path in modules()
             for line, name in imported(path) if name.split(".")[0] == "testing"]
    assert found == []


def test_no_module_is_too_long_to_read_in_one_sitting():
    long = [f"{path.relative_to(PACKAGE)}: {lines} lines" for path in modules()
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert long == []


def test_discovery_never_uses_trafilaturas_finders_that_ask_third_parties():
    """trafilatura.feeds falls back to querying news.google.com for a site's feed, which
    would tell a third party what is watched; its sitemap and spider modules follow
    links on their own. Listings are fetched by monitor's own client only."""
    banned = ("trafilatura.feeds", "trafilatura.sitemaps", "trafilatura.spider",
              "trafilatura.downloads")
    found = [f"{path.relative_to(PACKAGE)} line {line}: {name}" for path in modules()
             for line, name in imported(path) if name.startswith(banned)]
    assert found == []
