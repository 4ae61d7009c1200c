"""URL normalisation for discovery: one article, one URL, however a site links it.

A site links the same article with ``utm_*`` or ``fbclid`` parameters, a
``#comments`` fragment, an upper-case host or a default port. Each of those
must not look like a new article, so every URL a listing names goes through
``canonical_url`` before it is compared, stored or hashed into an id. courlan
does the work (it sorts the query and drops known trackers); fragments go too.
The path keeps its case and its trailing slash: servers differ on both.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url
from courlan.urlutils import get_tldinfo

SCHEMES = ("http", "https")
MAX_URL = 2_000  # characters: longer is no article link


def canonical_url(url: str, base: str | None = None) -> str | None:
    """The URL as discovery keys it, or None when it is no web page address.

    ``base`` resolves a relative link (a page's own URL, or its ``<base>``).
    """
    url = url.strip()
    if not url or len(url) > MAX_URL or any(ord(c) < 32 for c in url):
        return None
    try:
        absolute = urljoin(base, url) if base else url
        parts = urlsplit(absolute)
        if parts.scheme.lower() not in SCHEMES or not parts.hostname:
            return None
        parts.port  # noqa: B018 - raises on a port that is no number
        normal = urlsplit(normalize_url(absolute))
    except ValueError:
        return None
    path = normal.path or "/"
    return urlunsplit((normal.scheme, normal.netloc, path, normal.query, ""))


def site(url: str) -> str:
    """The registrable domain (``bbc.co.uk`` for ``news.bbc.co.uk``), else the host.

    An IP address or ``localhost`` has no registrable domain: the host is the site.
    """
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    _, domain = get_tldinfo(url)
    return (domain or host.removeprefix("www.")).lower()


def same_site(url: str, other: str) -> bool:
    """Whether two URLs belong to one site (subdomains included)."""
    mine = site(url)
    return bool(mine) and mine == site(other)
