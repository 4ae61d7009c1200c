"""``monitor import``: watch lists from a URL list, urlwatch and changedetection.io, read from
files as those tools write them, added through the real CLI."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from conftest import Project

from monitor.config.imports import ImportRefused, detect, read_watch_list
from monitor.core.ids import MAX_LISTING_ID

URLWATCH = """\
name: "Ministry statement on the camps"
url: "https://gov.example/statement?id=12"
filter:
  - css: "#content"
---
url: https://news.example/2024/05/report.html
max_tries: 3
---
name: "Disk space"
command: "df -h"
---
name: "Login page"
navigate: https://portal.example/login
---
name: "Search form"
url: https://search.example/query
method: POST
data: q=uyghur
"""

CHANGEDETECTION = {
    "note": "Hello! If you change this file manually, please be sure to restart.",
    "settings": {"application": {"fetch_backend": "html_requests"}},
    "watching": {
        "3b8f0a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b": {
            "url": "https://ngo.example/press/forced-labour", "title": "NGO press release",
            "tag": "xinjiang", "paused": False, "time_between_check": {"hours": 3}},
        "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a": {
            "url": "https://company.example/statement", "title": None, "paused": True},
        "00000000-0000-4000-8000-000000000000": {"title": "no url here"},
    },
}


def test_a_plain_list_is_imported_with_duplicates_skipped(project: Project,
                                                          tmp_path: Path) -> None:
    project.write({"known": "https://news.example/story"})
    listing = tmp_path / "urls.txt"
    listing.write_text("# pages for the report\n"
                       "https://news.example/story?utm_source=twitter\n"
                       "https://ngo.example/statement  NGO statement\n\n"
                       "https://ngo.example/statement#top\n"
                       "not a url\n"
                       "https://gov.example/press/1.html\n")
    result = project.run("import", str(listing))
    assert result.code == 0, result.err
    assert f"{listing}: plain, 5 entries" in result.out
    assert "added    ngo-statement  https://ngo.example/statement  (NGO statement)" in result.out
    assert "added    gov-1  https://gov.example/press/1.html" in result.out
    assert "skipped  https://news.example/story?utm_source=twitter: " \
           "https://news.example/story?utm_source=twitter is already watched as known" \
        in result.out
    assert "skipped  https://ngo.example/statement#top: " in result.out
    assert "skipped  not a url: not an http:// or https:// address" in result.out
    assert "added 2 source(s)" in result.out and "skipped 3" in result.out
    config = project.config()
    assert [s.id for s in config.sources] == ["known", "ngo-statement", "gov-1"]
    assert config.source("ngo-statement").name == "NGO statement"
    again = project.run("import", str(listing))
    assert again.code == 0 and "added 0 source(s)" in again.out
    assert len(project.config().sources) == 3


def test_urlwatch_jobs_keep_their_names_and_commands_are_skipped(project: Project,
                                                                  tmp_path: Path) -> None:
    project.write({})
    jobs = tmp_path / "urls.yaml"
    jobs.write_text(URLWATCH)
    result = project.run("import", str(jobs))
    assert result.code == 0, result.err
    assert "urlwatch, 5 entries" in result.out
    assert "skipped  Disk space: a command job" in result.out
    assert "skipped  Login page: a navigate job" in result.out
    assert "skipped  Search form: it sends a form" in result.out
    sources = project.config().sources
    assert [(s.url, s.name) for s in sources] == [
        ("https://gov.example/statement?id=12", "Ministry statement on the camps"),
        ("https://news.example/2024/05/report.html", None)]


def test_a_changedetection_backup_keeps_titles_and_paused_watches(project: Project,
                                                                   tmp_path: Path) -> None:
    project.write({})
    backup = tmp_path / "url-watches.json"
    backup.write_text(json.dumps(CHANGEDETECTION, indent=2))
    result = project.run("import", str(backup))
    assert result.code == 0, result.err
    assert "changedetection, 3 entries" in result.out
    assert "skipped  00000000-0000-4000-8000-000000000000: no url" in result.out
    config = project.config()
    first, second = config.sources
    assert first.name == "NGO press release" and first.enabled
    assert second.url == "https://company.example/statement" and not second.enabled
    assert "company-statement" in result.out and "paused" in result.out


def test_format_is_given_when_detection_would_guess_wrong(project: Project,
                                                          tmp_path: Path) -> None:
    project.write({})
    jobs = tmp_path / "jobs.txt"
    jobs.write_text("url: https://a.example/one\n")
    assert detect(jobs.read_text()) == "urlwatch"
    result = project.run("import", str(jobs), "--format", "plain")
    assert result.code == 0 and "skipped  url: https://a.example/one: not an http" in result.out


OPML = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- OPML generated by a feed reader -->
<opml version="2.0">
  <head><title>Xinjiang desk subscriptions</title><dateCreated>Mon, 02 Jun 2025 09:00:00 GMT\
</dateCreated></head>
  <body>
    <outline text="Government" title="Government">
      <outline type="rss" text="MFA press releases" title="MFA press releases"
               xmlUrl="https://www.mfa.example.gov/en/press/feed/"
               htmlUrl="https://www.mfa.example.gov/en/press/"/>
      <outline text="Regional">
        <outline type="rss" text="Regional government news"
                 xmlUrl="https://region.example.gov/news/rss.xml"/>
      </outline>
    </outline>
    <outline type="link" text="Coalition homepage" url="https://ngo.example/"/>
    <outline type="rss" title="Known already" xmlUrl="https://news.example/feed?utm_source=x"/>
    <outline type="rss" xmlUrl="https://blog.example/atom.xml"/>
  </body>
</opml>
"""


