"""docs/deploy.md's GitHub Actions recipe, its shell steps run as Actions would run them.

A local bare repository stands in for GitHub (nothing leaves 127.0.0.1); a
folder stands in for actions/cache. The `uses:` steps that matter here
(cache restore and save) are played by the test; `pip install` is skipped,
since this venv has monitor installed.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import Project, child_env
from ruamel.yaml import YAML

from monitor.cli.demo_site import Article
from monitor.core.model import Settings

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent


def recipe() -> dict[str, Any]:
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = text[text.index('## GitHub Actions ("git scraping")'):]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match, "the GitHub Actions section has a yaml block"
    return YAML(typ="safe").load(match.group(1))


def run_workflow(repo: Path, workspace: Path, origin: Path, cache: Path) -> str:
    """One workflow run in a fresh checkout; returns what the steps printed."""
    shutil.rmtree(workspace, ignore_errors=True)
    shutil.copytree(repo, workspace)
    printed = []
    for step in recipe()["jobs"]["check"]["steps"]:
        uses = step.get("uses", "")
        if uses.startswith("actions/cache/restore") and cache.exists():
            shutil.copytree(cache, workspace / ".monitor")
        elif uses.startswith("actions/cache/save"):
            assert step.get("if") == "always()", "state must be kept after a failed run"
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(workspace / ".monitor", cache)
        if uses or step["run"].startswith("pip install"):
            continue
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
        for name, value in (step.get("env") or {}).items():
            assert "${{" in str(value), f"{name}: a secret belongs in the environment"
            env[name] = str(origin) if name == "ORIGIN" else ""
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               step["run"]], cwd=workspace, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, f"step {step.get('name', step['run'])!r} failed:\n" \
                                     f"{done.stdout}{done.stderr}"
        printed.append(done.stdout + done.stderr)
    return "".join(printed)


def an_hour_later(cache: Path) -> None:
    """The next hourly run: every source's last check an hour further back."""
    db = sqlite3.connect(cache / "state.db")
    earlier = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with db:
        db.execute("UPDATE sources SET last_checked = ?", (earlier,))
    db.close()


def test_the_actions_recipe_survives_a_failing_first_run_and_a_lost_cache(
        project: Project, letter: Article, tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    repo, workspace, cache = tmp_path / "repo", tmp_path / "workspace", tmp_path / "cache"
    project.root = repo
    repo.mkdir()
    project.write({"letter": "/letter"}, extra_source_lines="interval: 1h")

    # 1. Nothing can be fetched yet: the run passes, with nothing to push.
    project.site.put_status("/letter", 503)
    out = run_workflow(repo, workspace, origin, cache)
    assert "1 error" in out
    assert subprocess.run(["git", "-C", str(origin), "branch"], capture_output=True,
                          text=True).stdout == ""
    assert (cache / "state.db").exists()  # kept although the check failed

    # 2. The page is up: a baseline, pushed to the snapshots branch.
    an_hour_later(cache)
    project.site.put_article("/letter", letter)
    assert "1 baseline" in run_workflow(repo, workspace, origin, cache)

    # 3. The cache is lost and the article edited: state comes back from the
    #    branch, the edit alerts once, and nothing earlier is sent again.
    shutil.rmtree(cache)
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    out = run_workflow(repo, workspace, origin, cache)
    assert "state rebuilt from 1 commit; no alerts re-sent" in out
    assert "1 changed" in out
    assert [post.json()["event"] for post in project.site.posts()] == ["changed"]
    log = subprocess.run(["git", "-C", str(origin), "log", "--format=%s", "snapshots"],
                         capture_output=True, text=True, check=True).stdout
    assert log == "changed: letter\nbaseline: letter\n"


def fenced(heading: str, language: str) -> str:
    """The first ``language`` block under ``heading`` in docs/deploy.md."""
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = text[text.index(heading):]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"{heading} has a {language} block"
    return match.group(1)


def test_the_systemd_unit_verifies_clean(tmp_path: Path) -> None:
    """The documented unit, pointed at a folder holding this venv's `monitor`, passes
    `systemd-analyze verify` with nothing to say (it exits 0 on warnings too)."""
    unit = fenced("## systemd", "ini")
    for number, line in enumerate(unit.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            assert "#" not in line, f"unit line {number}: a # after a value is part of it"
    values = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line)
    assert float(values["TimeoutStopSec"]) > Settings().shutdown_timeout
    verifier = shutil.which("systemd-analyze")
    if verifier is None:
        assert os.environ.get("CI") != "true", "CI must have systemd-analyze (.ci/run)"
        pytest.skip("systemd-analyze is not installed")
    folder = tmp_path / "srv-monitor"
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / ".venv" / "bin" / "monitor").symlink_to(BIN / "monitor")
    env_file = tmp_path / "monitor.env"
    env_file.write_text("SLACK_WEBHOOK_URL='https://hooks.example.org/x'\n")
    env_file.chmod(0o600)
    assert "/srv/monitor" in unit and "/etc/monitor.env" in unit
    path = tmp_path / "monitor.service"
    path.write_text(unit.replace("/srv/monitor", str(folder))
                    .replace("/etc/monitor.env", str(env_file)))
    done = subprocess.run([verifier, "verify", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_cron_line_reads_the_secrets_file(project: Project, letter: Article) -> None:
    """The documented crontab command, run by sh in the project folder: the webhook URL
    comes only from monitor.env, and an edit reaches it."""
    entry = fenced("## cron", "cron").strip()
    command = entry.split(None, 5)[5]  # after the five schedule fields
    assert "/srv/monitor" in command and "monitor.env" in command
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, channels="hook:\n  type: webhook\n  url: ${HOOK_URL}\n",
                  extra_source_lines="interval: 1h")
    (project.root / ".venv" / "bin").mkdir(parents=True)
    (project.root / ".venv" / "bin" / "monitor").symlink_to(BIN / "monitor")
    env_file = project.root / "monitor.env"
    env_file.write_text(f"# the webhook\nHOOK_URL='{project.site.url}/hooks/monitor'\n")
    env_file.chmod(0o600)
    line = command.replace("/srv/monitor", str(project.root))
    cron_env = {"PATH": "/usr/bin:/bin", "HOME": str(project.root),
                "PYTHONPATH": child_env()["PYTHONPATH"],
                # tests/run-a-year-ahead's clock, so that the child sees the test's time
                **{k: v for k, v in os.environ.items()
                   if k.startswith("FAKETIME") or k == "LD_PRELOAD"}}

    def run_cron() -> str:
        done = subprocess.run(["/bin/sh", "-c", line], env=cron_env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (done.stdout, done.stderr)
        return (project.root / "monitor.log").read_text()

    assert "1 baseline" in run_cron()
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    an_hour_later(project.root / ".monitor")
    log = run_cron()
    assert "1 changed" in log and "not set" not in log
    [post] = project.site.posts("/hooks/monitor")
    assert post.json()["diff"]["added"] == ["8,000"]
