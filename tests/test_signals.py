"""noindex (meta or header) and rel=canonical, and their events once each way."""

from __future__ import annotations

import pytest
from lxml.html import fromstring

from monitor.discover.signals import (
    PageSignals,
    SignalEvent,
    header_noindex,
    points_elsewhere,
    read_signals,
    signal_events,
)

URL = "https://www.example.org/news/2026/11/25/uk-accuses-china.html"


def page(head: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><title>UK accuses China</title>{head}</head>"
            "<body><article><p>The UK accused China…</p></article></body></html>").encode()


@pytest.mark.parametrize(("head", "source"), [
    ('<meta name="robots" content="noindex, follow">', "meta"),
    ('<meta name="ROBOTS" content="NOINDEX">', "meta"),
    ('<meta name="robots" content="none">', "meta"),
    ('<meta name="googlebot" content="noindex">', "meta"),
    ('<meta name="robots" content="index, follow">', None),
    ('<meta name="otherbot" content="noindex">', None),
    ('<meta name="description" content="noindex">', None),
    ("", None),
])
def test_meta_robots(head: str, source: str | None) -> None:
    assert read_signals(page(head), URL).noindex == source


@pytest.mark.parametrize(("value", "noindex"), [
    ("noindex", True),
    ("noindex, nofollow", True),
    ("none", True),
    ("googlebot: noindex", True),
    ("unavailable_after: 25 Jun 2010 15:00:00 PST, noindex", True),
    ("googlebot: nofollow, otherbot: noindex, nofollow", False),
    ("max-snippet: 20, noarchive", False),
    ("all", False),
    ("", False),
])
def test_x_robots_tag(value: str, noindex: bool) -> None:
    assert header_noindex(value) is noindex


def test_the_header_is_named_as_the_source_when_both_say_noindex() -> None:
    both = read_signals(page('<meta name="robots" content="noindex">'), URL,
                        {"X-Robots-Tag": "noindex"})
    assert both.noindex == "header"
    assert read_signals(None, URL, {"x-robots-tag": "NOINDEX"}).noindex == "header"


def test_the_canonical_is_absolute_and_normalised_from_the_head_or_a_link_header() -> None:
    relative = page('<link rel="canonical" href="/news/2026/11/25/uk-accuses-china.html'
                    '?utm_source=x">')
    assert read_signals(relative, URL).canonical == URL
    assert read_signals(page(""), URL).canonical is None
    header = '<https://www.example.org/other-story>; rel="canonical", </x.css>; rel=preload'
    assert read_signals(page(""), URL, {"Link": header}).canonical == \
        "https://www.example.org/other-story"
    # A canonical written in the body is not the page's (search engines ignore it).
    body_only = b'<html><head></head><body><link rel="canonical" href="/elsewhere"></body>'
    assert read_signals(body_only, URL).canonical is None
    # An already parsed tree is read as it is.
    tree = fromstring(page('<link rel="canonical" href="https://www.example.org/moved">'))
    assert read_signals(tree, URL).canonical == "https://www.example.org/moved"


@pytest.mark.parametrize(("canonical", "elsewhere"), [
    (URL, False),
    ("http://example.org/news/2026/11/25/uk-accuses-china.html/", False),  # https, www, /
    (URL + "?utm_source=twitter#top", False),
    (URL.replace(".html", ".html-with-a-longer-slug"), False),  # a slug added, as redirects
    ("https://www.example.org/news/", True),  # the section
    ("https://www.example.org/news/2026/11/25/another-story.html", True),
    ("https://www.other.example/news/2026/11/25/uk-accuses-china.html", True),
    (None, False),
])
def test_canonical_elsewhere_after_the_redirect_normalisation(canonical: str | None,
                                                            elsewhere: bool) -> None:
    assert points_elsewhere(URL, canonical) is elsewhere


def test_another_id_in_the_query_is_another_article() -> None:
    assert points_elsewhere("https://example.org/article.php?id=5",
                            "https://example.org/article.php?id=6")
    assert not points_elsewhere("https://example.org/article.php?id=5&page=2",
                                "https://example.org/article.php")


def test_each_signal_alerts_once_and_once_on_the_way_back() -> None:
    clean = PageSignals(canonical=URL)
    hidden = PageSignals(noindex="meta", canonical=URL)
    assert signal_events(None, hidden, URL) == ()  # the first check is a baseline
    assert signal_events(clean, hidden, URL) == (SignalEvent("noindexed",
                                                             noindex_source="meta"),)
    assert signal_events(hidden, hidden, URL) == ()
    assert signal_events(hidden, clean, URL) == (
        SignalEvent("noindexed", "reverted", noindex_source="meta"),)
    other = "https://www.example.org/news/2026/11/26/a-newer-story.html"
    moved = PageSignals(canonical=other)
    assert signal_events(clean, moved, URL) == (
        SignalEvent("canonical-changed", from_url=URL, to_url=other),)
    assert signal_events(moved, moved, URL) == ()
    third = "https://www.example.org/news/"
    assert signal_events(moved, PageSignals(canonical=third), URL) == (
        SignalEvent("canonical-changed", from_url=URL, to_url=third),)
    assert signal_events(moved, PageSignals(), URL) == (
        SignalEvent("canonical-changed", "reverted", from_url=other, to_url=URL),)
    # http→https on the canonical is no change of page.
    assert signal_events(clean, PageSignals(canonical=URL.replace("https", "http")), URL) == ()


def test_a_body_that_is_no_html_gives_no_signals() -> None:
    assert read_signals(b"\x00\x01", URL) == PageSignals()
    assert read_signals(b"", URL) == PageSignals()
