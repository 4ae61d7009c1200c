"""Delisted: an article its listing stopped naming while its page still works.

A listing shows a window, not everything: a section page or a feed its newest
N items, a Google News sitemap its last two days. An article that leaves the
window has scrolled off; only one that leaves while it should still be inside
is a candidate. The rule, per listing kind (``Semantics``):

- ``complete`` (a plain sitemap: it names every page the site wants found):
  every URL that drops out is a candidate.
- newest-N (a feed, a section page): a missing item is scrolled off when it is
  older than the oldest item still listed (by the dates the listing gives), or,
  without dates, when it sat in the previous listing's tail that the new
  arrivals pushed out (the last ``k`` places for ``k`` new items). Anything
  else missing (an item from the middle, or the end of a list that shrank) is a
  candidate.
- ``days`` (a Google News sitemap): as newest-N, and an item published more
  than ``days`` ago has scrolled off whatever else is listed.

A listing whose articles nearly all vanish at once (a redesign, a broken
``match``, an error page served as 200) delists nothing: ``Delisting.suspect``
says so, and the caller reports a check error instead.

A candidate is delisted only after ``confirm_removal`` checks in a row miss it
while its own page still resolves (``confirm``): state the caller keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from monitor.discover import ListedItem
from monitor.discover.listing import when

SUSPECT_SHARE = 0.5  # more than this share of a listing gone at once is no delisting
SUSPECT_MIN = 3  # ...and more than this many items


@dataclass(frozen=True)
class Semantics:
    """What a listing's silence means: see the module's docstring."""

    complete: bool = False
    days: int | None = None


FEED = Semantics()
LINKS = Semantics()
SITEMAP = Semantics(complete=True)
NEWS_SITEMAP = Semantics(days=2)


@dataclass(frozen=True)
class Delisting:
    candidates: tuple[str, ...] = ()  # start (or go on) counting misses for these
    scrolled_off: tuple[str, ...] = ()  # left the window: no longer expected in it
    suspect: str | None = None  # why nothing was delisted although much went missing


def delisting(previous: Sequence[ListedItem], current: Sequence[ListedItem],
              semantics: Semantics, now: datetime) -> Delisting:
    """Which of the previous check's items (in its listing order) are candidates now."""
    listed = {item.url for item in current}
    missing = [(place, item) for place, item in enumerate(previous) if item.url not in listed]
    if not missing:
        return Delisting()
    if not current or (len(missing) > SUSPECT_MIN
                       and len(missing) > SUSPECT_SHARE * len(previous)):
        return Delisting(suspect=(
            f"{len(missing)} of the {len(previous)} articles listed last time are gone at "
            "once: the page's layout, the `match` rule or the URL may have changed, so "
            "nothing is taken as delisted; check the listing"))
    before = {item.url for item in previous}
    arrivals = sum(1 for item in current if item.url not in before)
    dates = [d for item in current if (d := when(item))]
    oldest = min(dates) if dates else None
    candidates: list[str] = []
    scrolled: list[str] = []
    for place, item in missing:
        gone = semantics.complete or not _scrolled_off(
            item, place, len(previous), arrivals, oldest, semantics, now)
        (candidates if gone else scrolled).append(item.url)
    return Delisting(tuple(candidates), tuple(scrolled))


def _scrolled_off(item: ListedItem, place: int, length: int, arrivals: int,
                  oldest: datetime | None, semantics: Semantics, now: datetime) -> bool:
    date = when(item)
    if date and semantics.days is not None and date < now - timedelta(days=semantics.days):
        return True
    if date and oldest:
        return date < oldest
    return place >= length - arrivals


@dataclass(frozen=True)
class Watch:
    """A candidate's count of checks in a row that missed it, and whether it alerted."""

    misses: int = 0
    delisted: bool = False


Outcome = Literal["delisted", "reverted", "page-gone", None]  # "reverted": listed again


def confirm(watch: Watch, listed: bool, page_resolves: bool | None,
            confirm_removal: int) -> tuple[Watch, Outcome]:
    """One more check of a candidate: the count after it, and the event to alert, if any.

    ``page_resolves`` is what the article's own latest check says: True (it
    answers with the article), False (gone: its own check alerts ``removed``,
    so it is no delisting), None (not checked yet: the miss counts, the
    decision waits). ``delisted`` alerts once; ``reverted`` (a ``delisted``
    alert with that reason) once when a delisted article is listed again.
    """
    if listed:
        return Watch(), "reverted" if watch.delisted else None
    if page_resolves is False:
        return Watch(), "page-gone" if not watch.delisted else None
    misses = watch.misses + 1
    if not watch.delisted and page_resolves and misses >= confirm_removal:
        return Watch(misses, delisted=True), "delisted"
    return Watch(misses, watch.delisted), None
