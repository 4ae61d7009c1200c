"""The web pages and the feed, through Starlette's test client, over a real project:
the local site serves the pages, checks commit to real git, state is real SQLite.
"""

from __future__ import annotations

import io
import re
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser

import pytest
from conftest import Project
from starlette.testclient import TestClient

from monitor.cli.demo_site import Article
from monitor.web.app import create_app

PREVIEW_PRIVATE = {"web": "{preview_private: true}"}
SECRET_PATH = "s3cretHookPath9d8f7e"
SECRET_HEADER = "Bearer hunter2-Passw0rd-xyz"
ATOM = "{http://www.w3.org/2005/Atom}"


def client_of(project: Project) -> TestClient:
    return TestClient(create_app(project.config()))


def token_of(project: Project, name: str = "t", *flags: str) -> str:
    result = project.run("token", "create", name, *flags)
    assert result.code == 0, result.err
    return result.out.splitlines()[0].strip()


def logged_in(project: Project, *flags: str) -> TestClient:
    """A client logged in with a new token (``--read-only`` among ``flags``: one that may
    only look)."""
    client = client_of(project)
    answer = client.post("/login", data={"user": "", "password": token_of(project, "t",
                                                                             *flags)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def checked_twice(project: Project, letter: Article, **settings: object) -> None:
    """``letter`` checked, then edited ("80,000" → "8,000") and checked again."""
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, settings=settings or None)
    assert project.run("check").code == 0
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    assert project.run("check").code == 0


def revisions(project: Project, source_id: str) -> list[str]:
    out = project.run("history", source_id).out
    return [line.split()[0] for line in out.splitlines() if re.match(r"[0-9a-f]{10} ", line)]


def full_revision(client: TestClient, source_id: str) -> str:
    html = client.get(f"/sources/{source_id}").text
    found = re.search(rf'href="/sources/{source_id}/diff/([0-9a-f]{{40}})"', html)
    assert found, html
    return found.group(1)


# --- access ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/sources/letter", "/sources/letter/diff/abc",
                                  "/alerts", "/preview?url=https://example.org/"])
def test_every_page_asks_for_a_login_and_comes_back_after_it(project: Project,
                                                              path: str) -> None:
    project.write({"letter": "/letter"})
    answer = client_of(project).get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=%2F")


@pytest.mark.parametrize("path", ["/sources/letter/pause", "/sources/letter/resume",
                                  "/sources/letter/remove", "/alerts/retry", "/sources"])
