"""RSS and Atom feeds: the articles a feed names, from the bytes we fetched.

feedparser reads every RSS and Atom dialect in use, and forgives the broken
ones real sites serve. It is only ever given bytes (wrapped in a stream): given
a string, it would fetch a URL or open a file itself, outside our client's
size caps, conditional GETs, captures and robots rules. Entity declarations
are refused before it runs (``hardened.refuse_entities``).

What a feed's silence means: a feed names its newest N entries, so an entry
that drops off the end while newer ones arrive has scrolled off, not been
delisted; only one missing from the middle of the window is a candidate
(``listing.delisting``).
"""

from __future__ import annotations

import html
import io
import re
from calendar import timegm
from datetime import UTC, datetime
from time import struct_time
from typing import Any

import feedparser

from monitor.discover import MAX_ITEMS, ListedItem, ListingError
from monitor.discover.hardened import MAX_INFLATED, refuse_entities
from monitor.discover.urls import canonical_url

WHAT = "feed"
TAG = re.compile(r"<[^>]*>")


def parse_feed(body: bytes, url: str | None = None,
               content_type: str | None = None) -> tuple[ListedItem, ...]:
    """The entries of the RSS or Atom feed in ``body``, in the feed's order.

    ``url`` is where it was fetched (relative links resolve against it);
    ``content_type`` is the response's, which may name the encoding. Raises
    ListingError, in words, for a body that is no feed.
    """
    if len(body) > MAX_INFLATED:
        raise ListingError("the feed is larger than 50 MiB: no real feed is; check the URL")
    refuse_entities(body, WHAT)
    headers = {"content-location": url or "", "content-type": content_type or ""}
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers,
                              resolve_relative_uris=False, sanitize_html=False)
    if not parsed.get("version") and not parsed.entries:
        raise ListingError(_not_a_feed(body, parsed))
    found = []
    for entry in parsed.entries[:MAX_ITEMS]:
        item = _item(entry, url)
        if item:
            found.append(item)
    return tuple(found)


def _not_a_feed(body: bytes, parsed: Any) -> str:
    start = body.lstrip()[:200].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return ("the body is an HTML page, not an RSS or Atom feed: check the URL, or use "
                "discover: links for a section page")
    why = parsed.get("bozo_exception")
    return ("the body is not an RSS or Atom feed"
            + (f" ({why})" if why else "") + ": check the URL")


def _item(entry: Any, base: str | None) -> ListedItem | None:
    link = entry.get("feedburner_origlink") or entry.get("link") or _alternate(entry)
    if not link and str(entry.get("id", "")).startswith(("http://", "https://")):
        link = entry["id"]  # an Atom entry whose id is its permalink
    url = canonical_url(link, base) if link else None
    if not url:
        return None
    # dict.get: FeedParserDict.get would map a missing updated_parsed to published_parsed.
    published = _utc(dict.get(entry, "published_parsed"))
    modified = _utc(dict.get(entry, "updated_parsed"))
    return ListedItem(url, _title(entry), published, None if modified == published else modified)


def _title(entry: Any) -> str | None:
    """The entry's title as plain text: an HTML title (Atom ``type="html"``) loses its tags."""
    title = str(entry.get("title", ""))
    kind = str((entry.get("title_detail") or {}).get("type", "text/plain"))
    if "html" in kind:
        title = html.unescape(TAG.sub("", title))
    return " ".join(title.split()) or None


def _alternate(entry: Any) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


def _utc(moment: struct_time | None) -> datetime | None:
    """feedparser's struct_time (already UTC) as an aware datetime."""
    if not moment:
        return None
    try:
        return datetime.fromtimestamp(timegm(moment), UTC)
    except (OverflowError, ValueError, OSError):
        return None
