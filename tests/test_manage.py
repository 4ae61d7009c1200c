"""``monitor remove``, ``rename``, ``pause`` and ``resume`` through the real CLI, on real git
and SQLite: history is kept, state follows, the file keeps its comments. A listing's
found articles are paused, resumed and removed in state and in its ``exclude:``."""

from __future__ import annotations

import sqlite3
import subprocess

from conftest import Project

from monitor.cli.demo_site import Article
from monitor.discover.ids import article_id
from monitor.store.store import Store
from testing import listings
from testing.site import Page


def two_versions(project: Project, letter: Article, **settings: object) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter", "other": "/other"}, settings=settings or None)
    project.site.put_article("/other", letter.edited("80,000", "70,000"))
    commented = "# watched for the Huawei inquiry\n" + project.config_path.read_text()
    project.config_path.write_text(commented.replace(
        "  - id: letter\n", "  - id: letter  # the law firm's letter\n"))
    assert project.run("check").code == 0
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    assert project.run("check").code == 0


def snapshots_git(project: Project, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project.root / "snapshots"), *args],
                          capture_output=True, text=True, check=True).stdout


def state_rows(project: Project, sql: str, *params: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(project.root / ".monitor" / "state.db") as db:
        return list(db.execute(sql, params))


def test_remove_keeps_history_and_archives_state(project: Project, letter: Article) -> None:
    two_versions(project, letter)
    result = project.run("remove", "letter")
    assert result.code == 0, result.err
    assert "its 2 version(s) stay in the snapshot history" in result.out
    text = project.config_path.read_text()
    assert "id: letter" not in text and "id: other" in text
    assert text.startswith("# watched for the Huawei inquiry\n")
    assert (project.root / "snapshots" / "letter.md").exists()  # evidence stays
    assert len(project.run("history", "letter").out.splitlines()) >= 2
    [(removed_at, revision)] = state_rows(
        project, "SELECT removed_at, revision FROM sources WHERE id = ?", "letter")
    assert removed_at and revision  # archived, not deleted
    assert project.run("check").code == 0
    assert not [r for r in project.site.gets("/letter")[2:]]  # no longer fetched
    unknown = project.run("remove", "leter")
    assert unknown.code == 2 and "no source with id 'leter'" in unknown.err
    assert "did you mean" in unknown.err


def test_adding_a_removed_id_again_continues_its_history(project: Project,
                                                         letter: Article) -> None:
    two_versions(project, letter)
    assert project.run("remove", "letter").code == 0
    project.site.put_article("/letter", letter.edited("80,000", "9,000"))
    again = project.run("add", f"{project.site.url}/letter", "--id", "letter")
    assert again.code == 0 and "its history continues" in again.out
    assert project.run("check").code == 0
    alerts = [path.read_text() for path in project.alerts()]
    assert any('"8,000"' in text and '"9,000"' in text for text in alerts)  # not a baseline
    [(removed_at,)] = state_rows(project, "SELECT removed_at FROM sources WHERE id = ?",
                                 "letter")
    assert removed_at is None
    assert "baseline: letter" in snapshots_git(project, "log", "--format=%s", "--",
                                               "letter.md").splitlines()[-1]


def test_rename_moves_the_snapshot_with_its_history(project: Project,
                                                    letter: Article) -> None:
    two_versions(project, letter)
    result = project.run("rename", "letter", "huawei-letter")
    assert result.code == 0, result.err
    assert "snapshots/letter.md is now snapshots/huawei-letter.md" in result.out
    text = project.config_path.read_text()
    [line] = [line for line in text.splitlines() if "id: huawei-letter" in line]
    assert line.endswith("# the law firm's letter")
    assert text.startswith("# watched for the Huawei inquiry\n")
    assert not (project.root / "snapshots" / "letter.md").exists()
    subject = snapshots_git(project, "log", "-1", "--format=%s%n%b")
    assert subject.startswith("renamed: huawei-letter (was letter)")
    assert "Renamed-From: letter" in subject
    status = snapshots_git(project, "show", "--format=", "--name-status", "-M", "HEAD")
    assert status.split() == ["R100", "letter.md", "huawei-letter.md"]
    history = project.run("history", "huawei-letter")
    assert history.code == 0 and len([line for line in history.out.splitlines()
                                       if "  20" in line]) == 3  # two versions and the rename
    rows = state_rows(project, "SELECT id FROM sources ORDER BY id")
    assert rows == [("huawei-letter",), ("other",)]
    assert state_rows(project, "SELECT count(*) FROM versions WHERE source_id = ?",
                      "huawei-letter") == [(2,)]
    # The next change is a change against the old text, never a new baseline.
    project.site.put_article("/letter", letter.edited("80,000", "9,000"))
    assert project.run("check").code == 0
    diff = project.run("diff", "huawei-letter")
    assert diff.code == 0 and "8,000" in diff.out and "9,000" in diff.out
    assert project.run("verify").code == 0


def test_rename_refuses_ids_that_are_taken_or_invalid(project: Project,
                                                      letter: Article) -> None:
    two_versions(project, letter)
    before = project.config_path.read_text()
    taken = project.run("rename", "letter", "other")
    assert taken.code == 2 and "already exists" in taken.err
    invalid = project.run("rename", "letter", "no/slash")
    assert invalid.code == 2 and "not a valid id" in invalid.err
    assert project.run("remove", "other").code == 0
    kept = project.run("rename", "letter", "other")  # other's history is evidence
    assert kept.code == 2 and "snapshots/other.md already exists" in kept.err
    assert project.config_path.read_text() == before.replace(
        before[before.index("  - id: other"):], "")
    assert (project.root / "snapshots" / "letter.md").exists()


def test_rename_and_remove_wait_for_the_writer_lock(project: Project,
                                                    letter: Article) -> None:
    two_versions(project, letter, lock_timeout="0s")
    config = project.config()
    holder = Store.of(config.settings)
    holder.acquire(5)
    try:
        before = project.config_path.read_text()
        for args in (("rename", "letter", "renamed"), ("remove", "letter")):
            result = project.run(*args)
            assert result.code == 1 and "another monitor process" in result.err
        assert project.config_path.read_text() == before
    finally:
        holder.release()
    assert project.run("rename", "letter", "renamed").code == 0


def test_rename_of_a_source_never_checked(project: Project) -> None:
    project.write({"a": "/a"})
    result = project.run("rename", "a", "b")
    assert result.code == 0 and [s.id for s in project.config().sources] == ["b"]
    assert not (project.root / "snapshots").exists()  # nothing stored, nothing made


def test_pause_and_resume_write_enabled_and_keep_comments(project: Project,
                                                          letter: Article) -> None:
    two_versions(project, letter)
    paused = project.run("pause", "letter")
    assert paused.code == 0 and "paused letter" in paused.out
    text = project.config_path.read_text()
    assert "  - id: letter  # the law firm's letter\n" in text
    assert f"    url: {project.site.url}/letter\n    enabled: false\n" in text
    assert not project.config().source("letter").enabled
    assert "already paused" in project.run("pause", "letter").out
    fetched = len(project.site.gets("/letter"))
    assert project.run("check").code == 0
    assert len(project.site.gets("/letter")) == fetched  # a paused source is not fetched
    resumed = project.run("resume", "letter")
    assert resumed.code == 0 and "resumed letter" in resumed.out
    assert "enabled" not in project.config_path.read_text()
    assert project.config_path.read_text().startswith("# watched for the Huawei inquiry\n")
    assert "was not paused" in project.run("resume", "letter").out
    assert project.run("check").code == 0
    assert len(project.site.gets("/letter")) == fetched + 1


def listing_checked(project: Project, letter: Article, **settings: object) -> list[str]:
    """A listing (an RSS feed of four articles, the newest two watched) and a page, with
    comments in the file; one real check. Returns the watched ids, newest first."""
    listed = listings.articles(4)
    for n, item in enumerate(listed):
        project.site.put_article(item.path, letter.edited("80,000", f"{n + 1},000"))
    project.site.put("/press/feed/", Page(body=listings.rss(listed, project.site.url),
                                          headers={"Content-Type": "application/rss+xml"}))
    project.site.put_article("/letter", letter)
    project.write({"press": "/press/feed/", "letter": "/letter"}, settings=settings or None)
    project.config_path.write_text(project.config_path.read_text().replace(
        "  - id: press\n", "  - id: press  # the ministry's feed\n").replace(
        "/press/feed/\n", "/press/feed/\n    discover: feed\n    baseline_watch: 2\n"
                          "  # --- pages ---\n"))
    assert project.run("check").code == 0
    return [article_id("press", item.url(project.site.url)) for item in listed[:2]]


def found_state(project: Project, article: str) -> str:
    [(state,)] = state_rows(project, "SELECT state FROM found WHERE id = ?", article)
    return str(state)


def test_pause_and_resume_of_a_found_article_write_state_and_exclude(
        project: Project, letter: Article) -> None:
    newest, older = listing_checked(project, letter)
    before = project.config_path.read_text()
    fetched = len([r for r in project.site.gets() if "statement-1" in r.path])
    paused = project.run("pause", older)
    assert paused.code == 0, paused.err
    assert f"paused {older} (in the `exclude:` of listing press)" in paused.out
    assert found_state(project, older) == "excluded"
    text = project.config_path.read_text()
    assert f"    baseline_watch: 2\n    exclude:\n      - {older}\n  # --- pages ---\n" in text
    assert "  - id: press  # the ministry's feed\n" in text
    listing = project.config().source("press")
    assert listing.discover is not None and listing.discover.exclude == (older,)
    assert "already paused" in project.run("pause", older).out
    assert project.run("check").code == 0
    assert len([r for r in project.site.gets() if "statement-1" in r.path]) == fetched
    resumed = project.run("resume", older)
    assert resumed.code == 0 and f"resumed {older}" in resumed.out
    assert found_state(project, older) == "watching"
    assert project.config_path.read_text() == before  # `exclude:` goes with its last id
    assert "was not paused" in project.run("resume", older).out
    assert project.run("check").code == 0
    assert len([r for r in project.site.gets() if "statement-1" in r.path]) == fetched + 1
    assert found_state(project, newest) == "watching"


def test_remove_of_a_found_article_keeps_its_history(project: Project,
                                                     letter: Article) -> None:
    newest, _ = listing_checked(project, letter)
    result = project.run("remove", newest)
    assert result.code == 0, result.err
    assert "its 1 version(s) stay in the snapshot history" in result.out
    assert f"`monitor resume {newest}` watches it again" in result.out
    assert (project.root / "snapshots" / f"{newest}.md").exists()  # evidence stays
    assert found_state(project, newest) == "excluded"
    [(removed_at,)] = state_rows(project, "SELECT removed_at FROM sources WHERE id = ?",
                                 newest)
    assert removed_at
    listing = project.config().source("press")
    assert listing.discover is not None and listing.discover.exclude == (newest,)
    assert project.run("resume", newest).code == 0
    assert project.run("check").code == 0
    [(removed_at, outcome)] = state_rows(
        project, "SELECT removed_at, last_outcome FROM sources WHERE id = ?", newest)
    assert removed_at is None and outcome == "unchanged"  # its history continued


def test_found_articles_cannot_be_renamed_and_unknown_ids_suggest_them(
        project: Project, letter: Article) -> None:
    newest, _ = listing_checked(project, letter)
    before = project.config_path.read_text()
    renamed = project.run("rename", newest, "statement")
    assert renamed.code == 2 and "its id is made from its URL" in renamed.err
    assert f"`monitor remove {newest}`" in renamed.err
    listing = project.run("rename", "press", "ministry")
    assert listing.code == 2 and "listing press has found 4 article(s)" in listing.err
    into = project.run("rename", "letter", "press.letter")
    assert into.code == 2 and "begins with 'press.'" in into.err
    assert project.config_path.read_text() == before
    assert (project.root / "snapshots" / "letter.md").exists()
    unknown = project.run("pause", newest[:-1])
    assert unknown.code == 2 and f"did you mean '{newest}'" in unknown.err


def test_pausing_a_listing_pauses_what_it_found(project: Project, letter: Article) -> None:
    newest, older = listing_checked(project, letter)
    paused = project.run("pause", "press")
    assert paused.code == 0 and "the articles press found are paused with it" in paused.out
    rows = [line for line in project.run("list").out.splitlines() if "press" in line]
    assert [line.split()[2] for line in rows[1:]] == ["paused", "paused"]
    assert found_state(project, newest) == found_state(project, older) == "watching"


def test_pause_of_a_found_article_waits_for_the_writer_lock(project: Project,
                                                            letter: Article) -> None:
    newest, _ = listing_checked(project, letter, lock_timeout="0s")
    holder = Store.of(project.config().settings)
    holder.acquire(5)
    try:
        before = project.config_path.read_text()
        result = project.run("pause", newest)
        assert result.code == 1 and "another monitor process" in result.err
        assert project.config_path.read_text() == before
        assert found_state(project, newest) == "watching"
    finally:
        holder.release()
    assert project.run("pause", newest).code == 0
