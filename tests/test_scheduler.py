"""`monitor run` as a real subprocess against the local site."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import Project, child_env

from monitor.cli.demo_site import Article
from monitor.core.schedule import Schedule
from monitor.core.timestamps import parse_stamp, stamp
from monitor.daemon.scheduler import Daemon
from monitor.discover.ids import article_id
from monitor.discover.urls import canonical_url
from testing.discovery_site import PATHS, PressSite, Story

ROOT = Path(__file__).parent.parent


def start(project: Project, *args: str) -> subprocess.Popen[str]:
    env = child_env(PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config",
                             str(project.config_path), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)


def wait_for(condition: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
        return answer.read().decode()


def read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


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
    assert took < 18  # shutdown_timeout (10 s) and a margin for a busy machine
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


def test_config_edits_are_picked_up_and_broken_ones_refused(project: Project,
                                                           letter: Article,
                                                           report: Article) -> None:
    project.site.put_article("/letter", letter)
    project.site.put_article("/report", report)
    project.write({"letter": "/letter"}, extra_source_lines="interval: 1s")
    daemon = start(project)
    try:
        wait_for(lambda: len(project.site.gets("/letter")) >= 2)
        assert project.site.gets("/report") == []
        project.write({"letter": "/letter", "report": "/report"},
                      extra_source_lines="interval: 1s")
        wait_for(lambda: project.site.gets("/report"))  # added without a restart
        good = project.config_path.read_text()
        project.config_path.write_text(good.replace("interval: 1s", "intervall: 1s", 1))
        time.sleep(3)  # the broken edit is seen and refused
        before = len(project.site.gets("/report"))
        wait_for(lambda: len(project.site.gets("/report")) >= before + 2)  # old schedule on
        project.config_path.write_text(good.replace("  - id: report", "  - id: gone-report"))
        wait_for(lambda: (project.root / "snapshots" / "gone-report.md").exists())
        code, out, _ = stop(daemon)
    finally:
        daemon.kill()
    assert code == 0, out
    assert "unknown source key 'intervall'" in out
    assert "config not reloaded: keeping the last good one" in out
    assert "config reloaded: 1 added, 0 removed" in out
    assert "config reloaded: 1 added, 1 removed" in out


def test_sighup_reloads_and_status_reports_health(project: Project, letter: Article) -> None:
    port = free_port()
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, settings={"health_port": port},
                  extra_source_lines="interval: 1s")
    daemon = start(project, "--log-format", "json")
    try:
        wait_for(lambda: project.run("status").code == 0)
        wait_for(lambda: '"checks_done": 0' not in read(project.root / ".monitor"
                                                          / "status.json"))
        status = project.run("status")
        assert "monitor running" in status.out and "checks done" in status.out
        health = json.loads(http_get(port, "/health"))
        assert health["pid"] == daemon.pid and health["sources"] == 1
        assert health["checks_done"] >= 1
        metrics = http_get(port, "/metrics")
        assert "# TYPE monitor_checks_done counter" in metrics
        # A request line past the stream limit, and one that is not UTF-8: a 400 each,
        # and no traceback in the log.
        for junk in (b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n",
                     b"GET /\xff\xfe HTTP/1.1\r\n\r\n", b"\xff\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                connection.sendall(junk)
                answer = connection.recv(200)
            assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 200")), answer
        daemon.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        code, out, _ = stop(daemon)
    finally:
        daemon.kill()
    assert code == 0, out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert any(entry.get("source") == "letter" and entry.get("outcome") == "baseline"
               for entry in lines)
    assert any("config reloaded" in entry["message"] for entry in lines)
    assert "Traceback" not in out
    assert project.run("status").code == 1  # stopped now
    assert "NOT running" in project.run("status").out


def test_a_gone_page_is_rechecked_after_confirm_after_not_a_whole_interval(
        project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, settings={"confirm_after": "1s"},
                  extra_source_lines="interval: 1h")
    project.run("check")
    project.site.put_status("/letter", 404)
    project.run("check")  # the first "gone": confirmation is due 1 s later
    daemon = start(project)
    try:
        wait_for(lambda: project.site.posts("/hooks/monitor"), timeout=15)
        code, out, _ = stop(daemon)
    finally:
        daemon.kill()
    assert code == 0, out
    [post] = project.site.posts()
    assert post.json()["event"] == "removed"


def test_adaptive_interval_backs_off_as_the_article_goes_quiet() -> None:
    adaptive = Schedule(adaptive=True)
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    ages = [timedelta(hours=1), timedelta(hours=5), timedelta(days=3), timedelta(days=10),
            timedelta(days=60)]
    assert [adaptive.interval(now - age, now) for age in ages] == [
        900, 3600, 3 * 3600, 86400, 7 * 86400]
    bounded = Schedule(adaptive=True, min_every=1800, max_every=86400)
    assert bounded.interval(now - timedelta(minutes=5), now) == 1800
    assert bounded.interval(now - timedelta(days=90), now) == 86400


def armed(daemon: Daemon) -> dict[str, datetime]:
    """When the daemon's scheduler will run each source (it is not started here)."""
    return {job.id: job.trigger.run_date for job in daemon.scheduler.get_jobs()}


