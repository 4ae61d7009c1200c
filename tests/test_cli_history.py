"""``monitor history``, ``diff`` and ``alerts`` through the real CLI: a real site on
127.0.0.1, real git, real SQLite, a real webhook receiver."""

from __future__ import annotations

import os
import pty
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, Project, child_env

from monitor.cli.demo_site import Article

PEOPLE_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")


def two_versions(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    project.run("check")
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    project.run("check")


def git_log(project: Project, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project.root / "snapshots"), "log", *args],
                          capture_output=True, text=True, check=True).stdout


def for_people(stamp: str) -> str:
    """``2026-11-25T10:00:00Z`` as the CLI shows it: ``2026-11-25 10:00 UTC``."""
    return f"{stamp[:10]} {stamp[11:16]} UTC"


def revisions(project: Project, source_id: str) -> list[str]:
    """The short revisions ``monitor history`` lists, newest first."""
    out = project.run("history", source_id).out
    return re.findall(r"^([0-9a-f]{10})  ", out, re.M)


# --- history -------------------------------------------------------------------


def test_history_lists_versions_newest_first_with_what_each_changed(
        project: Project, letter: Article) -> None:
    two_versions(project, letter)
    result = project.run("history", "letter")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].endswith("changed: 80,000 → 8,000"), lines[0]
    assert "baseline: the first version kept" in lines[1]
    fetched = git_log(project, "--format=%(trailers:key=Fetched-At,valueonly)").split()
    assert [PEOPLE_TIME.findall(line) for line in lines[:2]] == \
        [[for_people(stamp)] for stamp in fetched]
    assert "T" not in lines[0].split()[1]  # no RFC 3339 for people
    assert project.run("history", "nobody").code == 2


