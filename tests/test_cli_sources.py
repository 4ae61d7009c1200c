"""``monitor list`` and ``add`` through the real CLI: statuses, names, current URLs,
a listing's found articles under it, duplicates by tracking parameters, and edits
that keep the file as it was written."""

from __future__ import annotations

from conftest import Project

from monitor.cli.demo_site import Article
from monitor.discover.ids import article_id
from testing import listings
from testing.site import Page


def two_versions(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    project.run("check")
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    project.run("check")


def rows_of(out: str) -> dict[str, str]:
    return {line.split()[0]: line for line in out.splitlines()[1:]
            if line and not line.startswith(" ")}


def test_list_shows_status_last_check_and_event(project: Project, letter: Article) -> None:
    project.write({"letter": "/letter"})
    before = project.run("list")
    assert before.code == 0 and "never" in before.out
    two_versions(project, letter)
    project.write({"letter": "/letter", "later": "/later"})
    rows = {line.split()[0]: line for line in project.run("list").out.splitlines()[1:] if line}
    assert " ok " in rows["letter"] and "changed 20" in rows["letter"]
    assert " new " in rows["later"] and "never" in rows["later"]


def test_list_shows_paused_sources_and_names(project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter", "other": "/other"})
    text = project.config_path.read_text().replace(
        "    url: " + project.site.url + "/letter\n",
        "    url: " + project.site.url + "/letter\n    name: Huawei letter\n"
        "    notes: |\n      Asked for comment 2 June.\n      Lawyer: J. Doe\n"
        "    tags: [uk, 5g]\n    interval: 1h\n")
    project.config_path.write_text(text.replace(
        "    url: " + project.site.url + "/other\n",
        "    url: " + project.site.url + "/other\n    enabled: false\n"))
    assert project.run("check").code == 0
    out = project.run("list").out
    header, *_ = out.splitlines()
    assert header.split()[:2] == ["ID", "NAME"]
    rows = rows_of(out)
    assert "Huawei letter" in rows["letter"] and " ok " in rows["letter"]
    assert " paused " in rows["other"]
    assert "Asked for comment" not in out  # notes only with --long
    long = project.run("list", "--long").out
    assert "    notes: Asked for comment 2 June." in long
    assert "           Lawyer: J. Doe" in long
    assert "    tags: uk, 5g" in long and "    schedule: every 1h" in long
    assert "    channels: every channel" in long
    assert f"    url: {project.site.url}/other" in long


def test_list_shows_where_a_redirect_that_keeps_the_article_took_it(
        project: Project, letter: Article) -> None:
    project.site.put_article("/letter/", letter)
    project.site.redirect("/letter", "/letter/")
    project.write({"letter": "/letter"})
    assert project.run("check").code == 0
    assert project.alerts() == []  # a slash added: neither a move nor a removal
    row = rows_of(project.run("list").out)["letter"]
    assert f"now at {project.site.url}/letter/" in row


def test_list_shows_where_a_moved_article_is_read_now(project: Project,
                                                      letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    assert project.run("check").code == 0
    project.site.put_article("/2020/letter-to-government", letter)
    project.site.redirect("/letter", "/2020/letter-to-government")
    assert project.run("check").code == 0
    row = rows_of(project.run("list").out)["letter"]
    assert f"moved to {project.site.url}/2020/letter-to-government" in row


def test_add_appends_a_source_and_keeps_comments(project: Project) -> None:
    project.write({"a": "/a"})
    text = project.config_path.read_text()
    project.config_path.write_text("# my watch list\n" + text)
    result = project.run("add", "https://www.bbc.co.uk/news/uk-53463003", "--every", "1h")
    assert result.code == 0, result.err
    assert "sources.yaml:" in result.out
    after = project.config_path.read_text()
    assert after.startswith("# my watch list\n")
    source = project.config().source("bbc-uk-53463003")
    assert source.schedule.every == 3600
    again = project.run("add", "https://www.bbc.co.uk/news/uk-53463003")
    assert again.code == 2 and "already watched as bbc-uk-53463003" in again.err
    taken = project.run("add", "https://www.bbc.co.uk/news/other", "--id", "bbc-uk-53463003")
    assert taken.code == 2 and "already exists" in taken.err


def test_add_knows_a_url_that_differs_only_in_tracking_parameters(project: Project) -> None:
    project.write({"article": "https://example.org/news/story?id=7"})
    before = project.config_path.read_text()
    for url in ("https://example.org/news/story?id=7&utm_source=newsletter&utm_medium=email",
                "https://EXAMPLE.org/news/story?fbclid=IwAR0abc&id=7#comments",
                "https://example.org:443/news/story?id=7&gclid=xyz"):
        result = project.run("add", url)
        assert result.code == 2, url
        assert "already watched as article" in result.err
    assert project.config_path.read_text() == before
    other = project.run("add", "https://example.org/news/story?id=8&utm_source=x")
    assert other.code == 0  # another page: its own parameters count


def test_add_keeps_quotes_and_never_folds_a_long_url(project: Project) -> None:
    project.write({})
    project.config_path.write_text(project.config_path.read_text().replace(
        "sources:", "sources:\n  - id: 'quoted'\n    url: \"https://example.org/a\"\n"
                    "    tags: ['x']  # keep me"))
    long = "https://example.org/" + "/".join(f"section-{i}" for i in range(40)) \
        + "?query=" + "a" * 200
    assert project.run("add", long, "--id", "long", "--name", "A long one").code == 0
    text = project.config_path.read_text()
    assert "  - id: 'quoted'\n    url: \"https://example.org/a\"\n" in text
    assert "tags: ['x']  # keep me" in text
    assert f"    url: {long}\n" in text
    assert "    name: A long one\n" in text
    assert project.config().source("long").url == long


def test_add_with_a_name_and_a_selector(project: Project) -> None:
    project.write({"a": "/a"})
    result = project.run("add", "https://example.org/story", "--name", "The story",
                         "--selector", "div.article-body")
    assert result.code == 0, result.err
    source = project.config().source("example-story")
    assert source.name == "The story" and source.selector == "div.article-body"
    bad = project.run("add", "https://example.org/other", "--selector", "div[[")
    assert bad.code == 2 and project.config().sources[-1].id == "example-story"


def test_add_a_listing(project: Project) -> None:
    project.write({"a": "/a"})
    result = project.run("add", "https://ngo.example/feed.xml", "--id", "ngo",
                         "--discover", "feed")
    assert result.code == 0, result.err
    assert "a listing (feed)" in result.out
    listing = project.config().source("ngo")
    assert listing.discover is not None and listing.discover.kind == "feed"
    refused = project.run("add", "https://ngo.example/sitemap.xml", "--discover", "sitemap",
                          "--preview")
    assert refused.code == 2 and "first check" in refused.err
    assert [s.id for s in project.config().sources] == ["a", "ngo"]


def test_add_refuses_a_bad_url_and_leaves_the_file_alone(project: Project) -> None:
    project.write({"a": "/a"})
    before = project.config_path.read_text()
    result = project.run("add", "ftp://example.org/file", "--id", "x")
    assert result.code == 2 and "http:// or https://" in result.err
    assert project.config_path.read_text() == before


def feed_project(project: Project, letter: Article, *, count: int = 4,
                 baseline_watch: int = 2) -> list[str]:
    """A listing (an RSS feed of ``count`` articles) and a page; one real check. Returns
    the ids of the articles it watches, newest first."""
    listed = listings.articles(count)
    for n, item in enumerate(listed):
        project.site.put_article(item.path, letter.edited("80,000", f"{n + 1},000"))
    project.site.put("/press/feed/", Page(body=listings.rss(listed, project.site.url),
                                          headers={"Content-Type": "application/rss+xml"}))
    project.site.put_article("/letter", letter)
    project.write({"press": "/press/feed/", "letter": "/letter"})
    project.config_path.write_text(project.config_path.read_text().replace(
        "/press/feed/\n", f"/press/feed/\n    discover: feed\n"
                          f"    baseline_watch: {baseline_watch}\n"))
    assert project.run("check").code == 0
    return [article_id("press", item.url(project.site.url))
            for item in listed[:baseline_watch]]


def test_list_shows_found_articles_under_their_listing(project: Project,
                                                       letter: Article) -> None:
    newest, older = feed_project(project, letter)
    out = project.run("list").out
    lines = out.splitlines()
    [listing] = [line for line in lines if line.startswith("press ")]
    assert listing.rstrip().endswith("listing (feed): 2 watched, 0 waiting, 2 known")
    position = lines.index(listing)
    first, last = lines[position + 1], lines[position + 2]
    assert first.startswith(f"  ├ {newest} ") and last.startswith(f"  └ {older} ")
    assert " ok " in first and "baseline" in first
    assert lines[position + 3].startswith("letter ")  # the configured sources go on
    status = lines[0].index("STATUS")  # one column for listings, articles and pages
    assert listing.index(" ok ") + 1 == first.index(" ok ") + 1 == status
    assert rows_of(out)["letter"].split()[1] == "ok"
    long = project.run("list", "--long").out
    assert "    discover: feed; max_new: 50; baseline_watch: 2\n" in long
    details = long[long.index(f"  └ {older}"):]
    assert "      listing: press\n" in details
    assert (f"      url: {project.site.url}/en/press/2026/11/24/"
            "statement-1-on-the-situation-in-xinjiang.html\n") in details
    assert "      title: Statement 1 on the situation in Xinjiang\n" in details


def test_list_shows_a_paused_found_article_as_paused(project: Project,
                                                     letter: Article) -> None:
    _, older = feed_project(project, letter)
    assert project.run("pause", older).code == 0
    out = project.run("list").out
    [row] = [line for line in out.splitlines() if line.startswith(f"  └ {older} ")]
    assert row.split()[2] == "paused"
    [listing] = [line for line in out.splitlines() if line.startswith("press ")]
    assert listing.rstrip().endswith("1 watched, 0 waiting, 2 known, 1 excluded")
    assert "excluded: `monitor resume" in project.run("list", "--long").out


def test_list_without_listings_has_no_tree(project: Project, letter: Article) -> None:
    two_versions(project, letter)
    out = project.run("list").out
    assert "├" not in out and "└" not in out and "listing" not in out
    assert [line.split()[0] for line in out.splitlines() if line] == ["ID", "letter"]
