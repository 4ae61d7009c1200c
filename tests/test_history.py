"""History queries over a real snapshot repository: the answers the CLI and web UI share."""

from __future__ import annotations

import pytest
from conftest import Project

from monitor.cli.demo_site import Article
from monitor.store.history import History, HistoryError, NoSnapshots


def checked_twice(project: Project, letter: Article) -> History:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    project.run("check")
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    project.run("check")
    return History(project.root / "snapshots")


def test_no_repository_yet_says_to_check_first(project: Project) -> None:
    with pytest.raises(NoSnapshots, match="run `monitor check` first"):
        History(project.root / "snapshots")


def test_versions_come_newest_first_with_their_event(project: Project,
                                                      letter: Article) -> None:
    history = checked_twice(project, letter)
    changed, baseline = history.versions("letter")
    assert (changed.event, baseline.event) == ("changed", "baseline")
    assert changed.subject.startswith("changed: letter") and changed.short == changed.revision[:10]
    assert [event for event, _ in changed.alerts] == ["changed"]
    assert baseline.alerts == () and baseline.reason == ""
    assert history.versions("nobody") == []


def test_comparisons_default_to_the_last_change_and_refuse_in_words(
        project: Project, letter: Article) -> None:
    history = checked_twice(project, letter)
    changed, baseline = history.versions("letter")
    last = history.comparison("letter")
    assert (last.old, last.new) == (baseline.revision, changed.revision)
    assert history.comparison("letter", [changed.short]) == last
    reverse = history.comparison("letter", [changed.revision, baseline.revision])
    assert (reverse.old, reverse.new) == (changed.revision, baseline.revision)
    assert "[-80,000-]{+8,000+}" in history.diff_text(last)
    lines = history.diff_text(last, words=False)
    assert "\n-factories" in lines and "\n+factories" in lines
    assert history.diff_text(history.comparison("letter", [changed.revision] * 2)) == ""
    for revisions, words in ([[baseline.revision], "is the first version"],
                             [["deadbeef"], "no revision deadbeef"],
                             [["--output=/tmp/x"], "no revision"],
                             [["a", "b", "c"], "at most two"]):
        with pytest.raises(HistoryError, match=words):
            history.comparison("letter", revisions)
    with pytest.raises(HistoryError, match="nothing to compare yet"):
        history.comparison("nobody")


def test_versions_carry_when_the_page_read_so_and_a_line_of_what_changed(
        project: Project, letter: Article) -> None:
    history = checked_twice(project, letter)
    versions = history.versions("letter")
    assert all(v.fetched_at.endswith("Z") and v.when == v.fetched_at for v in versions)
    assert history.summaries("letter", versions) == ["changed: 80,000 → 8,000",
                                                     "baseline: the first version kept"]
    assert history.source_ids() == ["letter"]


def test_the_readable_diff_names_both_versions_and_only_the_change(
        project: Project, letter: Article) -> None:
    history = checked_twice(project, letter)
    changed, baseline = history.versions("letter")
    out = history.readable_diff(history.comparison("letter"))
    assert out.startswith("letter: 1 paragraph changed\n"
                          f"  from  {baseline.short}  ")
    assert "[-80,000-]{+8,000+}" in out and out.count("\n\n") == 1  # header, one paragraph
    assert history.readable_diff(history.comparison("letter", [changed.revision] * 2)) == ""
