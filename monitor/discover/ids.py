"""The ids of found articles: ``<listing-id>.<slug>-<first 6 hex of sha256(URL)>``.

The id is made from the canonical URL alone, never from a title or the time it
was found, so that the same article gets the same id on any machine and after
a restore from git. The slug makes it readable; the hash keeps two articles
with one slug apart. The whole id fits the source id rule (ASCII letters,
digits, ``.``, ``_``, ``-``; at most 100): the slug is what gets cut.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote, urlsplit

from monitor.core.ids import (
    HASH_HEX,
    MAX_ID,
    listing_id_problem,
    valid_source_id,
)

NOT_SLUG = re.compile(r"[^a-z0-9]+")
EXTENSIONS = re.compile(r"\.(?:s?html?|php|aspx?|jsp|cfm)$", re.IGNORECASE)
INDEX_NAMES = frozenset({"index", "default", "article", "story", "news", "post"})
FALLBACK_SLUG = "page"


def url_hash(canonical_url: str) -> str:
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:HASH_HEX]


def slug(canonical_url: str) -> str:
    """A readable ASCII slug from the URL's path: its last telling segment.

    ``/2026/11/25/uk-accuses-china.html`` gives ``uk-accuses-china``; a path
    ending in ``index.html`` takes the segment before it; accents are folded
    (``déclaration`` → ``declaration``); a path with nothing readable gives
    ``page`` (the hash still tells articles apart).
    """
    segments = [unquote(s) for s in urlsplit(canonical_url).path.split("/") if s]
    for segment in reversed(segments):
        text = _ascii_slug(EXTENSIONS.sub("", segment))
        if text and text not in INDEX_NAMES:
            return text
    return FALLBACK_SLUG


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return NOT_SLUG.sub("-", folded.lower()).strip("-")



def article_id(listing_id: str, canonical_url: str) -> str:
    """The id of the article at ``canonical_url`` found by ``listing_id``.

    Raises ValueError when the listing id is not a valid id or is too long to
    leave room (``listing_id_problem`` says so in words first, at config load).
    """
    problem = listing_id_problem(listing_id)
    if problem or not valid_source_id(listing_id):
        raise ValueError(problem or f"{listing_id!r} is not a valid source id")
    room = MAX_ID - len(listing_id) - HASH_HEX - 2
    text = _cut(slug(canonical_url), room)
    found = f"{listing_id}.{text}-{url_hash(canonical_url)}"
    assert valid_source_id(found), found
    return found


def _cut(text: str, room: int) -> str:
    """``text`` in at most ``room`` characters, cut at a word when one is near."""
    if len(text) <= room:
        return text
    cut = text[:room]
    word = cut.rfind("-")
    if word >= room // 2:
        cut = cut[:word]
    return cut.strip("-") or FALLBACK_SLUG[:room]
