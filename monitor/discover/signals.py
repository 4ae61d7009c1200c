"""The quiet ways a page leaves the web: ``noindex`` and a canonical pointed elsewhere.

A page can stay online, unchanged, and still be taken out of sight: a
``noindex`` (in a ``<meta name="robots">`` or an ``X-Robots-Tag`` header) asks
search engines to drop it, and a ``rel=canonical`` pointed at another page
asks them to show that one instead. These are read from every source's page,
not only discovered ones. Directives count when they are for every robot or
for the search engines people find articles through (``ROBOTS``).

A canonical is "elsewhere" only when it names another page after the same
normalisation as redirects: ``http``→``https``, ``www.``, a trailing slash, a
tracking parameter, a dropped query or a slug added to the same path are the
same page; another path, another host or another ``?id=`` is elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from lxml.etree import LxmlError
from lxml.html import HtmlElement, HTMLParser, fromstring

from monitor.core.classify import redirect_keeps_article
from monitor.discover.urls import canonical_url

ROBOTS = frozenset({"robots", "googlebot", "googlebot-news", "bingbot"})
NOINDEX = frozenset({"noindex", "none"})  # "none" is noindex, nofollow
# Directives written "name: value", which are not a robot's name.
VALUED = frozenset({"unavailable_after", "max-snippet", "max-image-preview",
                    "max-video-preview"})
HTML_PARSER = HTMLParser(no_network=True, huge_tree=False, remove_comments=True,
                         remove_pis=True, collect_ids=False)
LINK_CANONICAL = re.compile(r'<\s*([^>]+?)\s*>\s*;[^,]*?\brel\s*=\s*"?canonical\b',
                            re.IGNORECASE)

Source = Literal["meta", "header"]


@dataclass(frozen=True)
class PageSignals:
    """What a page says of its own indexing: a check's observation."""

    noindex: Source | None = None  # where the noindex came from, None when indexable
    canonical: str | None = None  # the canonical URL it names, absolute and normalised


def read_signals(html: bytes | str | HtmlElement | None, url: str,
                 headers: Mapping[str, str] | None = None) -> PageSignals:
    """The page's noindex (header first: it needs no parse) and canonical."""
    tree = html if isinstance(html, HtmlElement) else _parse(html)
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    source: Source | None = None
    if header_noindex(headers.get("x-robots-tag", "")):
        source = "header"
    elif tree is not None and meta_noindex(tree):
        source = "meta"
    return PageSignals(source, canonical_of(tree, url, headers.get("link", "")))


def _parse(html: bytes | str | None) -> HtmlElement | None:
    if not html:
        return None
    try:
        return fromstring(html, parser=HTML_PARSER)
    except (LxmlError, ValueError):
        return None  # no page to read: no signals, never a guess


def header_noindex(value: str) -> bool:
    """Whether an ``X-Robots-Tag`` value (its lines joined by commas) says noindex."""
    robot: str | None = None  # None: for every robot
    for token in (t.strip().lower() for t in value.split(",")):
        name, colon, rest = token.partition(":")
        if colon and name.strip() not in VALUED:
            robot, token = name.strip(), rest.strip()
        if token in NOINDEX and (robot is None or robot in ROBOTS):
            return True
    return False


def meta_noindex(tree: HtmlElement) -> bool:
    """Whether a ``<meta name="robots">`` (or a search engine's own) says noindex."""
    for meta in tree.iter("meta"):
        if (meta.get("name") or "").strip().lower() in ROBOTS:
            words = {w.strip().lower() for w in (meta.get("content") or "").split(",")}
            if words & NOINDEX:
                return True
    return False


def canonical_of(tree: HtmlElement | None, url: str, link_header: str = "") -> str | None:
    """The page's canonical URL: its ``Link: <…>; rel=canonical`` header, else its head's."""
    found = LINK_CANONICAL.search(link_header)
    if found:
        return canonical_url(found.group(1), url)
    if tree is None:
        return None
    head = tree.find(".//head")
    for link in (head if head is not None else tree).iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and link.get("href"):
            return canonical_url(link.get("href") or "", _base(tree, url))
    return None


def _base(tree: HtmlElement, url: str) -> str:
    for base in tree.iter("base"):
        if base.get("href") and (found := canonical_url(base.get("href") or "", url)):
            return found
    return url


def points_elsewhere(page_url: str, canonical: str | None) -> bool:
    """Whether a canonical names another page than ``page_url`` (see the docstring)."""
    if not canonical:
        return False
    page, other = canonical_url(page_url), canonical_url(canonical)
    if not page or not other or page == other:
        return False
    page_query, other_query = urlsplit(page).query, urlsplit(other).query
    if page_query and other_query and page_query != other_query:
        return True  # article.php?id=5 and ?id=6 are two articles
    return not redirect_keeps_article(page, other)


@dataclass(frozen=True)
class SignalEvent:
    event: Literal["noindexed", "canonical-changed"]
    reason: str | None = None  # "reverted" on the way back
    noindex_source: Source | None = None
    from_url: str | None = None
    to_url: str | None = None


def signal_events(previous: PageSignals | None, current: PageSignals,
                  page_url: str) -> tuple[SignalEvent, ...]:
    """What changed since the last check: each event once, and once on the way back.

    The first check (``previous`` None) is a baseline: a page noindexed or
    canonicalised elsewhere from the start alerts nothing.
    """
    if previous is None:
        return ()
    events: list[SignalEvent] = []
    if current.noindex and not previous.noindex:
        events.append(SignalEvent("noindexed", noindex_source=current.noindex))
    elif previous.noindex and not current.noindex:
        events.append(SignalEvent("noindexed", "reverted", noindex_source=previous.noindex))
    was = points_elsewhere(page_url, previous.canonical)
    now = points_elsewhere(page_url, current.canonical)
    if now and (not was or canonical_url(previous.canonical or "") != current.canonical):
        events.append(SignalEvent("canonical-changed", from_url=page_url,
                                  to_url=current.canonical))
    elif was and not now:
        events.append(SignalEvent("canonical-changed", "reverted",
                                  from_url=previous.canonical, to_url=page_url))
    return tuple(events)