def test_opml_feeds_become_listings_named_by_their_titles(project: Project,
                                                          tmp_path: Path) -> None:
    project.write({"known": "https://news.example/feed"})
    feeds = tmp_path / "subscriptions.opml"
    feeds.write_text(OPML)
    result = project.run("import", str(feeds))
    assert result.code == 0, result.err
    assert "opml, 5 entries" in result.out  # the feeds and the link; folders are no entries
    assert "added    mfa-feed  https://www.mfa.example.gov/en/press/feed/  " \
           "(MFA press releases)  discover: feed" in result.out
    assert "skipped  Coalition homepage: no xmlUrl: a link, not a feed" in result.out
    assert "already watched as known" in result.out
    assert "added 3 source(s)" in result.out and "3 of them are listings" in result.out
    config = project.config()
    listings = [s for s in config.sources if s.discover]
    assert [(s.url, s.name) for s in listings] == [
        ("https://www.mfa.example.gov/en/press/feed/", "MFA press releases"),
        ("https://region.example.gov/news/rss.xml", "Regional government news"),
        ("https://blog.example/atom.xml", None)]
    assert all(s.discover and s.discover.kind == "feed" for s in listings)
    assert all(len(s.id) <= MAX_LISTING_ID for s in listings)
    assert "    discover: feed\n" in project.config_path.read_text()
    again = project.run("import", str(feeds))
    assert again.code == 0 and "added 0 source(s)" in again.out


def test_opml_is_read_without_entities_or_a_network(project: Project, tmp_path: Path) -> None:
    project.write({})
    before = project.config_path.read_text()
    hostile = tmp_path / "feeds.opml"
    hostile.write_text('<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY leak SYSTEM '
                       '"file:///etc/passwd">]>\n<opml version="2.0"><body>'
                       '<outline text="&leak;" xmlUrl="https://a.example/feed"/>'
                       "</body></opml>\n")
    result = project.run("import", str(hostile))
    assert result.code == 2 and "declares XML entities" in result.err
    broken = tmp_path / "broken.opml"
    broken.write_text('<?xml version="1.0"?>\n<opml version="2.0"><body>\n<outline '
                      'xmlUrl="https://a.example/feed">\n</body></opml>\n')
    result = project.run("import", str(broken))
    assert result.code == 2 and "not valid OPML (line" in result.err
    assert project.config_path.read_text() == before
    other = tmp_path / "feed.xml"
    other.write_text("<rss version=\"2.0\"/>")
    with pytest.raises(ImportRefused, match="not OPML"):
        read_watch_list(other, "opml")


def test_files_that_cannot_be_imported_say_what_to_give(project: Project,
                                                        tmp_path: Path) -> None:
    project.write({})
    archive = tmp_path / "changedetection-backup.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("url-watches.json", json.dumps(CHANGEDETECTION))
    zipped_result = project.run("import", str(archive))
    assert zipped_result.code == 2 and "unzip" in zipped_result.err
    missing = project.run("import", str(tmp_path / "nope.txt"))
    assert missing.code == 2 and "no such file" in missing.err
    broken = tmp_path / "broken.json"
    broken.write_text('{"watching": ')
    assert project.run("import", str(broken)).code == 2


def test_an_import_into_a_missing_sources_file_creates_it(tmp_path: Path, project: Project) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("https://a.example/one\nhttps://a.example/one\n")
    result = project.run("import", str(listing))
    assert result.code == 0, result.err
    assert [s.id for s in project.config().sources] == ["a-one"]
    assert "already watched as a-one" in result.out


def test_read_watch_list_refuses_hostile_yaml(tmp_path: Path) -> None:
    bomb = tmp_path / "urls.yaml"
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    lines += [f'{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},'
              f'*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]'
              for i in range(8)]
    bomb.write_text("url: https://a.example/\n" + "\n".join(lines) + "\n")
    with pytest.raises(ImportRefused):
        read_watch_list(bomb, "urlwatch")