def with_daemon(project: Project, act: Callable[[Daemon], object]) -> None:
    async def run() -> None:
        daemon = Daemon(project.config())
        try:
            act(daemon)
        finally:
            await daemon.session.__aexit__()

    asyncio.run(run())


def test_first_run_comes_from_the_last_check(project: Project, letter: Article) -> None:
    """After a restart the daemon runs each source when due; overdue ones start at once,
    spread over a few seconds."""
    for path in ("/a", "/b", "/c"):
        project.site.put_article(path, letter)
    project.write({"a": "/a", "b": "/b", "c": "/c"}, settings={"default_interval": "1h"})
    assert project.run("check").code == 0
    now = datetime.now(UTC).replace(microsecond=0)
    half_an_hour_ago = now - timedelta(minutes=30)
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    with db:
        db.execute("UPDATE sources SET last_checked = ? WHERE id = 'a'",
                   (stamp(half_an_hour_ago),))
        db.execute("UPDATE sources SET last_checked = ? WHERE id = 'b'",
                   (stamp(now - timedelta(days=2)),))
        db.execute("DELETE FROM sources WHERE id = 'c'")  # never checked
    db.close()
    runs: dict[str, datetime] = {}
    with_daemon(project, lambda daemon: (daemon.arm_all(daemon.config.sources),
                                         runs.update(armed(daemon))))
    assert runs["a"] == half_an_hour_ago + timedelta(hours=1)
    for overdue in ("b", "c"):
        assert now <= runs[overdue] <= datetime.now(UTC) + timedelta(seconds=10)


def test_short_intervals_stay_short_after_a_check(project: Project, letter: Article) -> None:
    """A 2 s source runs again within its interval and a tenth of it, not an hour later."""
    project.site.put_article("/a", letter)
    project.write({"a": "/a"}, extra_source_lines="interval: 2s")
    assert project.run("check").code == 0
    runs: dict[str, datetime] = {}
    with_daemon(project, lambda daemon: (daemon.rearm(daemon.config.sources),
                                         runs.update(armed(daemon))))
    checked = parse_stamp(project_record(project, "a"))
    assert checked is not None
    assert checked + timedelta(seconds=2) <= runs["a"]
    assert runs["a"] <= max(checked + timedelta(seconds=2), datetime.now(UTC)) \
        + timedelta(seconds=0.2)


def project_record(project: Project, source_id: str) -> str:
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    try:
        return db.execute("SELECT last_checked FROM sources WHERE id = ?",
                          (source_id,)).fetchone()[0]
    finally:
        db.close()


def pause(project: Project, *source_ids: str) -> None:
    text = project.config_path.read_text()
    for source_id in source_ids:
        text = text.replace(f"  - id: {source_id}\n", f"  - id: {source_id}\n    enabled: false\n")
    project.config_path.write_text(text)


def test_a_second_daemon_on_one_folder_is_refused(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, extra_source_lines="interval: 1h")
    status = project.root / ".monitor" / "status.json"
    first = start(project)
    try:
        wait_for(lambda: f'"pid": {first.pid},' in read(status))
        second = subprocess.run([sys.executable, "-m", "monitor", "run", "--config",
                                 str(project.config_path)], capture_output=True, text=True,
                                env=child_env(), timeout=60)
        assert second.returncode == 1
        assert f"monitor is already running here (pid {first.pid})" in second.stderr
        assert "Traceback" not in second.stderr
        first.kill()  # kill -9: the kernel releases the lock with the process
        first.wait()
        third = start(project)
        try:
            wait_for(lambda: f'"pid": {third.pid},' in read(status))
            code, out, _ = stop(third)
        finally:
            third.kill()
    finally:
        first.kill()
    assert code == 0 and "monitor running" in out, out


def test_paused_sources_are_not_scheduled_and_reloads_pause_and_resume_them(
        project: Project, letter: Article, report: Article) -> None:
    project.site.put_article("/letter", letter)
    project.site.put_article("/report", report)
    project.write({"letter": "/letter", "report": "/report"}, extra_source_lines="interval: 1s")
    pause(project, "report")
    daemon = start(project)
    try:
        wait_for(lambda: len(project.site.gets("/letter")) >= 2)
        assert project.site.gets("/report") == []
        project.write({"letter": "/letter", "report": "/report"},
                      extra_source_lines="interval: 1s")
        pause(project, "letter")  # one reload: report resumed, letter paused
        wait_for(lambda: project.site.gets("/report"))
        letter_gets = len(project.site.gets("/letter"))
        wait_for(lambda: len(project.site.gets("/report")) >= 3)
        assert len(project.site.gets("/letter")) == letter_gets
        code, out, _ = stop(daemon)
    finally:
        daemon.kill()
    assert code == 0, out
    assert "1 source(s) from" in out and "(1 paused)" in out
    assert "0 added, 0 removed, 0 changed, 1 paused, 1 resumed" in out


