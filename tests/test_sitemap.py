"""Sitemaps: urlsets, indexes, gzip, Google News and the plain-text form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.discover import ListingError
from monitor.discover.sitemap import ChildSitemap, parse_sitemap, parse_w3c_datetime
from testing.listings import BASE_TIME, SITE, articles, gzipped, rss, sitemap, sitemap_index
from testing.site import LocalSite, Page
from tests.test_client import fetch, make_settings
from tests.test_hardened import BILLION_LAUGHS, gzip_bomb


def test_a_yoast_sitemap_gives_every_url_with_its_lastmod() -> None:
    listed = articles(12)
    found = parse_sitemap(sitemap(listed), SITE + "/post-sitemap.xml")
    assert not found.index and not found.news and found.window_days is None
    assert [i.url for i in found.items] == [a.url() for a in listed]
    assert found.items[3].modified == BASE_TIME - timedelta(days=3)
    assert found.items[3].title is None and found.items[3].published is None


def test_a_gzipped_sitemap_reads_as_the_same_sitemap() -> None:
    body = sitemap(articles(5))
    assert parse_sitemap(gzipped(body)) == parse_sitemap(body)


def test_a_sitemap_index_returns_its_children_to_fetch() -> None:
    found = parse_sitemap(sitemap_index(["/post-sitemap.xml", "/post-sitemap2.xml.gz"]))
    assert found.index and found.items == ()
    assert found.children == (
        ChildSitemap(SITE + "/post-sitemap.xml", BASE_TIME),
        ChildSitemap(SITE + "/post-sitemap2.xml.gz", BASE_TIME - timedelta(days=1)))


def test_a_google_news_sitemap_gives_titles_publication_dates_and_a_two_day_window() -> None:
    listed = articles(3)
    found = parse_sitemap(sitemap(listed, news=True))
    assert found.news and found.window_days == 2
    assert [(i.url, i.title, i.published) for i in found.items] == [
        (a.url(), a.title, a.published) for a in listed]


def test_relative_and_tracked_locs_are_canonical_and_odd_entries_skipped() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.google.com/schemas/sitemap/0.84">
  <url><loc> /news/a-story.html?utm_source=sitemap </loc></url>
  <url><loc>javascript:alert(1)</loc></url>
  <url><lastmod>2026-11-25</lastmod></url>
  <url><loc>https://example.org/news/b-story.html#part-2</loc><lastmod>2026-11-25</lastmod></url>
</urlset>"""
    found = parse_sitemap(body, "https://example.org/sitemap.xml")
    assert [(i.url, i.modified) for i in found.items] == [
        ("https://example.org/news/a-story.html", None),
        ("https://example.org/news/b-story.html", datetime(2026, 11, 25, tzinfo=UTC))]


def test_the_plain_text_form_is_one_url_a_line() -> None:
    body = b"https://example.org/a-story\n\nhttps://example.org/b-story?fbclid=1\n"
    assert [i.url for i in parse_sitemap(body).items] == [
        "https://example.org/a-story", "https://example.org/b-story"]


def test_w3c_datetimes_are_utc() -> None:
    assert parse_w3c_datetime("2026-11-25") == datetime(2026, 11, 25, tzinfo=UTC)
    assert parse_w3c_datetime("2026-11-25T10:00:00+01:00") == \
        datetime(2026, 11, 25, 9, tzinfo=UTC)
    assert parse_w3c_datetime("2026-11-25T10:00Z") == datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert parse_w3c_datetime("2026-11-25T10:00:00") == datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert parse_w3c_datetime("yesterday") is None and parse_w3c_datetime(None) is None


@pytest.mark.parametrize(("body", "words"), [
    (BILLION_LAUGHS, "declares XML entities"),
    (gzip_bomb(256 << 20), "inflates past 50 MiB"),
    (b"<html><body>Not found</body></html>", "HTML page"),
    (b"Sorry, the sitemap is being rebuilt.", "not XML"),
    (rss(articles(1)), "for RSS or Atom use discover: feed"),
])
def test_hostile_or_wrong_bodies_are_listing_errors_in_words(body: bytes, words: str) -> None:
    with pytest.raises(ListingError, match=words):
        parse_sitemap(body)


def test_a_gzipped_sitemap_fetched_from_a_real_server_parses(site: LocalSite,
                                                             tmp_path: Path) -> None:
    """A .gz file is served as it is (no Content-Encoding): the parser inflates it."""
    listed = articles(6)
    site.put("/sitemap-news.xml.gz", Page(body=gzipped(sitemap(listed, site.url, news=True)),
                                          headers={"Content-Type": "application/x-gzip"}))
    result = fetch(make_settings(tmp_path), f"{site.url}/sitemap-news.xml.gz")
    found = parse_sitemap(result.body, result.final_url)
    assert found.news and [i.url for i in found.items] == [a.url(site.url) for a in listed]
