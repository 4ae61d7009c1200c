"""The command line: exit codes, list, history, diff, add, test-alert, demo."""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
import time
from pathlib import Path

from conftest import Project

from monitor.cli.demo_site import Article
from monitor.cli.main import main

ROOT = Path(__file__).parent.parent


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    assert main([]) == 2
    assert "commands" in capsys.readouterr().out


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "monitor", "--version"], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.startswith("monitor ")


def test_missing_config_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["check", "--config", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml:0: no such file" in capsys.readouterr().err


def test_add_that_cannot_finish_writing_leaves_the_file_whole(project: Project) -> None:
    """A file size limit (ulimit -f) hit part-way: the old file stays, every source in it."""
    project.write({f"s{i}": f"/a{i}" for i in range(1500)})
    before = project.config_path.read_bytes()
    limit = len(before) // 2
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "add", "https://example.org/new", "--config",
         str(project.config_path)], capture_output=True, text=True, cwd=ROOT,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "nothing was lost" in done.stderr
    assert project.config_path.read_bytes() == before
    assert not [p for p in project.root.iterdir() if p.name.endswith(".tmp")]


def test_two_concurrent_adds_both_land(project: Project) -> None:
    project.write({"first": "/first"})
    os.chmod(project.config_path, 0o644)
    adds = [subprocess.Popen([sys.executable, "-m", "monitor", "add",
                              f"https://example.org/page-{i}", "--id", f"page-{i}",
                              "--config", str(project.config_path)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for i in range(4)]
    assert [add.wait(60) for add in adds] == [0, 0, 0, 0]
    ids = {source.id for source in project.config().sources}
    assert ids == {"first", "page-0", "page-1", "page-2", "page-3"}
    assert stat.S_IMODE(project.config_path.stat().st_mode) == 0o644


def test_test_alert_sends_a_sample_with_a_real_diff(project: Project) -> None:
    project.write({"a": "/a"})
    result = project.run("test-alert", "hook")
    assert result.code == 0 and "hook: delivered" in result.out
    [post] = project.site.posts("/hooks/monitor")
    alert = post.json()
    assert alert["test"] is True and alert["event"] == "changed"
    assert alert["diff"]["removed"] == ["100,000", "will"]
    assert alert["diff"]["added"] == ["10,000", "may"]
    assert post.headers["Idempotency-Key"] == alert["id"]


def test_test_alert_reports_a_failing_channel(project: Project) -> None:
    project.write({"a": "/a"}, channels="dead:\n  type: webhook\n  url: http://127.0.0.1:9/\n")
    result = project.run("test-alert")
    assert result.code == 1 and "dead: FAILED: cannot connect" in result.out
    assert project.run("test-alert", "nope").code == 2


def test_demo_shows_an_edit_and_a_removal_offline(tmp_path: Path) -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "monitor", "demo", "--dir", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 60
    out = done.stdout
    assert "alert: changed" in out and "“80,000”" in out
    assert "alert: removed" in out and "gone-404" in out
    assert "removed ['80,000']  added ['8,000']" in out
    assert "[-80,000-]{+8,000+}" in out
    assert (tmp_path / "snapshots" / ".git").is_dir()
    assert len(list((tmp_path / "alerts").glob("*.json"))) == 2


def test_config_may_come_before_or_after_the_command(project: Project, tmp_path: Path,
                                                     capsys, monkeypatch) -> None:
    project.write({"letter": "/letter"})
    config = str(project.config_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no sources.yaml here: only --config can find it
    for argv in (["--config", config, "list"], ["list", "--config", config],
                 ["--config", str(elsewhere / "nope.yaml"), "list", "--config", config]):
        assert main(argv) == 0, argv
        assert "letter" in capsys.readouterr().out
    assert main(["list"]) == 2
    assert "sources.yaml:0: no such file" in capsys.readouterr().err


def test_check_names_the_paused_sources_it_skipped(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.site.put_article("/later", letter)
    project.write({"letter": "/letter", "later": "/later"})
    text = project.config_path.read_text()
    project.config_path.write_text(text.replace("  - id: later\n",
                                                "  - id: later\n    enabled: false\n"))
    result = project.run("check")
    assert result.code == 0
    assert "1 paused, not checked: later" in result.out
    assert project.site.gets("/later") == [] and len(project.site.gets("/letter")) == 1
    named = project.run("check", "--source", "later")  # named: checked anyway
    assert named.code == 0 and "paused" not in named.out
    assert len(project.site.gets("/later")) == 1
