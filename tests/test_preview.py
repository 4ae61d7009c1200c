"""``monitor preview`` and ``add --preview`` against pages served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Project

from monitor.cli.demo_site import Article, Page
from monitor.cli.main import main
from testing.site import LocalSite


def preview(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["preview", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_preview_shows_what_a_check_would_store(site: LocalSite, letter: Article,
                                                tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    site.put_article("/letter", letter)
    code, out, err = preview(capsys, f"{site.url}/letter", "--config",
                             str(tmp_path / "none.yaml"))  # no config: the defaults
    assert code == 0 and err == ""
    assert f"Title:       {letter.title}" in out
    assert "Byline:      Lawyers" in out and "Date:        2020-06-10" in out
    words = sum(len(p.split()) for p in letter.paragraphs)
    assert f"Paragraphs:  {len(letter.paragraphs)}, {words} words" in out
    assert f"First:  {letter.paragraphs[0]}" in out
    assert "Last:   " + letter.paragraphs[-1][:100] in out
    assert "Read More" not in out and "Donate" not in out  # furniture is not the article
    assert not (tmp_path / "none.yaml").exists()


def test_preview_warns_when_the_text_is_very_short(site: LocalSite, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    short = Article("s", "Minister resigns", "Desk", "2024-05-01",
                    ("The minister resigned on Tuesday, officials said.",))
    site.put_article("/short", short)
    code, out, err = preview(capsys, f"{site.url}/short", "--config", str(tmp_path / "x.yaml"))
    assert code == 0 and "The minister resigned on Tuesday" in out
    assert "warning: only " in err and " words: is this the whole article?" in err
    assert "--selector" in err


def test_preview_warns_when_the_page_is_mostly_links(site: LocalSite, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    links = "\n".join(f'<p>Related: <a href="/story/{i}">Story number {i}: officials announce '
                      f"a new inquiry into the contracts of region {i}</a></p>" for i in range(30))
    body = (f"<html><head><title>News</title></head><body><article><h1>Latest news</h1>"
            "<p>Our latest reports on the inquiry, updated each day by the news desk.</p>"
            f"{links}</article></body></html>").encode()
    site.put("/news/", Page(body=body))
    code, out, err = preview(capsys, f"{site.url}/news/", "--config", str(tmp_path / "x.yaml"))
    assert code == 0 and "Paragraphs:  31," in out
    assert "% of the text is links: this looks like an index" in err


def test_preview_of_a_page_that_fails_says_why_and_exits_1(
        site: LocalSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site.put_status("/gone", 404)
    code, out, err = preview(capsys, f"{site.url}/gone", "--config", str(tmp_path / "x.yaml"))
    assert code == 1 and "the page answers HTTP 404" in err
    assert f"URL:         {site.url}/gone" in out


def test_preview_selector_that_matches_nothing(site: LocalSite, letter: Article,
                                               tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    site.put_article("/letter", letter)
    code, _, err = preview(capsys, f"{site.url}/letter", "--selector", "div.no-such-thing",
                           "--config", str(tmp_path / "x.yaml"))
    assert code == 1 and "nothing found at the selector 'div.no-such-thing'" in err
    code, out, _ = preview(capsys, f"{site.url}/letter", "--selector", "article",
                           "--config", str(tmp_path / "x.yaml"))
    assert code == 0 and "Last:   " + letter.paragraphs[-1][:100] in out


def test_preview_fetches_with_the_configs_settings(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"other": "/other"}, settings={"user_agent": "Newsroom-Reader/2.0"})
    result = project.run("preview", f"{project.site.url}/letter")
    assert result.code == 0, result.err
    [request] = project.site.gets("/letter")
    assert request.headers["User-Agent"] == "Newsroom-Reader/2.0"


def test_add_preview_shows_the_page_then_adds_it(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.site.put_status("/gone", 404)
    project.write({"other": "/other"})
    result = project.run("add", f"{project.site.url}/letter", "--id", "letter", "--preview")
    assert result.code == 0, result.err
    assert f"Title:       {letter.title}" in result.out
    assert "added letter to" in result.out
    assert project.config().source("letter").url == f"{project.site.url}/letter"
    failed = project.run("add", f"{project.site.url}/gone", "--id", "gone", "--preview")
    assert failed.code == 1 and "not added" in failed.err
    assert [s.id for s in project.config().sources] == ["other", "letter"]
    again = project.run("add", f"{project.site.url}/letter?utm_source=x", "--preview")
    assert again.code == 2 and "already watched as letter" in again.err
    assert len(project.site.gets("/letter")) == 1  # no fetch for a page already watched
