"""`monitor run` as a real subprocess against the local site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import Project

from monitor.config import Schedule
from monitor.scheduler import first_run, trigger_for
from monitor.site import Article

ROOT = Path(__file__).parent.parent


def start(project: Project) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config",
                             str(project.config_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)


def wait_for(condition: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def stop(daemon: subprocess.Popen[str]) -> tuple[int, str, float]:
    started = time.monotonic()
    daemon.send_signal(signal.SIGTERM)
    out, _ = daemon.communicate(timeout=20)
    return daemon.returncode, out, time.monotonic() - started


def test_daemon_catches_an_edit_and_stops_cleanly_on_sigterm(project: Project,
                                                             letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, extra_source_lines="interval: 1s")
    daemon = start(project)
    try:
        wait_for(lambda: (project.root / "snapshots" / "letter.md").exists())
        project.site.put_article("/letter", letter.edited("80,000", "8,000"))
        wait_for(lambda: project.site.posts("/hooks/monitor"))
        code, out, took = stop(daemon)
    finally:
        daemon.kill()
    assert code == 0, out
    assert took < 12
    assert "monitor running" in out and "monitor stopped" in out
    [post] = project.site.posts()
    assert post.json()["diff"]["added"] == ["8,000"]
    assert project.run("list").code == 0


def test_restart_does_not_recheck_sources_that_are_not_due(project: Project,
                                                           letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, extra_source_lines="interval: 1h")
    project.run("check")
    assert len(project.site.gets("/letter")) == 1
    daemon = start(project)
    try:
        wait_for(lambda: daemon.stdout is not None)
        time.sleep(3)
        code, out, _ = stop(daemon)
    finally:
        daemon.kill()
    assert code == 0, out
    assert len(project.site.gets("/letter")) == 1


def test_first_run_comes_from_the_last_check() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    hourly = Schedule(every=3600)
    assert first_run(hourly, "2026-11-25T11:30:00Z", now) == now + timedelta(minutes=30)
    overdue = first_run(hourly, "2026-11-24T11:30:00Z", now)
    assert now <= overdue <= now + timedelta(seconds=10)
    never = first_run(hourly, None, now)
    assert now <= never <= now + timedelta(seconds=10)


def test_triggers_keep_short_intervals_short() -> None:
    trigger = trigger_for(Schedule(every=2))
    now = datetime.now(UTC)
    fire = trigger.get_next_fire_time(now, now)
    assert fire is not None and fire - now <= timedelta(seconds=2.2)
    cron = trigger_for(Schedule(cron="0 * * * *"))
    nxt = cron.get_next_fire_time(None, now)
    assert nxt is not None and nxt.minute == 0
