"""A listing's snapshot, and what is new in it: pure rules, the state passed in.

The snapshot (``snapshots/<listing-id>.md``) is one canonical URL a line,
sorted and without repeats, so a new or dropped article is a one-line diff in
git, and the same listing gives the same file on any machine whatever order
the site serves it in. What the site's order says (which article is newest)
lives in the items the parsers return, and in state between checks.

New articles: the first check knows every listed URL but watches only the
``baseline_watch`` newest, without alerts (a listing's back catalogue is not
news). Each later check watches what it has not seen, newest first, at most
``max_new``; the rest wait in a queue for later checks, ahead of anything found
after them, and the check that queues them says so once with their count.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.discover import ListedItem

BASELINE_WATCH = 20  # DESIGN.md: the newest 20 are watched from the first check
MAX_NEW = 50  # DESIGN.md: at most 50 new articles a check
OLDEST = datetime.min.replace(tzinfo=UTC)


def snapshot_text(urls: Iterable[str]) -> str:
    """The listing snapshot: one URL a line, sorted, each once; empty for none."""
    lines = sorted({url.strip() for url in urls if url.strip()})
    return "".join(f"{line}\n" for line in lines)


def parse_snapshot(text: str) -> tuple[str, ...]:
    """The URLs a listing snapshot names (a hand-edited one too: blanks and repeats go)."""
    return tuple(sorted({line.strip() for line in text.splitlines() if line.strip()}))


def dedupe(items: Iterable[ListedItem]) -> tuple[ListedItem, ...]:
    """Each canonical URL once, where it was first listed, with the fullest facts.

    A site lists one article twice (a headline and its picture, a feed entry
    and its update): the first place counts for order, and a title or date
    given only by the later one is kept.
    """
    found: dict[str, ListedItem] = {}
    for item in items:
        seen = found.get(item.url)
        found[item.url] = item if seen is None else ListedItem(
            item.url, seen.title or item.title, seen.published or item.published,
            seen.modified or item.modified)
    return tuple(found.values())


def when(item: ListedItem) -> datetime | None:
    """The date a listing gives an item: published, else last modified."""
    return item.published or item.modified


def newest_first(items: Sequence[ListedItem]) -> tuple[ListedItem, ...]:
    """Items by their date, newest first; undated ones after, in the listing's order.

    When no item has a date, the listing's own order is taken as newest first,
    as feeds and section pages list.
    """
    dated = sorted((i for i in items if when(i)), key=lambda i: when(i) or OLDEST,
                   reverse=True)
    return (*dated, *(i for i in items if not when(i)))


@dataclass(frozen=True)
class NewArticles:
    """What one check of a listing found: what to watch, alert on, and hold back."""

    known: tuple[str, ...]  # every URL known after this check (listed, queued or watched)
    watch: tuple[ListedItem, ...]  # start watching these now
    alert: bool  # whether each watched article alerts `new` (not on the first check)
    queued: tuple[ListedItem, ...] = ()  # waiting for a later check, oldest-found first
    held_back: int | None = None  # when this check queued more: the queue's length now


def new_articles(current: Sequence[ListedItem], known: Collection[str],
                 queued: Sequence[ListedItem] = (), *, first_check: bool,
                 baseline_watch: int = BASELINE_WATCH, max_new: int = MAX_NEW) -> NewArticles:
    """The rule for new articles, given the listing now and what state remembers.

    ``known`` is every URL seen at earlier checks (watched, queued, or known from
    the baseline); ``queued`` those still waiting to be watched, in the order
    they were found. The caller stores ``known`` and ``queued`` for next time.
    """
    items = dedupe(current)
    if first_check:
        urls = tuple(item.url for item in items)
        return NewArticles(urls, newest_first(items)[:max(0, baseline_watch)], alert=False)
    waiting = {item.url for item in queued}
    fresh = newest_first([i for i in items if i.url not in known and i.url not in waiting])
    line = (*queued, *fresh)
    watch, rest = line[:max(0, max_new)], line[max(0, max_new):]
    grown = any(item in rest for item in fresh)
    all_known = (*known, *(i.url for i in fresh if i.url not in known))
    return NewArticles(tuple(dict.fromkeys(all_known)), tuple(watch), alert=True,
                       queued=tuple(rest), held_back=len(rest) if grown else None)


def items_json(items: Iterable[ListedItem]) -> str:
    """Items as state keeps them between checks: their order, URLs, titles and dates."""
    return json.dumps([[i.url, i.title, _iso(i.published), _iso(i.modified)] for i in items],
                      ensure_ascii=False, separators=(",", ":"))


def items_from_json(text: str) -> tuple[ListedItem, ...]:
    """What ``items_json`` wrote; a damaged value reads as no items, never an error."""
    try:
        rows = json.loads(text)
        return tuple(ListedItem(str(r[0]), r[1], _date(r[2]), _date(r[3])) for r in rows)
    except (ValueError, TypeError, IndexError, KeyError):
        return ()


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _date(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
