"""What discovery remembers between checks: the articles each listing found, and its
last listing.

A found article is one row of ``found`` from the check that first saw it in its
listing: ``known`` (seen, not watched: the first check's back catalogue past
``baseline_watch``), ``queued`` (waiting past ``max_new``), ``watching`` (a
source of its own, checked like any other) or ``excluded`` (paused or removed
by a person). A listing's own row in ``listings`` holds the items of its last
check in the listing's order, with their dates, as JSON the discover stage
reads: delisting compares the next check with them.

All of it can be rebuilt from git (the pipeline's listing check does, when a
listing has a snapshot but no rows): the listing's snapshot names every URL it
listed, and a watched article has a snapshot file of its own whose id is made
from its URL alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

FoundState = Literal["known", "queued", "watching", "excluded"]
FOUND_STATES: tuple[str, ...] = ("known", "queued", "watching", "excluded")

FOUND_SCHEMA = """
CREATE TABLE IF NOT EXISTS found (
    id TEXT PRIMARY KEY,
    listing_id TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT,
    published TEXT,
    found_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'known',
    place INTEGER NOT NULL DEFAULT 0,
    announce INTEGER NOT NULL DEFAULT 0,
    misses INTEGER NOT NULL DEFAULT 0,
    delisted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS found_by_listing ON found (listing_id, state);
CREATE TABLE IF NOT EXISTS listings (
    id TEXT PRIMARY KEY,
    items TEXT NOT NULL,
    checked_at TEXT
);
"""


@dataclass(frozen=True)
class FoundArticle:
    """One article a listing found, and what discovery knows of it."""

    id: str  # <listing-id>.<slug>-<hash>
    listing_id: str
    url: str  # canonical
    found_at: str  # RFC 3339, when the listing first named it
    state: str = "known"  # one of FOUND_STATES
    title: str | None = None  # as the listing gave it
    published: str | None = None  # RFC 3339, as the listing gave it
    place: int = 0  # queued: the order it waits in
    announce: bool = False  # its first check alerts `new`
    misses: int = 0  # checks in a row its listing did not name it
    delisted: bool = False  # a `delisted` alert went out, and no `reverted` since


COLUMNS = ("id", "listing_id", "url", "title", "published", "found_at", "state", "place",
           "announce", "misses", "delisted")


def _article(row: sqlite3.Row) -> FoundArticle:
    return FoundArticle(id=row["id"], listing_id=row["listing_id"], url=row["url"],
                        found_at=row["found_at"], state=row["state"], title=row["title"],
                        published=row["published"], place=row["place"],
                        announce=bool(row["announce"]), misses=row["misses"],
                        delisted=bool(row["delisted"]))


def found_articles(db: sqlite3.Connection, listing_id: str | None = None,
                   states: Iterable[str] = FOUND_STATES) -> list[FoundArticle]:
    """The found articles (of one listing), in the order they wait or were found."""
    wanted = tuple(states)
    marks = ",".join("?" * len(wanted))
    where = f"state IN ({marks})" + (" AND listing_id = ?" if listing_id else "")
    args = (*wanted, listing_id) if listing_id else wanted
    try:
        rows = db.execute(f"SELECT * FROM found WHERE {where} ORDER BY place, rowid",
                          args).fetchall()
    except sqlite3.OperationalError:  # a read-only database made before discovery
        return []
    return [_article(row) for row in rows]


def found_article(db: sqlite3.Connection, article_id: str) -> FoundArticle | None:
    try:
        row = db.execute("SELECT * FROM found WHERE id = ?", (article_id,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return _article(row) if row else None


def save_found(db: sqlite3.Connection, articles: Iterable[FoundArticle]) -> None:
    """Insert or replace these rows (inside the caller's transaction)."""
    db.executemany(
        f"INSERT OR REPLACE INTO found ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(COLUMNS))})",
        [(a.id, a.listing_id, a.url, a.title, a.published, a.found_at, a.state, a.place,
          int(a.announce), a.misses, int(a.delisted)) for a in articles])


def set_found_state(db: sqlite3.Connection, article_id: str, state: str) -> bool:
    """Pause/remove (``excluded``) or resume (``watching``) one found article."""
    assert state in FOUND_STATES, state
    return db.execute("UPDATE found SET state = ? WHERE id = ?",
                      (state, article_id)).rowcount > 0


def announced(db: sqlite3.Connection, article_id: str) -> None:
    """The article's `new` alert is out: its later checks are ordinary ones."""
    db.execute("UPDATE found SET announce = 0 WHERE id = ?", (article_id,))


def listing_items(db: sqlite3.Connection, listing_id: str) -> str | None:
    """The JSON of the items the listing named at its last check; None before it."""
    try:
        row = db.execute("SELECT items FROM listings WHERE id = ?", (listing_id,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return str(row["items"]) if row else None


def save_listing_items(db: sqlite3.Connection, listing_id: str, items: str,
                       checked_at: str) -> None:
    db.execute("INSERT OR REPLACE INTO listings (id, items, checked_at) VALUES (?, ?, ?)",
               (listing_id, items, checked_at))
