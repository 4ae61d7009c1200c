"""Recovery: the state database brought level with git before a pass.

A crash after a commit replays the commits the database missed (tests/test_store.py
and tests/test_crash.py); a lost database or a rewritten history rebuilds state
from git and sends nothing again.
"""

from __future__ import annotations

import subprocess

from conftest import Project

from monitor.site import Article


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
