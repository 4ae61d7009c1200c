"""Shared fixtures: a real HTTP site on 127.0.0.1 and a project folder around it.

Nothing here is mocked: pages are served and webhooks received over real
sockets, snapshots are committed with real git, state lives in real SQLite.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor.cli.demo_site import Article
from monitor.cli.main import main
from monitor.config import loader as config_module
from testing.site import LocalSite

# Fast settings so the suite runs in seconds: backoffs in ms. The fetch timeout is
# generous instead: on a loaded two-core machine a page from the local site can
# take seconds, and a test of timeouts sets its own.
FAST_SETTINGS = {
    "timeout": "20s",
    "retry_backoff": "10ms",
    "retries": 0,
    "lock_timeout": "5s",
    "delivery_timeout": "2s",
    "workers": 1,
}


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as running:
        yield running


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Project:
    """A folder with a sources.yaml watching pages of the local site."""

    root: Path
    site: LocalSite

    @property
    def config_path(self) -> Path:
        return self.root / "sources.yaml"

    def write(self, sources: dict[str, str], *, settings: dict[str, object] | None = None,
              channels: str | None = None, extra_source_lines: str = "") -> Path:
        """sources: id -> path on the site; channels: YAML for the channels mapping."""
        merged = {**FAST_SETTINGS, **(settings or {})}
        lines = ["settings:"] + [f"  {k}: {v}" for k, v in merged.items()]
        if channels is None:
            channels = f"hook:\n  type: webhook\n  url: {self.site.url}/hooks/monitor\n"
        if channels:
            lines += ["channels:", textwrap.indent(channels.rstrip(), "  ")]
        lines.append("sources:")
        for source_id, path in sources.items():
            url = path if path.startswith("http") else f"{self.site.url}{path}"
            lines += [f"  - id: {source_id}", f"    url: {url}"]
            if extra_source_lines:
                lines.append(textwrap.indent(extra_source_lines.rstrip(), "    "))
        self.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return self.config_path

    def config(self) -> config_module.Config:
        return config_module.load(self.config_path)

    def run(self, *args: str) -> Result:
        """``monitor ARGS --config sources.yaml`` in this process, output captured."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*args, "--config", str(self.config_path)])
        return Result(code, out.getvalue(), err.getvalue())

    def alerts(self) -> list[Path]:
        return sorted((self.root / "alerts").glob("*.json"))

    def snapshot(self, source_id: str) -> str:
        return (self.root / "snapshots" / f"{source_id}.md").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, site: LocalSite) -> Project:
    return Project(tmp_path, site)


@pytest.fixture
def letter() -> Article:
    """The law-firm press release with the '80,000' figure."""
    return Article.load("huawei-5g-letter")


@pytest.fixture
def report() -> Article:
    """The BBC report with '100,000 signatures' and '84 percent'."""
    return Article.load("uk-accuses-china-article")


ROOT = Path(__file__).parent.parent


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a ``python -m monitor`` child: this checkout first on its
    path, then the suite's own PYTHONPATH (tests/run-a-year-ahead's shim, say)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def orphans_of_killed(code: str, children: int) -> list[int]:
    """Run ``code``, which prints its child processes' pids on one line, kill -9 it,
    and return the children still running 10 s later."""
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    assert parent.stdout is not None
    pids = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(pids) == children
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in pids if _running(pid)]
    return alive


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False