def test_a_post_without_login_changes_nothing(project: Project, path: str) -> None:
    before = project.write({"letter": "/letter"}).read_text()
    answer = client_of(project).post(path, data={"confirm": "yes", "url": "https://x.org/"},
                                     follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert project.config_path.read_text() == before


@pytest.mark.parametrize("path, data", [
    ("/sources/letter/pause", {}), ("/sources/letter/resume", {}),
    ("/sources/letter/remove", {"confirm": "yes"}), ("/alerts/retry", {"alert": "all"}),
    ("/sources", {"url": "https://example.org/news/1"})])
def test_every_post_without_the_csrf_token_is_refused(project: Project, path: str,
                                                      data: dict[str, str]) -> None:
    before = project.write({"letter": "/letter"}).read_text()
    client = logged_in(project)
    for sent in (data, {**data, "csrf": "not-the-token"}):
        answer = client.post(path, data=sent, follow_redirects=False)
        assert answer.status_code == 403, answer.text
        assert "CSRF" in answer.text
    assert project.config_path.read_text() == before


def test_a_read_only_login_may_look_but_not_change(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    before = project.write({"letter": "/letter"}).read_text()
    client = logged_in(project, "--read-only")
    page = client.get("/sources/letter").text
    assert "/pause" not in page and "Remove" not in page  # no forms to offer
    answer = client.post("/sources/letter/pause", data={"csrf": csrf_of(page)},
                         follow_redirects=False)
    assert answer.status_code == 403 and "read-only" in answer.text
    assert project.config_path.read_text() == before


# --- the sources page ------------------------------------------------------------


def write_many(project: Project, count: int) -> None:
    lines = ["settings:", "  workers: 1", "sources:"]
    for i in range(count):
        lines += [f"  - id: s{i:03}", f"    url: {project.site.url}/a/{i}"]
        if i % 5 == 0:
            lines.append("    tags: [news]")
        if i % 50 == 7:
            lines.append("    enabled: false")
    project.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def ids_on(html: str) -> list[str]:
    return re.findall(r'<a class="id" href="/sources/([^"]+)">', html)


def test_the_sources_page_lists_filters_and_paginates(project: Project) -> None:
    write_many(project, 250)  # never checked: every row is "new" or "paused"
    client = logged_in(project)
    first = client.get("/").text
    assert ids_on(first) == [f"s{i:03}" for i in range(100)]
    assert "Sources 1–100 of 250, page 1 of 3." in first
    assert 'href="/?page=2"' in first and 'rel="prev"' not in first
    second = client.get("/?page=2").text
    assert ids_on(second) == [f"s{i:03}" for i in range(100, 200)]
    assert 'href="/?page=3"' in second and 'href="/?page=1"' not in second  # page 1 is "/"
    third = client.get("/?page=3").text
    assert ids_on(third) == [f"s{i:03}" for i in range(200, 250)]
    assert "Sources 201–250 of 250, page 3 of 3." in third and 'rel="next"' not in third
    assert ids_on(client.get("/?page=99").text) == ids_on(third)  # past the end: the last
    searched = client.get("/?q=S24").text  # any case
    assert ids_on(searched) == [f"s{i}" for i in range(240, 250)]
    assert "Sources 1–10 of 10 matching" in searched and "(of 250)" in searched
    tagged = client.get("/?tag=news").text
    assert ids_on(tagged) == [f"s{i:03}" for i in range(0, 250, 5)]
    assert "Sources 1–50 of 50 matching" in tagged and 'rel="next"' not in tagged
    assert ids_on(client.get("/?tag=news&page=2").text) == ids_on(tagged)  # one page
    paused = client.get("/?status=paused").text
    assert ids_on(paused) == ["s007", "s057", "s107", "s157", "s207"]
    assert ids_on(client.get("/?q=nothing-like-it").text) == []


def test_a_source_links_its_timeline_and_shows_status_change_and_tags(
        project: Project, letter: Article) -> None:
    checked_twice(project, letter)
    client = logged_in(project)
    listed = client.get("/").text
    assert ids_on(listed) == ["letter"]
    assert f'<div class="title" dir="auto">{letter.title}</div>' in listed
    assert "status-ok" in listed and "changed" in listed


# --- a source's timeline and its diffs ---------------------------------------------


def test_a_sources_timeline_after_an_edit(project: Project, letter: Article) -> None:
    checked_twice(project, letter)
    client = logged_in(project)
    page = client.get("/sources/letter").text
    short = revisions(project, "letter")
    assert len(short) == 2
    rows = page.split("<tbody>")[1]
    assert rows.index("changed: 80,000 → 8,000") < rows.index("baseline")  # newest first
    assert f'<code class="rev">{short[0]}</code>' in rows
    assert f"{project.site.url}/letter" in page and "every 6h" in page
    revision = full_revision(client, "letter")
    assert revision.startswith(short[0])
    assert rows.count("/diff/") == 1  # the baseline has nothing before it


def test_the_diff_page_strikes_removed_words_and_marks_added_ones(project: Project,
                                                                  letter: Article) -> None:
    checked_twice(project, letter)
    client = logged_in(project)
    revision = full_revision(client, "letter")
    inline = client.get(f"/sources/letter/diff/{revision}").text
    assert "<del>80,000</del><ins>8,000</ins>" in inline
    assert "<h3>Paragraph 5</h3>" in inline
    assert "baseline" in inline and "changed" in inline  # both versions named
    side = client.get(f"/sources/letter/diff/{revision}?view=side").text
    old, new = side.split('<div class="new">')
    assert "<del>80,000</del>" in old and "<ins>" not in old.split('<div class="old">')[1]
    assert "<ins>8,000</ins>" in new and "<del>" not in new.split("</section>")[0]
    # the latest change, and the same change asked as "from the baseline to it"
    assert "<del>80,000</del>" in client.get("/sources/letter/diff").text
    baseline = revisions(project, "letter")[1]
    between = client.get(f"/sources/letter/diff/{baseline}?to={revision}").text
    assert "<del>80,000</del><ins>8,000</ins>" in between
    compared = client.get(f"/sources/letter/diff?from={baseline}&to={revision}").text
    assert "<del>80,000</del><ins>8,000</ins>" in compared  # the timeline's compare form


def test_a_revision_that_is_not_the_sources_is_a_404_that_says_why(
        project: Project, letter: Article, report: Article) -> None:
    project.site.put_article("/letter", letter)
    project.site.put_article("/report", report)
    project.write({"letter": "/letter", "report": "/report"})
    assert project.run("check").code == 0
    client = logged_in(project)
    answer = client.get("/sources/letter/diff/0123456789abcdef")
    assert answer.status_code == 404 and 'class="problem"' in answer.text
    assert "0123456789abcdef" in answer.text
    other = revisions(project, "report")[0]
    answer = client.get(f"/sources/letter/diff/{other}")
    assert answer.status_code == 404
    assert client.get("/sources/no-such-source").status_code == 404
    assert client.get("/sources/letter/diff").status_code == 404  # one version: no change


# --- pause, resume, remove ---------------------------------------------------------


def test_pause_resume_and_remove_edit_sources_yaml_keeping_its_comments(
        project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    path = project.write({"letter": "/letter", "other": "/other"})
    path.write_text("# our watch list\n" + path.read_text().replace(
        "  - id: letter\n", "  - id: letter  # the law firm's letter\n"))
    assert project.run("check").code in (0, 1)  # /other is a 404
    client = logged_in(project)
    csrf = csrf_of(client.get("/sources/letter").text)
    answer = client.post("/sources/letter/pause", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sources/letter"
    text = path.read_text()
    assert "enabled: false" in text and "# our watch list" in text
    assert "# the law firm's letter" in text
    page = client.get("/sources/letter").text
    assert "paused letter" in page and "status-paused" in page and "Resume" in page
    client.post("/sources/letter/resume", data={"csrf": csrf})
    assert "enabled" not in path.read_text()
    # remove asks for its box to be ticked
    client.post("/sources/letter/remove", data={"csrf": csrf})
    assert "id: letter" in path.read_text()
    answer = client.post("/sources/letter/remove", data={"csrf": csrf, "confirm": "yes"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    listed = client.get("/").text
    assert "removed letter" in listed and "stay in the snapshot history" in listed
    text = path.read_text()
    assert "id: letter" not in text and "id: other" in text and "# our watch list" in text
    # its history stays readable
    kept = client.get("/sources/letter").text
    assert "no longer in sources.yaml" in kept and "baseline" in kept


# --- preview and add ---------------------------------------------------------------


def test_preview_then_add_a_source(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    path = project.write({"other": "/other"}, settings=PREVIEW_PRIVATE)
    path.write_text("# kept\n" + path.read_text())
    client = logged_in(project)
    url = f"{project.site.url}/letter"
    page = client.get("/preview", params={"url": url})
    assert page.status_code == 200, page.text
    assert f'<dd dir="auto">{letter.title}</dd>' in page.text
    assert f'<p class="paragraph" dir="auto">{letter.paragraphs[0]}</p>' in page.text
    assert "Lawyers" in page.text and "2020-06-10" in page.text
    assert f"{len(letter.paragraphs)}, " in page.text
    answer = client.post("/sources", data={"csrf": csrf_of(page.text), "url": url,
                                           "id": "huawei", "interval": "1h",
                                           "tags": "law, uk", "selector": ""},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sources/huawei"
    text = path.read_text()
    assert "id: huawei" in text and "interval: 1h" in text and "# kept" in text
    assert "law" in text and "uk" in text
    added = client.get("/sources/huawei").text
    assert "added huawei" in added and "every 1h" in added and ">law</a>" in added
    assert "Already watched as" in client.get("/preview", params={"url": url}).text
    # the same URL again: not added, and said why
    again = client.post("/sources", data={"csrf": csrf_of(added), "url": url})
    assert "not added" in again.text and "already watched" in again.text
    assert path.read_text().count("id: huawei") == 1


def test_preview_refuses_this_machines_own_addresses_unless_allowed(
        project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"other": "/other"})
    client = logged_in(project)
    page = client.get("/preview", params={"url": f"{project.site.url}/letter"})
    assert page.status_code == 422
    assert "private, loopback or link-local" in page.text
    assert "preview_private: true" in page.text
    assert letter.title not in page.text and 'action="/sources"' not in page.text
    assert project.site.gets("/letter") == []  # refused before any request
    bad = client.get("/preview", params={"url": "ftp://example.org/x"})
    assert bad.status_code == 400 and "http" in bad.text


# --- alerts and dead letters -------------------------------------------------------


def secret_channel(project: Project) -> str:
    return (f"hook:\n  type: webhook\n  url: {project.site.url}/hooks/{SECRET_PATH}\n"
            f"  headers: {{Authorization: \"{SECRET_HEADER}\"}}\n"
            "  secret: hmac-Secret-Value-42\n")


def test_a_dead_letter_is_shown_with_its_error_and_retried(project: Project,
                                                           letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, channels=secret_channel(project))
    assert project.run("check").code == 0
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    project.site.hook_statuses = [410]  # a deleted webhook: dead at once
    project.run("check")
    client = logged_in(project)
    page = client.get("/alerts").text
    assert "<strong>dead</strong> after 1 attempt(s)" in page and "HTTP 410" in page
    assert ">Retry</button>" in page
    answer = client.post("/alerts/retry", follow_redirects=False, data={
        "csrf": csrf_of(page), "alert": re.search(r'name="alert" value="(\w{20,})"',
                                                  page).group(1), "channel": "hook"})
    assert answer.status_code == 303 and answer.headers["location"] == "/alerts"
    after = client.get("/alerts").text
    assert "re-queued 1 dead delivery" in after
    assert "pending, 1 attempt(s), re-queued" in after and ">Retry</button>" not in after
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    assert db.execute("SELECT status FROM deliveries").fetchall() == [("pending",)]
    db.close()
    assert "alerts delivered 1" in project.run("check").out  # the next pass sends it


def test_no_page_shows_a_channel_secret(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"}, channels=secret_channel(project),
                  settings=PREVIEW_PRIVATE)
    assert project.run("check").code == 0
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    project.site.hook_statuses = [500]
    project.run("check")
    client = logged_in(project)
    revision = full_revision(client, "letter")
    token = token_of(project, "feed", "--read-only")
    pages = [client.get(path).text for path in (
        "/", "/sources/letter", f"/sources/letter/diff/{revision}", "/alerts",
        f"/preview?url={project.site.url}/letter", f"/feed.atom?token={token}")]
    assert "pending, 1 attempt(s), last error: " in pages[3] and "HTTP 500" in pages[3]
    for html in pages:
        for secret in (SECRET_PATH, "hunter2", "hmac-Secret-Value-42"):
            assert secret not in html


# --- right to left -----------------------------------------------------------------


class DirectionOf(HTMLParser):
    """Whether each piece of ``text`` on a page sits inside an element with dir="auto"."""

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr"})

    def __init__(self, text: str):
        super().__init__()
        self.text = text
        self.stack: list[tuple[str, str | None]] = []
        self.found: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("dir")))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.text in data:
            self.found.append(any(d == "auto" for _, d in self.stack))


def directions(html: str, text: str) -> list[bool]:
    parser = DirectionOf(text)
    parser.feed(html)
    return parser.found


def test_an_arabic_title_sits_in_elements_with_dir_auto(project: Project) -> None:
    title = "الحكومة تراجع عقود شبكة الجيل الخامس"
    paragraphs = tuple(f"الفقرة {i}: " + "قالت الحكومة إنها ستراجع العقود مع الشركة. " * 12
                       for i in range(1, 5))
    article = Article("ar", title, "مكتب الأخبار", "2024-05-01", paragraphs)
    project.site.put_article("/ar", article)
    project.write({"ar": "/ar"}, settings=PREVIEW_PRIVATE)
    assert project.run("check").code == 0
    project.site.put_article("/ar", article.edited("الفقرة 2", "الفقرة الثانية"))
    assert project.run("check").code == 0
    client = logged_in(project)
    for path in ("/", "/sources/ar", "/sources/ar/diff", "/alerts",
                 f"/preview?url={project.site.url}/ar"):
        html = client.get(path).text
        found = directions(html, title)
        assert found and all(found), path
    diff = client.get("/sources/ar/diff?view=side").text
    found = directions(diff, "الثانية")
    assert found and all(found)


# --- the feed ----------------------------------------------------------------------


def entries(xml: str) -> list[ET.Element]:
    return ET.fromstring(xml).findall(f"{ATOM}entry")


def test_the_feed_takes_a_read_only_token_and_lists_the_changes(project: Project,
                                                                letter: Article) -> None:
    checked_twice(project, letter)
    client = client_of(project)
    assert client.get("/feed.atom").status_code == 401
    assert client.get("/feed.atom?token=wrong").status_code == 401
    token = token_of(project, "reader", "--read-only")
    answer = client.get(f"/feed.atom?token={token}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    [entry] = entries(answer.text)
    assert entry.findtext(f"{ATOM}title") == f"changed: {letter.title}"
    link = entry.find(f"{ATOM}link")
    assert link is not None
    revision = revisions(project, "letter")[0]
    assert re.fullmatch(rf"http://testserver/sources/letter/diff/{revision}[0-9a-f]{{30}}",
                        link.get("href", ""))
    content = entry.findtext(f"{ATOM}content") or ""
    assert "<del>80,000</del>" in content and "<ins>8,000</ins>" in content
    assert entry.findtext(f"{ATOM}updated", "").endswith("Z")
    assert entries(client.get(f"/feed.atom?token={token}&source=other").text) == []
    assert entries(client.get(f"/feed.atom?token={token}&tag=none").text) == []
    assert len(entries(logged_in(project).get("/feed.atom").text)) == 1  # a session will do


def test_the_feed_links_the_base_url_and_filters_by_tag(project: Project,
                                                        letter: Article) -> None:
    project.site.put_article("/letter", letter)
    path = project.write({"letter": "/letter", "plain": "/plain"}, settings={
        "web": "{base_url: 'https://monitor.example.org/'}"})
    path.write_text(path.read_text().replace("  - id: letter\n",
                                             "  - id: letter\n    tags: [law]\n"))
    project.site.put_article("/plain", letter)
    assert project.run("check").code == 0
    for page in ("/letter", "/plain"):
        project.site.put_article(page, letter.edited("80,000", "8,000"))
    assert project.run("check").code == 0
    token = token_of(project)
    client = client_of(project)
    assert len(entries(client.get(f"/feed.atom?token={token}").text)) == 2
    [tagged] = entries(client.get(f"/feed.atom?token={token}&tag=law").text)
    link = tagged.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href", "").startswith("https://monitor.example.org/sources/letter/diff/")
    [plain] = entries(client.get(f"/feed.atom?token={token}&source=plain").text)
    link = plain.find(f"{ATOM}link")
    assert link is not None and "/sources/plain/diff/" in link.get("href", "")


def test_the_diff_page_offers_the_versions_evidence_packet(project: Project,
                                                          letter: Article) -> None:
    checked_twice(project, letter)
    client = logged_in(project)
    page = client.get(f"/sources/letter/diff/{full_revision(client, 'letter')}").text
    [link] = re.findall(r'href="(/sources/letter/export/[0-9a-f]{40})"', page)
    answer = client.get(link)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].endswith('.wacz"')
    with zipfile.ZipFile(io.BytesIO(answer.content)) as packed:
        assert "datapackage.json" in packed.namelist()
    assert client.get("/sources/letter/export/" + "0" * 40).status_code == 404
    assert client_of(project).get(link, follow_redirects=False).status_code == 303
