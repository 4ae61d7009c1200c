"""Recovery: the state database brought level with git before a pass.

A crash after a commit replays the commits the database missed (tests/test_store.py
and tests/test_crash.py); a lost database or a rewritten history rebuilds state
from git and sends nothing again.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from conftest import Project

from monitor.cli.demo_site import Article
from testing.discovery_site import PATHS, PressSite


def snapshots_git(project: Project, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project.root / "snapshots"), *args],
                          capture_output=True, text=True, check=True).stdout


def lose_state(project: Project) -> None:
    """What a GitHub Actions run sees when its cache is gone."""
    for path in (project.root / ".monitor").glob("state.db*"):
        path.unlink()


def test_a_lost_state_database_is_rebuilt_from_git_and_sends_nothing_again(
        project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    assert project.run("check").code == 0
    edited = letter.edited("80,000", "8,000")
    project.site.put_article("/letter", edited)
    assert project.run("check").code == 0
    assert len(project.site.posts()) == 1

    lose_state(project)
    result = project.run("check")
    assert result.code == 0, result.out + result.err
    assert "state rebuilt from 2 commits; no alerts re-sent" in result.out
    assert "unchanged" in result.out
    assert len(project.site.posts()) == 1  # nothing re-sent
    assert "not sent again" in project.run("alerts").out

    # The rebuilt state works: a revert to the first text names the baseline.
    project.site.put_article("/letter", letter)
    assert project.run("check").code == 0
    [_, post] = project.site.posts()
    baseline = snapshots_git(project, "log", "--format=%H", "--reverse").split()[0]
    assert post.json()["event"] == "changed"
    assert post.json()["reverts_to"] == baseline
    assert "state rebuilt" not in project.run("check").out  # once only


def test_a_rewritten_history_is_said_loudly_and_recovered_from(project: Project,
                                                                letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    project.run("check")
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    project.run("check")
    lost = snapshots_git(project, "rev-parse", "HEAD").strip()
    snapshots_git(project, "reset", "-q", "--hard", "HEAD~1")
    snapshots_git(project, "reflog", "expire", "--expire=now", "--all")
    snapshots_git(project, "gc", "-q", "--prune=now")

    result = project.run("check")
    assert result.code == 1
    assert f"last commit {lost[:10]} is not in the snapshot history" in result.err
    assert "state rebuilt from 1 commit; no alerts re-sent" in result.out
    # The store is back on its feet: the edit the history lost is a change again.
    assert "changed" in result.out
    assert project.run("check").code == 0


def two_sources(project: Project, letter: Article, report: Article) -> None:
    project.site.put_article("/letter", letter)
    project.site.put_article("/report", report)
    project.write({"letter": "/letter", "report": "/report"})
    assert project.run("check").code == 0


def test_a_snapshot_file_removed_from_git_is_never_unchanged_against_nothing(
        project: Project, letter: Article, report: Article) -> None:
    two_sources(project, letter, report)
    snapshots_git(project, "rm", "-q", "letter.md", "report.md")
    snapshots_git(project, "-c", "user.name=someone", "-c", "user.email=someone@example.org",
                  "commit", "-q", "-m", "tidy up")
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))

    result = project.run("check")
    assert result.code == 1  # said loudly
    assert "snapshots/letter.md was missing" in result.err
    assert "snapshots/report.md was missing" in result.err
    assert "1 changed" in result.out and "1 rewritten" in result.out
    [post] = project.site.posts()
    alert = post.json()
    assert (alert["event"], alert["reason"]) == ("changed", "earlier-text-missing")
    assert "8,000" in project.snapshot("letter") and project.snapshot("report")
    assert project.run("check").code == 0  # whole again


def test_a_deleted_snapshots_folder_is_said_loudly_and_edits_still_alert(
        project: Project, letter: Article, report: Article) -> None:
    two_sources(project, letter, report)
    shutil.rmtree(project.root / "snapshots")
    project.site.put_article("/report", report.edited("100,000", "10,000"))

    result = project.run("check")
    assert result.code == 1
    assert "the snapshot history is empty" in result.err
    assert "1 changed" in result.out and "1 rewritten" in result.out
    [post] = project.site.posts()
    assert (post.json()["source_id"], post.json()["reason"]) == ("report",
                                                                 "earlier-text-missing")
    assert project.run("check").code == 0


def test_a_symlink_committed_into_snapshots_is_never_followed(
        project: Project, letter: Article, tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:SECRET-LINE:/root:/bin/bash\n")
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    project.run("check")
    link = project.root / "snapshots" / "letter.md"
    link.unlink()
    link.symlink_to(secret)
    snapshots_git(project, "add", "letter.md")
    snapshots_git(project, "-c", "user.name=x", "-c", "user.email=x@example.org",
                  "commit", "-q", "-m", "a link")
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))

    project.run("check")
    assert secret.read_text() == "root:x:0:0:SECRET-LINE:/root:/bin/bash\n"  # not overwritten
    assert not link.is_symlink() and "8,000" in link.read_text()
    everything = "".join(p.read_text() for p in project.alerts())
    everything += "".join(post.body.decode() for post in project.site.posts())
    assert "SECRET-LINE" not in everything


def test_a_snapshots_link_to_a_missing_folder_stops_the_run_and_says_why(
        project: Project, letter: Article, tmp_path: Path) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    project.run("check")
    moved = tmp_path / "elsewhere"
    (project.root / "snapshots").rename(moved)
    (project.root / "snapshots").symlink_to(tmp_path / "unmounted-disk")
    result = project.run("check")
    assert result.code == 1
    assert "is a symbolic link to" in result.err and "does not exist" in result.err
    assert not (tmp_path / "unmounted-disk").exists()  # nothing created behind the link


def test_a_found_articles_new_alert_committed_before_a_crash_goes_out_once(
        project: Project) -> None:
    """The database missed a found article's first commit: its `new` alert is replayed,
    with its listing and opening text, and the article's next check says nothing more."""
    press = PressSite.with_stories(project.site, 3)
    project.write({"press": PATHS["feed"]}, extra_source_lines="discover: feed")
    assert project.run("check").code == 0
    [story] = press.publish(1)
    press.serve()
    assert project.run("check").code == 0
    [post] = project.site.posts("/hooks/monitor")
    sent = post.json()
    assert sent["event"] == "new"
    # Undo what the database heard after the article's commit, as a kill -9 right
    # after `git fast-import` would have left it.
    article = sent["source_id"]
    parent = snapshots_git(project, "rev-parse", f"{sent['revision']}^").strip()
    with sqlite3.connect(project.root / ".monitor" / "state.db") as db:
        for table, column in (("attempts", "alert_id"), ("deliveries", "alert_id"),
                              ("alerts", "id")):
            db.execute(f"DELETE FROM {table} WHERE {column} = ?", (sent["id"],))
        db.execute("UPDATE found SET announce = 1 WHERE id = ?", (article,))
        db.execute("UPDATE meta SET value = ? WHERE key = 'git_head'", (parent,))
    for path in project.alerts():
        path.unlink()
    project.site.requests.clear()

    result = project.run("check")
    assert result.code == 0 and "1 alert(s) recovered from git" in result.out, result.out
    [again] = project.site.posts("/hooks/monitor")
    replayed = again.json()
    assert (replayed["id"], replayed["event"], replayed["source_id"]) == (
        sent["id"], "new", article)
    assert replayed["listing_id"] == "press"
    assert "Press release number" in replayed["excerpt"]
    assert project.run("check").code == 0
    assert len(project.site.posts("/hooks/monitor")) == 1  # its next check is ordinary
    assert story.path in replayed["url"]
