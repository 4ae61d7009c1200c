"""pipeline/found.py: a listing's found articles as sources, with what ``follow:`` gives them.

Real SQLite (the store's own schema), a config loaded from YAML; no fetching.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import loader as cfg
from monitor.core.model import Config
from monitor.core.schedule import Schedule
from monitor.core.timestamps import stamp
from monitor.pipeline.found import checked_sources, found_sources
from monitor.store.found import FoundArticle, save_found
from monitor.store.store import Store

NOW = datetime.now(UTC).replace(microsecond=0)

CONFIG = """
settings:
  default_interval: 2h
channels:
  team: {type: webhook, url: "http://127.0.0.1:9/team"}
  desk: {type: webhook, url: "http://127.0.0.1:9/desk"}
sources:
  - id: press
    url: https://ministry.example/press/
    discover: links
    tags: [ministry]
    channels: [team]
    headers: {Accept-Language: en}
    follow: {interval: 1h, channels: [desk], selector: article, keep: 30d}
    exclude: [press.paused-111111]
  - id: feed
    url: https://ngo.example/feed.xml
    discover: feed
    enabled: %(feed_enabled)s
  - id: page
    url: https://ngo.example/page
"""


def load(tmp_path: Path, feed_enabled: bool = True) -> Config:
    path = tmp_path / "sources.yaml"
    path.write_text(CONFIG % {"feed_enabled": str(feed_enabled).lower()}, encoding="utf-8")
    return cfg.load(path)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store(tmp_path / "snapshots", tmp_path / ".monitor" / "state.db",
                   tmp_path / "alerts")
    opened.open()
    return opened


def row(article_id: str, listing: str, *, state: str = "watching",
        found: timedelta = timedelta(days=1)) -> FoundArticle:
    return FoundArticle(article_id, listing, f"https://site.example/{article_id}",
                        stamp(NOW - found), state)


def put(store: Store, *rows: FoundArticle, versions: dict[str, int] | None = None) -> None:
    with store.transaction() as db:
        save_found(db, rows)
        for source_id, count in (versions or {}).items():
            for n in range(count):
                store.add_version(db, source_id, f"hash-{n}", f"rev-{source_id}-{n}")


def test_an_article_takes_its_listings_follow_and_site(tmp_path: Path, store: Store) -> None:
    put(store, row("press.statement-aaaaaa", "press"), row("feed.report-bbbbbb", "feed"))
    config = load(tmp_path)
    by_id = {s.id: s for s in found_sources(config, store.db, NOW)}
    press = by_id["press.statement-aaaaaa"]
    assert press.listing == "press" and press.url == "https://site.example/press.statement-aaaaaa"
    assert press.schedule == Schedule(every=3600)  # follow.interval
    assert press.channels == ("desk",) and press.tags == ("ministry",)  # follow, else listing
    assert press.selector == "article" and press.headers == (("Accept-Language", "en"),)
    feed = by_id["feed.report-bbbbbb"]
    assert feed.schedule == Schedule(every=2 * 3600)  # no follow: the settings' default
    assert feed.channels == () and feed.selector is None
    ids = [s.id for s in checked_sources(config, store.db, NOW)]
    assert ids[:3] == ["press", "feed", "page"] and set(ids[3:]) == set(by_id)


def test_only_watched_articles_are_sources(tmp_path: Path, store: Store) -> None:
    put(store, row("press.known-cccccc", "press", state="known"),
        row("press.queued-dddddd", "press", state="queued"),
        row("press.watched-eeeeee", "press"))
    assert [s.id for s in found_sources(load(tmp_path), store.db, NOW)] == [
        "press.watched-eeeeee"]


def test_paused_articles_and_paused_listings_are_not_checked_but_listed(
        tmp_path: Path, store: Store) -> None:
    put(store, row("press.paused-111111", "press"),  # in the listing's exclude:
        row("press.removed-222222", "press", state="excluded"),  # state says so
        row("feed.report-bbbbbb", "feed"))
    paused = load(tmp_path, feed_enabled=False)
    assert found_sources(paused, store.db, NOW) == []
    everything = {s.id: s for s in found_sources(paused, store.db, NOW, all_states=True)}
    assert set(everything) == {"press.paused-111111", "press.removed-222222",
                               "feed.report-bbbbbb"}
    assert not any(source.enabled for source in everything.values())


def test_keep_ends_the_checks_of_an_article_that_never_changed(tmp_path: Path,
                                                               store: Store) -> None:
    put(store, row("press.old-quiet-333333", "press", found=timedelta(days=31)),
        row("press.old-edited-444444", "press", found=timedelta(days=31)),
        row("press.young-555555", "press", found=timedelta(days=29)),
        versions={"press.old-quiet-333333": 1, "press.old-edited-444444": 2,
                  "press.young-555555": 1})
    ids = {s.id for s in found_sources(load(tmp_path), store.db, NOW)}
    assert ids == {"press.old-edited-444444", "press.young-555555"}  # keep: 30d


def test_an_article_of_a_listing_gone_from_the_config_is_not_checked(tmp_path: Path,
                                                                     store: Store) -> None:
    put(store, row("gone.article-666666", "gone"))
    assert found_sources(load(tmp_path), store.db, NOW) == []
    assert found_sources(load(tmp_path), None, NOW) == []  # no database yet