def test_history_shows_where_a_redirect_that_keeps_the_article_leads(
        project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    project.run("check")
    assert "now at" not in project.run("history", "letter").out
    project.site.put_article("/letter/", letter)
    project.site.redirect("/letter", "/letter/")
    assert "unchanged" in project.run("check").out
    first = project.run("history", "letter").out.splitlines()[0]
    assert first == f"now at {project.site.url}/letter/ (redirected from " \
                    f"{project.site.url}/letter)"


def test_history_shows_the_article_a_move_followed(project: Project, letter: Article) -> None:
    project.site.put_article("/news/old-letter", letter)
    project.write({"letter": "/news/old-letter"})
    project.run("check")
    project.site.put_article("/archive/letter", letter)
    project.site.redirect("/news/old-letter", "/archive/letter")
    assert "moved" in project.run("check").out
    lines = project.run("history", "letter").out.splitlines()
    assert lines[0] == f"now at {project.site.url}/archive/letter (moved from " \
                       f"{project.site.url}/news/old-letter)"
    assert lines[1].endswith(f"moved: {project.site.url}/news/old-letter → "
                             f"{project.site.url}/archive/letter")


def test_unknown_ids_get_did_you_mean_and_exit_2(project: Project, letter: Article) -> None:
    two_versions(project, letter)
    for command in ("history", "diff"):
        result = project.run(command, "lettre")
        assert result.code == 2
        assert f"monitor {command}: no source 'lettre' (did you mean 'letter'?)" in result.err
    project.write({"letter": "/letter", "later": "/later"})
    unchecked = project.run("history", "later")
    assert unchecked.code == 2 and "no versions of 'later' yet" in unchecked.err
    assert "did you mean" not in unchecked.err


# --- diff -----------------------------------------------------------------------


def test_diff_names_both_versions_and_shows_only_the_changed_paragraph(
        project: Project, letter: Article) -> None:
    two_versions(project, letter)
    result = project.run("diff", "letter")
    assert result.code == 0
    newest, oldest = revisions(project, "letter")
    new_at, old_at = git_log(project, "--format=%(trailers:key=Fetched-At,valueonly)").split()
    lines = result.out.splitlines()
    assert lines[0] == "letter: 1 paragraph changed"
    assert lines[1].split() == ["from", oldest, *for_people(old_at).split(), "baseline"]
    assert lines[2].split() == ["to", newest, *for_people(new_at).split(), "changed"]
    assert "Paragraph 5" in lines
    assert "are that [-80,000-]{+8,000+} have been enslaved" in result.out
    assert "diff --git" not in result.out and "index " not in result.out
    assert letter.paragraphs[0][:40] not in result.out  # no paragraphs of context
    assert "\x1b" not in result.out  # not a terminal: no colour


def test_diff_of_one_revision_or_two_in_either_order(project: Project,
                                                     letter: Article) -> None:
    two_versions(project, letter)
    newest, oldest = revisions(project, "letter")
    assert "[-80,000-]{+8,000+}" in project.run("diff", "letter", newest).out
    backwards = project.run("diff", "letter", newest, oldest).out
    assert "[-8,000-]{+80,000+}" in backwards
    assert backwards.splitlines()[1].split()[:2] == ["from", newest]
    assert project.run("diff", "letter", oldest).code == 2  # first version: nothing before
    assert project.run("diff", "letter", newest, newest).out == "no difference\n"


def test_diff_lines_and_git_give_the_other_shapes(project: Project, letter: Article) -> None:
    two_versions(project, letter)
    lines = project.run("diff", "letter", "--lines").out
    assert "\n- factories which" in lines and "\n+ factories which" in lines
    assert "[-" not in lines and "diff --git" not in lines
    raw = project.run("diff", "letter", "--git").out
    assert raw.startswith("diff --git a/letter.md b/letter.md\n")
    assert "[-80,000-]{+8,000+}" in raw
    git_lines = project.run("diff", "letter", "--git", "--lines").out
    assert git_lines.startswith("diff --git") and "\n-factories" in git_lines


def test_diff_is_coloured_only_on_a_terminal(project: Project, letter: Article) -> None:
    two_versions(project, letter)
    leader, follower = pty.openpty()
    done = subprocess.run([sys.executable, "-m", "monitor", "diff", "letter", "--config",
                           str(project.config_path)], stdout=follower,
                          stderr=subprocess.PIPE, cwd=ROOT, env=child_env(), timeout=120)
    os.close(follower)
    out = _read_all(leader)
    assert done.returncode == 0, done.stderr
    assert "\x1b[31m[-80,000-]\x1b[0m\x1b[32m{+8,000+}\x1b[0m" in out


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


def test_diff_refuses_unknown_revisions_and_other_sources_versions(
        project: Project, letter: Article, report: Article) -> None:
    two_versions(project, letter)
    project.site.put_article("/report", report)
    project.write({"letter": "/letter", "report": "/report"})
    assert project.run("check").code == 0
    [other] = revisions(project, "report")
    unknown = project.run("diff", "letter", "deadbeef")
    assert unknown.code == 2
    assert "no revision deadbeef" in unknown.err and "first version" not in unknown.err
    foreign = project.run("diff", "letter", other)
    assert foreign.code == 2 and f"{other} is not a version of letter" in foreign.err
    newest = revisions(project, "letter")[0]
    assert project.run("diff", "letter", other, newest).code == 2
    option = project.run("diff", "letter", "--", "--output=/tmp/written-by-git")
    assert option.code == 2 and not Path("/tmp/written-by-git").exists()


# --- alerts and dead letters ------------------------------------------------------


def two_hooks(project: Project) -> str:
    return (f"hook:\n  type: webhook\n  url: {project.site.url}/hooks/monitor\n"
            f"other:\n  type: webhook\n  url: {project.site.url}/hooks/other\n"
            "  give_up_after: 1h\n")


def dead_letter(project: Project, letter: Article, channels: str | None = None) -> str:
    """A changed alert whose every delivery the receivers refused for good (410)."""
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, channels=channels)
    project.run("check")
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    project.site.hook_statuses = [410] * (2 if channels else 1)
    assert "given up" in project.run("check").err
    [row] = query(project, "SELECT id FROM alerts")
    return str(row["id"])


def query(project: Project, sql: str, *values: object) -> list[sqlite3.Row]:
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    db.row_factory = sqlite3.Row
    try:
        with db:
            return db.execute(sql, values).fetchall()
    finally:
        db.close()


def statuses(project: Project) -> dict[str, str]:
    return {row["channel"]: row["status"]
            for row in query(project, "SELECT channel, status FROM deliveries")}


