"""Found articles as sources: what a listing's ``follow:`` gives each article it found.

A found article is not written into sources.yaml: it is a row of the state
database (``store.found``) and becomes a ``Source`` here, each time the
sources are read, so an edit of the listing's ``follow:`` reaches all its
articles at once.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime

from monitor.core.model import Config, Source
from monitor.core.timestamps import parse_stamp
from monitor.store.found import FoundArticle, found_articles


def listings(config: Config) -> dict[str, Source]:
    """The configured sources that are listings, by id."""
    return {source.id: source for source in config.sources if source.discover}


def found_source(listing: Source, article: FoundArticle, config: Config) -> Source:
    """The source that watches ``article``: its URL, the listing's ``follow:`` and site."""
    assert listing.discover is not None
    follow = listing.discover.follow
    return Source(
        id=article.id, url=article.url,
        schedule=follow.schedule or config.settings.default_interval,
        channels=follow.channels or listing.channels, tags=follow.tags or listing.tags,
        selector=follow.selector, ignore=follow.ignore,
        # The listing's site asks for the same headers; its secrets are the listing's.
        user_agent=listing.user_agent, headers=listing.headers,
        url_secrets=listing.url_secrets, missing_secrets=listing.missing_secrets,
        enabled=listing.enabled and article.id not in listing.discover.exclude,
        name=None, listing=listing.id)


def found_sources(config: Config, db: sqlite3.Connection | None, now: datetime, *,
                  all_states: bool = False) -> list[Source]:
    """The found articles that are checked now: watched, not excluded, not past ``keep``.

    ``keep`` ends the checks of an article that long after it was found unless
    it changed since its first version. ``all_states`` gives every watched one,
    paused and expired too (for ``monitor list``).
    """
    if db is None:
        return []
    by_id = listings(config)
    found: list[Source] = []
    for article in found_articles(db, states=("watching", "excluded")):
        listing = by_id.get(article.listing_id)
        if listing is None or listing.discover is None:
            continue  # its listing is gone from the config: its history stays in git
        source = found_source(listing, article, config)
        if article.state == "excluded":
            source = replace(source, enabled=False)
        keep = listing.discover.follow.keep
        if all_states or (source.enabled and not _expired(db, article, keep, now)):
            found.append(source)
    return found


def _expired(db: sqlite3.Connection, article: FoundArticle, keep: float,
             now: datetime) -> bool:
    found_at = parse_stamp(article.found_at)
    if keep <= 0 or found_at is None or (now - found_at).total_seconds() < keep:
        return False
    versions = db.execute("SELECT count(*) FROM versions WHERE source_id = ?",
                          (article.id,)).fetchone()[0]
    return int(versions) <= 1  # only its first version: it never changed


def checked_sources(config: Config, db: sqlite3.Connection | None,
                    now: datetime) -> list[Source]:
    """Everything a pass checks: the active configured sources, then their found articles."""
    return [*config.active_sources, *found_sources(config, db, now)]
