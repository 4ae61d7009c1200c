"""A section page's article links: what it lists, not its menus.

A section page (a ministry's press releases, a site's Xinjiang tag) links its
articles among dozens of other links: the menus, the footer, a "most read" box,
tag and author pages. Only the articles are the listing, or every menu change
would look like new or delisted articles. Three tests pick them:

- the region: links inside ``nav``, ``aside``, ``form``, the page's own
  ``header``/``footer`` (a card's ``<header>`` inside an ``<article>`` stays),
  ARIA navigation/banner/contentinfo/complementary roles, or containers named
  like menus (``site-header``, ``navbar``, ``sidebar``, ``most-read``...) are
  not the list; a ``<main>`` (or ``role="main"``), when it has links, is;
- the site: the link's registrable host is the page's (``news.bbc.co.uk`` and
  ``www.bbc.co.uk`` are one site);
- the shape: the path looks like an article (a slug of two words or more, a
  numeric id, date segments, ``.html``), not a section, tag, author or page
  number; and it shares its shape (depth and first segment) with another
  listed link, since a site's articles look alike. A single article link is
  kept when it is the only one.

A ``match`` regex, when configured, replaces the shape test: what it matches
(searched in the canonical URL) is an article. URLs are canonical
(``urls.canonical_url``): tracking parameters and fragments never make a new one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import unquote, urlsplit

from lxml.etree import LxmlError
from lxml.html import HtmlElement, HTMLParser, fromstring

from monitor.discover import MAX_ITEMS, ListedItem, ListingError
from monitor.discover.sitemap import parse_w3c_datetime
from monitor.discover.urls import canonical_url, same_site

MAX_ELEMENTS = 100_000  # a section page past this is no page a person reads
HTML_PARSER = HTMLParser(no_network=True, huge_tree=False, remove_comments=True,
                         remove_pis=True, collect_ids=False)
FURNITURE_TAGS = frozenset({"nav", "aside", "form", "menu", "dialog", "template", "noscript"})
PAGE_EDGES = frozenset({"header", "footer"})  # furniture unless inside an <article>
FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary",
                             "search", "menu", "menubar"})
FURNITURE_NAME = re.compile(
    r"^(?:(?:site|global|main|top|primary|page|mega)[-_]?)?"
    r"(?:nav|navbar|navigation|menu|menubar|header|footer|masthead|sidebar|breadcrumbs?)$"
    r"|(?:^|[-_])(?:share|sharing|social|cookie|newsletter|related|popular|trending"
    r"|most[-_]?read|most[-_]?viewed|skip[-_]?link)(?:$|[-_])", re.IGNORECASE)
NOT_ARTICLE_SEGMENTS = frozenset({
    "tag", "tags", "category", "categories", "topic", "topics", "author", "authors", "page",
    "search", "login", "signin", "register", "subscribe", "account", "feed", "rss", "about",
    "contact", "privacy", "terms", "cookies", "newsletter", "newsletters",
    "wp-login.php", "cdn-cgi"})
NOT_ARTICLE_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|json|xml|rss|zip|gz|mp[34]|mov|avi|woff2?)$",
    re.IGNORECASE)
DATE_PART = re.compile(r"^(?:19|20)\d\d(?:[-_]?[01]\d(?:[-_]?[0-3]\d)?)?$|^[01]?\d$|^[0-3]?\d$")
NUMERIC_ID = re.compile(r"\d{3,}")
WORD = re.compile(r"[^\W\d_]+")
HEADLINE_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def article_links(html: bytes | str, page_url: str, match: str | None = None
                  ) -> tuple[ListedItem, ...]:
    """The articles ``html`` (the page at ``page_url``) lists, in the page's order."""
    tree = _parse(html)
    base = _base(tree, page_url)
    pattern = re.compile(match) if match else None
    found: dict[str, ListedItem] = {}
    for anchor in _region_links(tree):
        url = canonical_url(anchor.get("href") or "", base)
        if not url or not same_site(url, page_url) or _is_page(url, page_url):
            continue
        if pattern.search(url) is None if pattern else not looks_like_article(url):
            continue
        item = ListedItem(url, _title(anchor), _published(anchor))
        if url not in found:
            found[url] = item
        elif not found[url].title or len(item.title or "") > len(found[url].title or ""):
            found[url] = ListedItem(url, item.title, found[url].published or item.published)
        if len(found) == MAX_ITEMS:
            break
    items = tuple(found.values())
    return items if pattern else _alike(items)


