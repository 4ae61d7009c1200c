"""Discovery: the articles a listing names (a feed, a sitemap, a section page).

Every module here is pure: it reads bytes the fetch stage already brought and
returns typed values; nothing here fetches, reads a clock or touches a file. The
values shared by the parsers live in this file so that no parser imports another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# A listing names at most this many articles: past it, the rest is ignored, so a
# hostile or broken listing costs bounded work and memory downstream.
MAX_ITEMS = 50_000


class ListingError(ValueError):
    """A listing body that cannot be read as what its source says it is.

    The message says what was expected and what to change, in plain words: it
    becomes that listing's check error, never an alert.
    """


@dataclass(frozen=True)
class ListedItem:
    """One article a listing names: its canonical URL and what the listing says of it."""

    url: str
    title: str | None = None
    published: datetime | None = None  # UTC, when the listing gives it
    modified: datetime | None = None  # a sitemap's lastmod, a feed's updated
