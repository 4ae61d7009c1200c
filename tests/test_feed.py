"""RSS and Atom entries from the bytes we fetched (feedparser never fetches)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.discover import ListingError
from monitor.discover.feed import parse_feed
from testing.listings import SITE, articles, atom, rss
from testing.site import LocalSite, Page
from tests.test_client import fetch, make_settings

FEED_URL = SITE + "/en/press/feed/"


def test_a_wordpress_rss_feed_gives_each_item_canonical_titled_and_dated() -> None:
    listed = articles(10)
    items = parse_feed(rss(listed), FEED_URL, "application/rss+xml; charset=UTF-8")
    assert [i.url for i in items] == [a.url() for a in listed]  # utm_* gone, order kept
    assert items[0].title == "Statement 0 on the situation in Xinjiang"
    assert items[0].published == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert items[9].published == items[0].published - timedelta(days=9)
    assert all(i.modified is None for i in items)  # RSS has one date: pubDate


def test_an_atom_feed_resolves_relative_links_against_xml_base_and_reads_html_titles() -> None:
    listed = articles(3)
    items = parse_feed(atom(listed), SITE + "/en/press/atom.xml")
    assert [i.url for i in items] == [a.url() for a in listed]  # alternate, not replies
    assert items[1].title == "Statement 1 on the situation in Xinjiang"
    assert items[1].published == listed[1].published
    assert items[1].modified == listed[1].published + timedelta(hours=2)


def test_an_html_title_loses_its_tags_and_a_text_title_keeps_its_angle_brackets() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:f</id><title>F</title>
<updated>2026-11-25T10:00:00Z</updated>
<entry><id>urn:1</id><title type="html">UK &lt;em&gt;accuses&lt;/em&gt; China &amp;amp; more
</title><link href="https://example.org/a/1"/><updated>2026-11-25T10:00:00Z</updated></entry>
<entry><id>https://example.org/a/2</id><title type="text">1 &lt; 2</title>
<updated>2026-11-25T10:00:00Z</updated></entry>
</feed>"""
    items = parse_feed(body)
    assert [(i.url, i.title) for i in items] == [
        ("https://example.org/a/1", "UK accuses China & more"),
        ("https://example.org/a/2", "1 < 2"),  # an Atom id that is its permalink
    ]


def test_a_broken_feed_is_still_read_as_far_as_it_goes() -> None:
    body = rss(articles(2)).replace(b"</channel>", b"<item><title>Cut &copy")
    items = parse_feed(body, FEED_URL)
    assert [i.title for i in items][:2] == ["Statement 0 on the situation in Xinjiang",
                                            "Statement 1 on the situation in Xinjiang"]


def test_entries_without_a_usable_link_are_left_out() -> None:
    body = b"""<rss version="2.0"><channel><title>x</title>
<item><title>No link</title></item>
<item><title>Mail</title><link>mailto:press@example.org</link></item>
<item><title>Fine</title><link>https://example.org/news/fine-story</link></item>
</channel></rss>"""
    assert [i.title for i in parse_feed(body)] == ["Fine"]


@pytest.mark.parametrize(("body", "words"), [
    (b"<!DOCTYPE html><html><head><title>Press</title></head><body></body></html>",
     "HTML page, not an RSS or Atom feed"),
    (b"\x00\x01\x02 definitely not a feed", "not an RSS or Atom feed"),
    (b"", "not an RSS or Atom feed"),
    (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
     b'<rss version="2.0"><channel><title>&b;</title></channel></rss>',
     "declares XML entities"),
])
def test_what_is_no_feed_is_a_listing_error_in_words(body: bytes, words: str) -> None:
    with pytest.raises(ListingError, match=words):
        parse_feed(body, FEED_URL)


def test_a_body_that_names_a_url_or_a_file_is_never_fetched_or_opened(site: LocalSite) -> None:
    """feedparser fetches a URL or opens a file it is handed as a string: never here."""
    site.put("/feed", Page(body=rss(articles(1)), headers={"Content-Type": "text/xml"}))
    for body in [f"{site.url}/feed".encode(), b"/etc/hostname"]:
        with pytest.raises(ListingError):
            parse_feed(body)
    assert site.gets("/feed") == []


def test_a_feed_fetched_from_a_real_server_parses(site: LocalSite, tmp_path: Path) -> None:
    site.put("/en/press/feed/", Page(body=rss(articles(4), site=site.url),
                                     headers={"Content-Type": "application/rss+xml"}))
    result = fetch(make_settings(tmp_path), f"{site.url}/en/press/feed/")
    items = parse_feed(result.body, result.final_url, result.headers.get("content-type"))
    assert [i.url for i in items] == [a.url(site.url) for a in articles(4)]