def test_a_paused_sources_pending_alert_is_still_delivered(project: Project,
                                                          letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, extra_source_lines="interval: 1s")
    assert project.run("check").code == 0
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    project.site.hook_statuses = [503]
    assert project.run("check").code == 1  # changed; its delivery failed, kept pending
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    with db:  # due now, rather than after the backoff the failure earned
        assert db.execute("UPDATE deliveries SET next_attempt_at = NULL "
                          "WHERE status = 'pending'").rowcount == 1
    db.close()
    pause(project, "letter")
    fetched = len(project.site.gets("/letter"))
    daemon = start(project)
    try:
        wait_for(lambda: len(project.site.posts("/hooks/monitor")) >= 2)
        code, out, _ = stop(daemon)
    finally:
        daemon.kill()
    assert code == 0, out
    failed, delivered = project.site.posts("/hooks/monitor")
    assert delivered.json()["id"] == failed.json()["id"]
    assert delivered.json()["event"] == "changed"
    assert len(project.site.gets("/letter")) == fetched  # paused: not checked


def test_the_daemon_schedules_what_listings_find_and_alerts_each_event_once(
        project: Project) -> None:
    press = PressSite.with_stories(project.site, 6)
    project.write({"press": PATHS["feed"]},
                  extra_source_lines="interval: 1s\ndiscover: feed\nfollow: {interval: 1s}")
    hook = "/hooks/monitor"

    def events() -> Counter[tuple[str, str | None, str]]:
        return Counter((p.json()["event"], p.json().get("reason"), p.json()["source_id"])
                       for p in project.site.posts(hook))

    def found_id(story: Story) -> str:
        return article_id("press", canonical_url(press.url(story)))

    def until(wanted: Counter[tuple[str, str | None, str]]) -> None:
        try:
            wait_for(lambda: events() == wanted, 60)
        except AssertionError:
            assert events() == wanted  # shows what came instead
            raise

    daemon = start(project)
    try:
        first = press.stories[0]
        wait_for(lambda: (project.root / "snapshots" / f"{found_id(first)}.md").exists(), 60)
        # The daemon checks a found article on its own schedule, not only when found.
        wait_for(lambda: len(project.site.gets(first.path)) >= 3, 60)
        fresh = press.publish(2)
        press.serve()
        wanted = Counter({("new", None, found_id(story)): 1 for story in fresh})
        until(wanted)
        dropped, quiet, moved = press.stories[3], press.stories[4], press.stories[5]
        dropped.on_listings = False
        quiet.noindex = "header"
        moved.canonical = "/en/press/2020/01/01/an-older-statement.html"
        press.serve()
        wanted += Counter({("delisted", None, found_id(dropped)): 1,
                           ("noindexed", None, found_id(quiet)): 1,
                           ("canonical-changed", None, found_id(moved)): 1})
        until(wanted)
        time.sleep(3)  # more passes: nothing is said twice
        code, out, _ = stop(daemon)
    finally:
        daemon.kill()
    assert code == 0, out
    assert events() == wanted, out
    assert all(p.json()["listing_id"] == "press" for p in project.site.posts(hook)
               if p.json()["event"] in ("new", "delisted"))


def test_the_daemon_serves_the_web_view_on_settings_web_port(project: Project,
                                                             letter: Article) -> None:
    port = free_port()
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, settings={"web": f"{{port: {port}}}"},
                  extra_source_lines="interval: 1h")
    daemon = start(project)
    try:
        wait_for(lambda: _answers(port, "/login"), 30)
        assert "Log in" in http_get(port, "/login")
        health = json.loads(http_get(port, "/health"))  # from 127.0.0.1: no login
        assert health["pid"] == daemon.pid
        assert "monitor_checks_done" in http_get(port, "/metrics")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
            assert answer.url.endswith("/login?next=%2F")  # a page asks who is there
        code, out, _ = stop(daemon)
    finally:
        daemon.kill()
    assert code == 0, out
    assert f"web view on http://127.0.0.1:{port}/" in out
    assert not _answers(port, "/login")  # stopped with the daemon


def test_a_web_port_in_use_leaves_the_checks_running(project: Project,
                                                     letter: Article) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        project.site.put_article("/letter", letter)
        project.write({"letter": "/letter"}, settings={"web": f"{{port: {port}}}"},
                      extra_source_lines="interval: 1s")
        daemon = start(project)
        try:
            wait_for(lambda: (project.root / "snapshots" / "letter.md").exists(), 30)
            code, out, _ = stop(daemon)
        finally:
            daemon.kill()
    assert code == 0, out
    assert "cannot listen" in out and "checks go on without it" in out


def _answers(port: int, path: str) -> bool:
    try:
        http_get(port, path)
    except OSError:
        return False
    return True
