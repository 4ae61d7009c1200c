"""Sitemaps: the URLs a site says it has, from ``<urlset>`` or ``<sitemapindex>``.

Reads the sitemaps.org protocol (plain or gzipped), sitemap indexes (their
children are returned for the caller to fetch: this module fetches nothing)
and Google News sitemaps, whose ``news:`` elements give each article's title
and publication date. Elements are matched by local name, since sites use the
old Google namespace or none at all; the news fields by their own namespace.

What a sitemap's silence means: a sitemap lists what the site wants indexed, so
an article it stops naming is a delisting candidate. A Google News sitemap
lists only the last two days' articles by rule, so there an article that goes
past that window has scrolled off, not been delisted (``Sitemap.window_days``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from lxml import etree

from monitor.discover import MAX_ITEMS, ListedItem, ListingError
from monitor.discover.hardened import inflate, parse_xml
from monitor.discover.urls import canonical_url

NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_WINDOW_DAYS = 2  # Google News sitemaps name only articles of the last two days
WHAT = "sitemap"


@dataclass(frozen=True)
class ChildSitemap:
    """A sitemap an index names: fetch it to read its URLs."""

    url: str
    modified: datetime | None = None


@dataclass(frozen=True)
class Sitemap:
    """What one sitemap body says: its articles, or (for an index) its children."""

    items: tuple[ListedItem, ...] = ()
    children: tuple[ChildSitemap, ...] = ()
    index: bool = False  # a sitemap index: fetch its children for the URLs
    news: bool = False  # a Google News sitemap: a rolling window, see window_days

    @property
    def window_days(self) -> int | None:
        """How many days back the sitemap names articles; None for all of them."""
        return NEWS_WINDOW_DAYS if self.news else None


def parse_sitemap(body: bytes, url: str | None = None) -> Sitemap:
    """The sitemap in ``body`` (gzipped or not); ``url`` resolves relative ``<loc>``s.

    Raises ListingError, in words, for anything that is not a sitemap.
    """
    text = inflate(body)
    if _looks_like_text_sitemap(text):
        return Sitemap(items=_text_items(text, url))
    root = parse_xml(text, WHAT)
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        return Sitemap(children=_children(root, url), index=True)
    if kind != "urlset":
        raise ListingError(f"the XML's root is <{kind}>, not a sitemap's <urlset> or "
                           "<sitemapindex>: for RSS or Atom use discover: feed")
    items = tuple(_items(root, url))
    return Sitemap(items=items, news=root.find(f".//{{{NEWS}}}news") is not None)


def _looks_like_text_sitemap(text: bytes) -> bool:
    """The protocol's plain-text form: one absolute URL a line, nothing else."""
    first = text.lstrip(b"\xef\xbb\xbf \t\r\n")[:8].lower()
    return first.startswith((b"http://", b"https://"))


def _text_items(text: bytes, base: str | None) -> tuple[ListedItem, ...]:
    lines = text.decode("utf-8", "replace").splitlines()
    found = (canonical_url(line, base) for line in lines[:MAX_ITEMS] if line.strip())
    return tuple(ListedItem(u) for u in found if u)


def _children(root: etree._Element, base: str | None) -> tuple[ChildSitemap, ...]:
    found = []
    for entry in _entries(root, "sitemap"):
        loc = canonical_url(_text(entry, "loc") or "", base)
        if loc:
            found.append(ChildSitemap(loc, parse_w3c_datetime(_text(entry, "lastmod"))))
    return tuple(found)


def _items(root: etree._Element, base: str | None) -> list[ListedItem]:
    found = []
    for entry in _entries(root, "url"):
        loc = canonical_url(_text(entry, "loc") or "", base)
        if not loc:
            continue
        news = entry.find(f"{{{NEWS}}}news")
        title = published = None
        if news is not None:
            title = _clean(news.findtext(f"{{{NEWS}}}title"))
            published = parse_w3c_datetime(news.findtext(f"{{{NEWS}}}publication_date"))
        found.append(ListedItem(loc, title, published,
                                parse_w3c_datetime(_text(entry, "lastmod"))))
    return found


def _entries(root: etree._Element, name: str) -> list[etree._Element]:
    """The root's children called ``name`` in any namespace, at most MAX_ITEMS of them."""
    found = []
    for child in root:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            found.append(child)
            if len(found) == MAX_ITEMS:
                break
    return found


def _text(entry: etree._Element, name: str) -> str | None:
    for child in entry:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return _clean(child.text)
    return None


def _clean(text: str | None) -> str | None:
    return " ".join(text.split()) or None if text else None


def parse_w3c_datetime(text: str | None) -> datetime | None:
    """A W3C datetime (``2026-11-25``, ``2026-11-25T10:00:00+01:00``) in UTC, or None.

    A date alone is midnight UTC; a time without a zone is taken as UTC.
    """
    if not text:
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
