"""monitor/pipeline/session.py: what a pass does after its checks (archives, evidence)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import Project

from monitor.cli.demo_site import Article
from testing.archives import ArchiveServer, SavePageNow

ACCESS, SECRET = "IAaccess7f3a2c", "IAsecret91bq77xz"
ARTICLE = "/news/huawei-letter"


@pytest.fixture
def spn2() -> Iterator[ArchiveServer]:
    with ArchiveServer(SavePageNow(ACCESS, SECRET, pending_polls=0)) as server:
        yield server


def watch_with_wayback(project: Project, spn2: ArchiveServer,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IA_ACCESS", ACCESS)
    monkeypatch.setenv("IA_SECRET", SECRET)
    project.write({"letter": ARTICLE})
    with project.config_path.open("a", encoding="utf-8") as config:
        config.write("archives:\n  wayback:\n    access_key: ${IA_ACCESS}\n"
                     f"    secret: ${{IA_SECRET}}\n    base_url: {spn2.url}\n")


def test_a_committed_page_goes_to_the_web_archive_and_its_memento_is_shown(
        project: Project, spn2: ArchiveServer, letter: Article,
        monkeypatch: pytest.MonkeyPatch) -> None:
    project.site.put_article(ARTICLE, letter)
    watch_with_wayback(project, spn2, monkeypatch)
    assert project.run("check").code == 0  # the baseline: submitted after the pass's checks
    service = spn2.service
    assert isinstance(service, SavePageNow)
    assert [c["url"] for c in service.captures] == [f"{project.site.url}{ARTICLE}"]
    assert service.captures[0]["capture_all"] == "1"
    for _ in range(3):  # the capture takes a while: later passes poll for it
        if "archived:" in project.run("history", "letter").out:
            break
        project.run("check")
    history = project.run("history", "letter").out
    assert f"archived: {spn2.url}/web/" in history

    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    assert project.run("check").code == 0
    [post] = [p.json() for p in project.site.posts("/hooks/monitor")
              if p.json()["event"] == "changed"]
    assert post["archive_urls"][0]["service"] == "wayback"
    assert post["archive_urls"][0]["url"].startswith(f"{spn2.url}/web/")
    assert SECRET not in str(post)


def test_an_archive_that_is_down_warns_and_fails_nothing(
        project: Project, letter: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    project.site.put_article(ARTICLE, letter)
    with ArchiveServer(SavePageNow(ACCESS, SECRET)) as gone:
        url = gone.url
    monkeypatch.setenv("IA_ACCESS", ACCESS)
    monkeypatch.setenv("IA_SECRET", SECRET)
    project.write({"letter": ARTICLE})
    with project.config_path.open("a", encoding="utf-8") as config:
        config.write("archives:\n  wayback:\n    access_key: ${IA_ACCESS}\n"
                     f"    secret: ${{IA_SECRET}}\n    base_url: {url}\n")
    result = project.run("check")
    assert result.code == 0, result.err
    assert "1 baseline" in result.out
    assert "warning: web archive" in result.err, result.err
    assert SECRET not in result.err


def test_a_pass_that_commits_signs_a_checkpoint(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    assert project.run("check").code == 0
    assert [p.name for p in (project.root / "evidence" / "log").iterdir()] == ["00000001.json"]
    assert project.run("check").code == 0  # unchanged: no commit, no checkpoint
    assert len(list((project.root / "evidence" / "log").iterdir())) == 1
    assert len(list((project.root / "evidence" / "captures").glob("*/*.warc.gz"))) == 1