def test_alerts_lists_times_for_people_and_how_to_resend_a_dead_letter(
        project: Project, letter: Article) -> None:
    alert_id = dead_letter(project, letter)
    result = project.run("alerts")
    assert result.code == 0
    [detected] = query(project, "SELECT created_at FROM alerts")
    assert result.out.startswith(f"{for_people(detected[0])}  changed   letter  id={alert_id}")
    assert "DEAD after 1 attempt(s): HTTP 410" in result.out
    assert f"re-send: monitor alerts --retry {alert_id} --channel hook" in result.out
    assert "`monitor alerts --retry` re-queues every dead delivery" in result.out


def test_retry_requeues_every_dead_letter_and_the_next_pass_delivers_it(
        project: Project, letter: Article) -> None:
    alert_id = dead_letter(project, letter)
    posts = len(project.site.posts())
    result = project.run("alerts", "--retry")
    assert result.code == 0
    assert result.out.startswith("re-queued 1 dead delivery: they are sent on the next pass")
    assert statuses(project) == {"hook": "pending"}
    assert "re-queued" in project.run("alerts").out
    assert len(project.site.posts()) == posts  # nothing sent by --retry itself
    assert project.run("check").code == 0
    assert statuses(project) == {"hook": "delivered"}
    [post] = project.site.posts()[posts:]
    assert post.json()["id"] == alert_id
    assert project.run("alerts", "--retry").out.startswith("re-queued 0 dead deliveries")


def test_retry_of_one_alert_or_one_channel(project: Project, letter: Article) -> None:
    alert_id = dead_letter(project, letter, two_hooks(project))
    assert statuses(project) == {"hook": "dead", "other": "dead"}
    only = project.run("alerts", "--retry", "--channel", "other")
    assert only.code == 0 and only.out.startswith("re-queued 1 dead delivery")
    assert statuses(project) == {"hook": "dead", "other": "pending"}
    typo = project.run("alerts", "--retry", "--channel", "hok")
    assert typo.code == 2 and "no channel 'hok' (did you mean 'hook'?)" in typo.err
    unknown = project.run("alerts", "--retry", alert_id[:-1] + ("1" if alert_id[-1] == "0"
                                                                else "0"))
    assert unknown.code == 2 and f"(did you mean '{alert_id}'?)" in unknown.err
    assert statuses(project) == {"hook": "dead", "other": "pending"}
    one = project.run("alerts", "--retry", alert_id)
    assert one.out.startswith("re-queued 1 dead delivery")
    assert statuses(project) == {"hook": "pending", "other": "pending"}
    alone = project.run("alerts", "--channel", "hook")
    assert alone.code == 2 and "--channel goes with --retry" in alone.err


def test_a_requeued_delivery_gets_a_fresh_give_up_clock(project: Project,
                                                       letter: Article) -> None:
    dead_letter(project, letter, two_hooks(project))
    # It had been failing for a month: without a fresh clock, one more failure is death.
    query(project, "UPDATE deliveries SET first_failed_at = '2000-01-01T00:00:00Z'")
    project.run("alerts", "--retry", "--channel", "other")
    [row] = query(project, "SELECT * FROM deliveries WHERE channel = 'other'")
    assert (row["status"], row["first_failed_at"], row["next_attempt_at"]) == \
        ("pending", None, None)
    assert row["requeued_at"] and row["attempts"] == 1  # the attempts made stay counted
    project.site.hook_statuses = [503]
    assert project.run("check").code == 1
    [row] = query(project, "SELECT * FROM deliveries WHERE channel = 'other'")
    assert (row["status"], row["attempts"]) == ("pending", 2)  # retried, not given up


def test_retry_upgrades_a_state_database_made_before_requeued_at(
        project: Project, letter: Article) -> None:
    dead_letter(project, letter)
    columns = [row["name"] for row in query(project, "PRAGMA table_info(deliveries)")]
    if "requeued_at" in columns:
        query(project, "ALTER TABLE deliveries DROP COLUMN requeued_at")
    assert "DEAD" in project.run("alerts").out  # an old database still reads
    assert project.run("alerts", "--retry").out.startswith("re-queued 1 dead delivery")
    [row] = query(project, "SELECT requeued_at FROM deliveries")
    assert row["requeued_at"]
