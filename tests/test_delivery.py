"""Delivery: routing, retries with backoff, dead letters, digests, exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Project, child_env

from monitor.cli.demo_site import Article
from monitor.core.alert import Alert, make_alert
from monitor.core.diff import Diff
from monitor.notify.delivery import backoff, route
from testing.receivers import Answer, Discord, Receiver, Slack

ROOT = Path(__file__).parent.parent


def edit_all(project: Project, articles: dict[str, Article], round_number: int = 1) -> None:
    for path, article in articles.items():
        first = article.paragraphs[0]
        project.site.put_article(path, article.edited(first, f"{first} ({round_number})"))


def setup(project: Project, channels: str, **articles: Article) -> dict[str, Article]:
    pages = {f"/{name}": article for name, article in articles.items()}
    for path, article in pages.items():
        project.site.put_article(path, article)
    project.write({name: f"/{name}" for name in articles}, channels=channels)
    assert project.run("check").code == 0
    return pages


def hook(name: str = "hook", path: str = "/hooks/monitor", extra: str = "") -> str:
    return f"{name}:\n  type: webhook\n  url: URL{path}\n{extra}"


def deliveries(project: Project) -> list[sqlite3.Row]:
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    db.row_factory = sqlite3.Row
    rows = db.execute("SELECT * FROM deliveries ORDER BY alert_id, channel").fetchall()
    db.close()
    return rows


def channels(project: Project, text: str) -> str:
    return text.replace("URL", project.site.url)


def test_a_receiver_down_for_three_attempts_gets_the_alert_exactly_once(
        project: Project, letter: Article) -> None:
    pages = setup(project, channels(project, hook()), letter=letter)
    edit_all(project, pages)
    project.site.hook_statuses = [500, 502, 503]
    codes = [project.run("check").code for _ in range(4)]
    assert codes == [1, 1, 1, 0]
    posts = project.site.posts("/hooks/monitor")
    assert len(posts) == 4  # three refused, one accepted
    assert len({p.headers["Idempotency-Key"] for p in posts}) == 1
    [row] = deliveries(project)
    assert (row["status"], row["attempts"]) == ("delivered", 4)
    project.run("check")
    assert len(project.site.posts("/hooks/monitor")) == 4


def test_a_down_channel_is_tried_once_per_run_not_once_per_alert(
        project: Project, letter: Article, report: Article) -> None:
    pages = setup(project, channels(project, hook()), letter=letter, report=report)
    edit_all(project, pages)
    project.site.hook_statuses = [500]
    result = project.run("check")
    assert "alerts delivered 0, failed 1" in result.out
    assert len(project.site.posts()) == 1
    assert [r["status"] for r in deliveries(project)] == ["pending", "pending"]
    assert project.run("check").code == 0
    assert len(project.site.posts()) == 3  # the failed one again, and the other


def test_routing_by_event_tag_and_size(project: Project, letter: Article) -> None:
    text = channels(project, "\n".join([
        hook("removals", "/hooks/removals", "  events: [removed]\n"),
        hook("uk-desk", "/hooks/uk", "  tags: [uk]\n"),
        hook("big-edits", "/hooks/big", "  min_change: 5\n"),
        hook("all", "/hooks/all"),
    ]))
    pages = setup(project, text, letter=letter)
    reworded = letter.edited("a human rights activist", "a rights activist")
    project.site.put_article("/letter", reworded)
    project.run("check")
    assert [len(project.site.posts(f"/hooks/{n}")) for n in ("removals", "uk", "big", "all")] \
        == [0, 0, 0, 1]
    # A changed figure is never too small to tell, whatever min_change says.
    project.site.put_article("/letter", reworded.edited("80,000", "8,000"))
    project.run("check")
    assert [len(project.site.posts(f"/hooks/{n}")) for n in ("removals", "uk", "big", "all")] \
        == [0, 0, 1, 2]
    project.site.put_status("/letter", 404)
    project.run("check")
    project.run("check")
    # min_change filters edits only: a removal is never "too small" to report
    assert [len(project.site.posts(f"/hooks/{n}")) for n in ("removals", "uk", "big", "all")] \
        == [1, 0, 2, 3]
    assert pages


def test_routing_by_the_fields_and_kinds_that_changed(project: Project,
                                                      letter: Article) -> None:
    text = channels(project, "\n".join([
        hook("figures", "/hooks/figures", "  kinds: [figure, quote]\n"),
        hook("headlines", "/hooks/headlines", "  fields: [title, byline]\n"),
        hook("all", "/hooks/all"),
    ]))
    setup(project, text, letter=letter)
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    project.run("check")
    project.site.put_article("/letter", replace(letter.edited("80,000", "8,000"),
                                                title=letter.title + " (updated)"))
    project.run("check")
    posts = {name: [p.json() for p in project.site.posts(f"/hooks/{name}")]
             for name in ("figures", "headlines", "all")}
    assert [len(posts[n]) for n in ("figures", "headlines", "all")] == [1, 1, 2]
    assert posts["figures"][0]["changes"][0]["kind"] == "figure"
    assert posts["headlines"][0]["changes"][0]["field"] == "title"


def test_route_and_word_counting_units(project: Project) -> None:
    project.write({"a": "/a"}, channels=channels(project, "\n".join([
        hook("big", "/b", "  min_change: 3\n"), hook("tagged", "/t", "  tags: [x]\n")])))
    config = project.config()
    source = config.source("a")
    def alert(added: list[str], removed: list[str]) -> Alert:
        return make_alert("changed", alert_id="01J0000000000000000000000", source=source,
                          title="t", detected_at="2026-01-01T00:00:00Z", revision=None,
                          diff=Diff(added=added, removed=removed, unified=""))

    small, large = alert(["8,000"], ["80,000"]), alert(["one two three"], [])
    assert small.changed_words == 2 and large.changed_words == 3
    assert route(small, source, config) == []
    assert route(large, source, config) == ["big"]


def test_backoff_doubles_is_capped_and_honours_retry_after() -> None:
    assert 15 <= backoff(1, None) <= 30
    assert 30 <= backoff(2, None) <= 60
    assert backoff(30, None) <= 3600
    assert backoff(1, 900) == 900


def test_throttled_delivery_waits_for_retry_after_in_the_daemon_sense(
        project: Project, letter: Article) -> None:
    pages = setup(project, channels(project, hook()), letter=letter)
    edit_all(project, pages)
    project.site.hook_statuses = [429]
    project.site.hook_headers = {"Retry-After": "600"}
    assert project.run("check").code == 1
    [row] = deliveries(project)
    assert row["next_attempt_at"] > time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                  time.gmtime(time.time() + 590))
    listing = project.run("alerts").out
    assert "pending, 1 attempt(s), last error: HTTP 429" in listing
    assert "next try after" in listing


def test_a_delivery_that_keeps_failing_becomes_a_dead_letter(project: Project,
                                                             letter: Article) -> None:
    pages = setup(project, channels(project, hook(extra="  give_up_after: 3s\n")),
                  letter=letter)
    edit_all(project, pages)
    project.site.hook_statuses = [500] * 10
    first = project.run("check")
    assert "alerts delivered 0, failed 1" in first.out
    time.sleep(3.1)  # alert times are kept to the second: a few seconds
    result = project.run("check")
    assert "given up" in result.out
    [row] = deliveries(project)
    assert row["status"] == "dead"
    # the dead letter says what went wrong, then for how long it was retried
    assert row["last_error"].startswith("HTTP 500"), row["last_error"]
    assert row["last_error"].endswith("(given up after failing for 3s)")
    assert "DEAD after 1 attempt(s): HTTP 500" in project.run("alerts").out
    assert "given up" in project.run("list").out
    assert len(project.site.posts()) == 1  # no more attempts


def test_the_give_up_clock_starts_at_the_first_failure_not_at_detection(
        project: Project, letter: Article) -> None:
    pages = setup(project, channels(project, hook(extra="  give_up_after: 1h\n")),
                  letter=letter)
    edit_all(project, pages)
    project.site.hook_statuses = [500, 502]
    assert project.run("check").code == 1
    month_ago = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Detected a month ago (a machine that was off), failing for a few seconds: retried.
    update_state(project, "UPDATE alerts SET created_at = ?", month_ago)
    assert project.run("check").code == 1
    [row] = deliveries(project)
    assert (row["status"], row["attempts"]) == ("pending", 2)
    # Failing for a month: a dead letter that names its real last error.
    update_state(project, "UPDATE deliveries SET first_failed_at = ?", month_ago)
    assert "given up" in project.run("check").out
    [row] = deliveries(project)
    assert row["status"] == "dead"
    assert row["last_error"].startswith("HTTP 502"), row["last_error"]
    assert row["last_error"].endswith(" (given up after failing for 1h)")
    assert len(project.site.posts()) == 2


def update_state(project: Project, sql: str, *values: object) -> None:
    """Set the clock of stored rows back, as if the machine had been off for weeks."""
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    with db:
        db.execute(sql, values)
    db.close()


def test_a_receivers_huge_retry_after_waits_a_day_and_crashes_nothing(
        project: Project, letter: Article, report: Article) -> None:
    pages = setup(project, channels(project, hook()), letter=letter)
    project.site.hook_statuses = [429]
    project.site.hook_headers = {"Retry-After": "9" * 30}
    edit_all(project, pages)
    result = project.run("check")
    assert result.code == 1 and "429" in result.err
    [row] = deliveries(project)
    assert row["status"] == "pending"
    in_a_day = (datetime.now(UTC) + timedelta(days=1, minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert row["next_attempt_at"] <= in_a_day


def test_digest_batches_a_window_into_one_message_and_resends_it_whole(
        project: Project, letter: Article, report: Article) -> None:
    # alert times are kept to the second, so the window is a few seconds long
    pages = setup(project, channels(project, hook(extra="  digest: 3s\n")),
                  letter=letter, report=report)
    edit_all(project, pages)
    project.run("check")
    assert project.site.posts() == []  # the window is still open
    time.sleep(3.1)
    project.site.hook_statuses = [503]
    assert project.run("check").code == 1
    assert project.run("check").code == 0
    first, second = project.site.posts()
    assert first.body == second.body
    digest = second.json()
    assert digest["event"] == "digest"
    assert sorted(a["source_id"] for a in digest["alerts"]) == ["letter", "report"]
    assert second.headers["Idempotency-Key"] == digest["id"]
    assert [r["status"] for r in deliveries(project)] == ["delivered", "delivered"]


def test_killed_while_delivering_delivers_after_restart_with_the_same_id(
        project: Project, letter: Article) -> None:
    pages = setup(project, channels(project, hook()), letter=letter)
    edit_all(project, pages)
    project.site.hook_delay = 3.0  # the receiver takes its time to answer
    env = child_env()
    command = [sys.executable, "-m", "monitor", "check", "--config", str(project.config_path)]
    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not project.site.posts() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert project.site.posts(), "the alert was never sent"
    os.kill(run.pid, signal.SIGKILL)  # after "sent", before "recorded as sent"
    run.wait()
    project.site.hook_delay = 0.0
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    posts = project.site.posts()
    assert len(posts) == 2
    assert posts[0].headers["Idempotency-Key"] == posts[1].headers["Idempotency-Key"]
    assert posts[0].body == posts[1].body
    [row] = deliveries(project)
    assert row["status"] == "delivered"
    subprocess.run(command, env=env, capture_output=True)
    assert len(project.site.posts()) == 2


def test_a_deleted_webhook_is_given_up_at_once(project: Project, letter: Article) -> None:
    pages = setup(project, channels(project, hook()), letter=letter)
    edit_all(project, pages)
    project.site.hook_statuses = [410]
    result = project.run("check")
    assert "retrying cannot help" in result.err
    [row] = deliveries(project)
    assert row["status"] == "dead"
    project.run("check")
    assert len(project.site.posts()) == 1


def test_a_deleted_chat_webhook_is_given_up_at_once(project: Project, letter: Article) -> None:
    # Slack answers 404 "no_service" for a webhook that was removed: retrying cannot help.
    slack = "newsroom:\n  type: slack\n  url: URL/services/T/B/X\n"
    pages = setup(project, channels(project, slack), letter=letter)
    edit_all(project, pages)
    project.site.hook_statuses = [404]
    assert "retrying cannot help" in project.run("check").err
    [row] = deliveries(project)
    assert row["status"] == "dead"


@pytest.mark.parametrize("kind, path, answer", [
    ("slack", "/services/T000/B000/SECRETXYZ",
     Answer.text(500, "Cannot POST /services/T000/B000/SECRETXYZ")),
    ("discord", "/api/webhooks/123456/SECRETXYZ",
     Answer.json(401, {"message": "Unknown Webhook at /api/webhooks/123456/SECRETXYZ",
                       "code": 10015})),
])
def test_a_receiver_echoing_its_secret_url_leaks_it_nowhere(
        project: Project, letter: Article, kind: str, path: str, answer: Answer) -> None:
    service = {"slack": Slack, "discord": Discord}[kind]()
    with Receiver(service) as receiver:
        receiver.queue(answer)
        pages = setup(project, f"chat:\n  type: {kind}\n  url: {receiver.url}{path}\n",
                      letter=letter)
        edit_all(project, pages)
        shown = [project.run("check"), project.run("alerts"), project.run("list")]
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    kept = [str(row) for table in ("deliveries", "attempts")
            for row in db.execute(f"SELECT * FROM {table}")]
    db.close()
    assert any("[secret]" in text for text in kept), kept  # the error is kept, redacted
    for text in [*kept, *(r.out + r.err for r in shown)]:
        assert "SECRETXYZ" not in text and "123456" not in text, text
