"""A page that changes on every fetch alerts a few times, says so once, then keeps quiet."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from conftest import Project

from monitor.cli.demo_site import Article
from monitor.core.storm import judge_storm

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_the_storm_rule_with_the_time_passed_in() -> None:
    recent, since = None, None
    seen = []
    for minutes in (0, 10, 20, 30, 40, 50):
        verdict = judge_storm(recent, since, NOON + timedelta(minutes=minutes), 3)
        recent, since = verdict.recent_changes, verdict.storm_since
        seen.append((verdict.send, verdict.reason, verdict.count))
    assert seen == [(True, None, 1), (True, None, 2), (True, None, 3),
                    (True, "changing-constantly", 4), (False, None, 5), (False, None, 5)]
    # quiet for six hours: the storm is over, and the next change alerts as usual
    after = judge_storm(recent, since, NOON + timedelta(hours=7), 3)
    assert (after.send, after.reason, after.storm_since) == (True, None, None)


def test_a_page_that_changes_on_every_check_is_committed_every_time_but_alerts_less(
        project: Project, letter: Article) -> None:
    project.site.put_article("/a", letter)
    project.write({"a": "/a"}, settings={"storm_after": 2})
    project.run("check")
    for n in range(1, 6):
        project.site.put_article("/a", letter.edited("80,000", f"{n},000"))
        assert project.run("check").code == 0
    posts = [(p.json()["event"], p.json()["reason"], p.json().get("count"))
             for p in project.site.posts()]
    assert posts == [("changed", None, None), ("changed", None, None),
                     ("changed", "changing-constantly", 3)]
    history = project.run("history", "a").out
    assert history.count(" changed: ") == 5  # every version is still kept

    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    with db:  # six hours and more without a change
        long_ago = (datetime.now(UTC) - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        db.execute("UPDATE sources SET recent_changes = ?", (long_ago,))
    db.close()
    project.site.put_article("/a", letter.edited("80,000", "9,000"))
    project.run("check")
    assert [p.json()["reason"] for p in project.site.posts()][-1] is None
    assert len(project.site.posts()) == 4
