"""A source's own User-Agent and headers, from sources.yaml to the wire, end to end.

The local site records each request's headers; `monitor check` runs for real,
in one process and with fetch processes. A header value that came from
${NAME} is kept as ${NAME} wherever monitor keeps or shows it.
"""

from __future__ import annotations

import gzip
import sqlite3
import subprocess

import pytest
from conftest import Project

from monitor.cli.demo_site import Article
from monitor.core.model import DEFAULT_USER_AGENT
from testing.site import Page

TOKEN, TOKEN_VALUE = "MONITOR_TEST_PAGE_TOKEN", "tok-7f3a9c41e2"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN, TOKEN_VALUE)


def header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


@pytest.mark.parametrize("processes", [1, 2])
def test_check_sends_the_sources_user_agent_and_headers(project: Project, letter: Article,
                                                        processes: int) -> None:
    project.site.put_article("/a", letter)
    project.site.put_article("/b", letter)
    project.write({"a": "/a"}, settings={"fetch_processes": processes},
                  extra_source_lines=f"user_agent: {BROWSER}\nheaders:\n"
                                     f"  Accept-Language: de-DE\n  X-Token: ${{{TOKEN}}}\n")
    with project.config_path.open("a") as config:
        config.write(f"  - id: b\n    url: {project.site.url}/b\n")
    result = project.run("check")
    assert result.code == 0, result.err
    [a] = project.site.gets("/a")
    assert header(a.headers, "User-Agent") == BROWSER
    assert header(a.headers, "Accept-Language") == "de-DE"
    assert header(a.headers, "X-Token") == TOKEN_VALUE
    [b] = project.site.gets("/b")  # the other source: the defaults, nothing of a's
    assert header(b.headers, "User-Agent") == DEFAULT_USER_AGENT
    assert header(b.headers, "X-Token") is None and header(b.headers, "Accept-Language") is None


def test_settings_user_agent_replaces_the_default_for_every_source(project: Project,
                                                                   letter: Article) -> None:
    project.site.put_article("/a", letter)
    project.write({"a": "/a"}, settings={"user_agent": "'Reader/1.0'"})
    assert project.run("check").code == 0
    [a] = project.site.gets("/a")
    assert header(a.headers, "User-Agent") == "Reader/1.0"
    assert "github" not in header(a.headers, "User-Agent").lower()


def test_robots_txt_is_read_for_the_sources_own_user_agent(project: Project,
                                                           letter: Article) -> None:
    site = project.site
    site.put_article("/a", letter)
    site.put_article("/b", letter)
    site.put("/robots.txt", Page(body=b"User-agent: monitor\nDisallow: /\n\n"
                                      b"User-agent: *\nAllow: /\n",
                                 headers={"Content-Type": "text/plain"}))
    project.write({"a": "/a"}, settings={"respect_robots": "true"})
    with project.config_path.open("a") as config:
        config.write(f"  - id: b\n    url: {site.url}/b\n    user_agent: {BROWSER}\n")
    result = project.run("check")
    assert result.code == 1  # a is disallowed for monitor's own agent
    assert "robots.txt" in next(line for line in result.out.splitlines() if " a " in line)
    assert "baseline" in next(line for line in result.out.splitlines() if " b " in line)
    assert site.gets("/a") == [] and len(site.gets("/b")) == 1
    agents = sorted(header(r.headers, "User-Agent") or "" for r in site.gets("/robots.txt"))
    assert agents == sorted([DEFAULT_USER_AGENT, BROWSER])


def test_a_header_secret_is_kept_nowhere_but_in_the_request(project: Project,
                                                            letter: Article) -> None:
    site = project.site
    site.put_article("/a", letter)
    project.write({"a": "/a"}, extra_source_lines=f"headers:\n  X-Token: ${{{TOKEN}}}\n"
                                                  f"  Cookie: session=${{{TOKEN}}}\n")
    first = project.run("check")
    site.put_article("/a", letter.edited(letter.paragraphs[0], "A new first paragraph."))
    second = project.run("check")
    site.put_status("/a", 404)
    third, fourth = project.run("check"), project.run("check")
    assert [r.code for r in (first, second, third, fourth)] == [0, 0, 0, 0]
    assert all(header(r.headers, "X-Token") == TOKEN_VALUE for r in site.gets("/a"))

    captures = sorted((project.root / "evidence" / "captures").rglob("*.warc.gz"))
    assert len(captures) >= 2
    for capture in captures:
        data = gzip.decompress(capture.read_bytes())
        assert TOKEN_VALUE.encode() not in data
        assert f"X-Token: ${{{TOKEN}}}".encode() in data
    kept = [r.out + r.err for r in (first, second, third, fourth)]
    kept += [p.read_text() for p in project.alerts()]
    kept += [p.read_text(errors="replace") for p in (project.root / "snapshots").glob("*.md")]
    kept.append(subprocess.run(["git", "-C", str(project.root / "snapshots"), "log", "-p"],
                               capture_output=True, text=True, check=True).stdout)
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    kept += [str(row) for table in ("sources", "alerts", "deliveries")
             for row in db.execute(f"SELECT * FROM {table}")]
    db.close()
    kept += [post.body.decode() for post in site.posts()]
    assert all(TOKEN_VALUE not in text for text in kept)
    assert any("removed" in text for text in kept)


def test_a_user_agent_from_the_environment_is_sent_and_an_unset_one_holds_the_source(
        project: Project, letter: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    project.site.put_article("/a", letter)
    project.write({"a": "/a"}, extra_source_lines="user_agent: ${MONITOR_TEST_AGENT}\n")
    monkeypatch.delenv("MONITOR_TEST_AGENT", raising=False)
    held = project.run("check")
    assert held.code == 1 and project.site.gets("/a") == []
    assert "environment variable MONITOR_TEST_AGENT is not set" in held.out
    monkeypatch.setenv("MONITOR_TEST_AGENT", BROWSER)
    assert project.run("check").code == 0
    [a] = project.site.gets("/a")
    assert header(a.headers, "User-Agent") == BROWSER