def _parse(html: bytes | str) -> HtmlElement:
    try:
        tree = fromstring(html, parser=HTML_PARSER)
    except (LxmlError, ValueError) as error:
        raise ListingError(f"the section page could not be read as HTML ({error}): check "
                           "the URL") from error
    if tree is None:
        raise ListingError("the section page is empty: check the URL")
    for count, _ in enumerate(tree.iter(), 1):
        if count > MAX_ELEMENTS:
            raise ListingError(f"the section page has more than {MAX_ELEMENTS:,} elements: "
                               "point the source at a smaller page, or at a feed or sitemap")
    return tree


def _base(tree: HtmlElement, page_url: str) -> str:
    for element in tree.iter("base"):
        href = element.get("href")
        if href and (url := canonical_url(href, page_url)):
            return url
    return page_url


def _region_links(tree: HtmlElement) -> Iterator[HtmlElement]:
    """The page's links outside its furniture: inside its <main>, when that has links."""
    mains = [e for e in tree.iter() if isinstance(e.tag, str)
             and (e.tag == "main" or (e.get("role") or "").lower() == "main")]
    roots = [m for m in mains if not _is_furniture(m) and m.find(".//a[@href]") is not None]
    for root in roots or [tree]:
        yield from _links_outside_furniture(root, inside_article=False)


def _links_outside_furniture(element: HtmlElement, inside_article: bool
                             ) -> Iterator[HtmlElement]:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if (child.tag in PAGE_EDGES and not inside_article) or _is_furniture(child):
            continue
        if child.tag == "a" and child.get("href"):
            yield child
        yield from _links_outside_furniture(child, inside_article or child.tag == "article")


def _is_furniture(element: HtmlElement) -> bool:
    if element.tag in FURNITURE_TAGS:
        return True
    if (element.get("role") or "").lower() in FURNITURE_ROLES:
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}".split()
    return any(FURNITURE_NAME.search(name) for name in names)


def _is_page(url: str, page_url: str) -> bool:
    """The page itself, or a section above it (its breadcrumbs, its site's home)."""
    page = canonical_url(page_url)
    if url == page:
        return True
    mine, theirs = _segments(url), _segments(page or page_url)
    return len(mine) <= len(theirs) and theirs[: len(mine)] == mine and not urlsplit(url).query


def _segments(url: str) -> list[str]:
    return [unquote(s) for s in urlsplit(url).path.split("/") if s]


def looks_like_article(url: str) -> bool:
    """Whether the URL's path has an article's shape (see the module's docstring)."""
    segments = _segments(url)
    if not segments or any(s.lower() in NOT_ARTICLE_SEGMENTS for s in segments):
        return False
    last = segments[-1]
    if NOT_ARTICLE_EXTENSIONS.search(last):
        return False
    if any(DATE_PART.match(s) and len(s) >= 4 for s in segments[:-1]) and len(segments) > 1:
        return not DATE_PART.match(last)  # /2026/11/25/slug, not the day's index /2026/11/
    stem = re.sub(r"\.[A-Za-z]{2,5}$", "", last)
    if NUMERIC_ID.search(stem):
        return True
    return len(WORD.findall(stem)) >= 2 or last.lower().endswith((".html", ".htm", ".pdf"))


def shape(url: str) -> tuple[int, str]:
    """Path depth and first segment: what a site's article URLs share."""
    segments = _segments(url)
    return len(segments), segments[0].lower() if len(segments) > 1 else ""


def _alike(items: tuple[ListedItem, ...]) -> tuple[ListedItem, ...]:
    """The items whose shape another item shares; all of them when none shares one."""
    counts = Counter(shape(item.url) for item in items)
    if not counts or max(counts.values()) < 2:
        return items
    return tuple(item for item in items if counts[shape(item.url)] >= 2)


def _title(anchor: HtmlElement) -> str | None:
    text = " ".join(anchor.text_content().split())
    if not text:
        text = anchor.get("title") or next(
            (img.get("alt") or "" for img in anchor.iter("img")), "")
    return " ".join(text.split())[:500] or None


def _published(anchor: HtmlElement) -> datetime | None:
    """The ``<time datetime>`` of the card the link sits in (up to three levels up)."""
    card = anchor
    for _ in range(3):
        parent = card.getparent()
        if parent is None:
            break
        card = parent
        for moment in card.iter("time"):
            if when := parse_w3c_datetime(moment.get("datetime")):
                return when
        if card.tag in ("article", "li"):
            break
    return None
