"""One check of a listing: what it names now, what is new, what left it.

    fetch ─► parse (feed, sitemap, links) ─► new articles ─► delisted ─► commit + rows

A listing's check never alerts ``changed``: its alerts are the articles it
found (``new``, raised by each article's own first check, with its text, and
one ``held-back`` here past ``max_new``) and those it stopped naming while their
pages still work (``delisted``). Its snapshot is one canonical URL a line, so
each new or dropped article is a one-line commit with its capture. A body that
is not what the source says, or a listing that nearly emptied at once, is the
listing's check error: it counts toward ``failing`` and changes nothing.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from monitor.core.alert import Alert, make_alert
from monitor.core.classify import Observation
from monitor.core.decide import State, decide
from monitor.core.document import Document, Snapshot, text_sha256
from monitor.core.events import Event
from monitor.core.model import Config, Source
from monitor.core.timestamps import stamp
from monitor.discover import ListedItem, ListingError
from monitor.discover.delisting import (
    FEED,
    LINKS,
    NEWS_SITEMAP,
    SITEMAP,
    Delisting,
    Semantics,
    Watch,
    confirm,
    delisting,
)
from monitor.discover.feed import parse_feed
from monitor.discover.ids import article_id
from monitor.discover.links import article_links
from monitor.discover.listing import dedupe, items_from_json, items_json, new_articles
from monitor.discover.sitemap import Sitemap, parse_sitemap
from monitor.evidence.keeper import ToCapture
from monitor.fetch.interface import PageFetcher
from monitor.fetch.result import FetchResult
from monitor.notify.delivery import new_alert_id, route
from monitor.pipeline.check_record import SEEN_OUTCOMES, last_seen
from monitor.pipeline.found import found_source
from monitor.pipeline.reports import CheckReport
from monitor.pipeline.writer import Outcome, Writer
from monitor.store.found import (
    FoundArticle,
    found_articles,
    listing_items,
    save_found,
    save_listing_items,
)
from monitor.store.records import KEEP, Change, RecordUpdate, SourceRecord, now_iso
from monitor.store.store import Store

MAX_CHILD_SITEMAPS = 50  # child sitemaps of an index read per check


@dataclass(frozen=True)
class Listed:
    """What the listing names now, and how to read what it no longer names."""

    items: tuple[ListedItem, ...]
    semantics: Semantics
    fresh: bool  # parsed from a new body (False: a 304 or the same bytes)


class ListingChecker:
    """Checks the listings of one pass, with the Checker's store, fetcher and writer."""

    def __init__(self, config: Config, store: Store, fetcher: PageFetcher, writer: Writer):
        self.config = config
        self.settings = config.settings
        self.store = store
        self.fetcher = fetcher
        self.writer = writer

    async def check(self, source: Source) -> CheckReport:
        assert source.discover is not None
        record = self.store.record(source.id)
        db = self.store.db
        assert db is not None
        stored = self.store.read_snapshot(source.id)
        remembered = listing_items(db, source.id)
        rows = found_articles(db, source.id)
        previous: tuple[ListedItem, ...] | None = None
        if remembered is not None:
            previous = items_from_json(remembered)
        elif stored is not None:  # the state is gone but git kept the listing: rebuild
            previous = tuple(ListedItem(url) for url in stored.document.paragraphs)
            rows = self._rebuilt(source, previous)
        result = await self.fetcher.fetch(
            source.url, etag=record.etag if previous is not None else None,
            last_modified=record.last_modified if previous is not None else None,
            known_sha256=record.body_sha256 if previous is not None else None,
            headers=source.request_headers() or None)
        try:
            listed = await self._listed(source, record, result, previous)
        except ListingError as exc:
            return await self._failed(source, record, result, str(exc))
        now = result.fetched_at
        gone = Delisting()
        if previous is not None and listed.fresh:
            gone = delisting(previous, listed.items, listed.semantics, now)
            if gone.suspect:
                return await self._failed(source, record, result, gone.suspect)
        return await self._found(source, record, stored, result, listed, previous, rows, gone,
                                 rebuilt=remembered is None and stored is not None)

    async def _listed(self, source: Source, record: SourceRecord, result: FetchResult,
                      previous: tuple[ListedItem, ...] | None) -> Listed:
        assert source.discover is not None
        kind = source.discover.kind
        semantics = {"feed": FEED, "links": LINKS}.get(kind, SITEMAP)
        if result.error:
            raise ListingError(source.shown(result.error))
        if result.status == 304 or (previous is not None and result.status == 200
                                    and result.content_sha256 == record.body_sha256):
            if previous is None:
                raise ListingError("HTTP 304 Not Modified to a request that asked nothing "
                                   "conditionally")
            days = record.scope == "news"  # a news sitemap stays one
            return Listed(previous, NEWS_SITEMAP if days else semantics, fresh=False)
        if result.status != 200:
            raise ListingError(f"the listing answers HTTP {result.status}, not 200: check "
                               "its URL (a listing that is gone finds nothing, it removes "
                               "nothing)")
        if kind == "feed":
            items = await asyncio.to_thread(parse_feed, result.body, result.final_url,
                                            result.headers.get("content-type"))
        elif kind == "links":
            items = await asyncio.to_thread(article_links, result.body, result.final_url,
                                            source.discover.match)
        else:
            sitemap = await asyncio.to_thread(parse_sitemap, result.body, result.final_url)
            if sitemap.index:
                sitemap = await self._children(source, sitemap)
            items = sitemap.items
            if sitemap.news:
                semantics = NEWS_SITEMAP
        match = source.discover.match
        if match and kind != "links":
            pattern = re.compile(match)
            items = tuple(i for i in items if pattern.search(i.url))
        return Listed(dedupe(items), semantics, fresh=True)

    async def _children(self, source: Source, index: Sitemap) -> Sitemap:
        """The articles of an index's child sitemaps, each fetched by our own client."""
        items: list[ListedItem] = []
        news = False
        for child in index.children[:MAX_CHILD_SITEMAPS]:
            answer = await self.fetcher.fetch(child.url, headers=source.request_headers() or None)
            if answer.error or answer.status != 200:
                why = source.shown(answer.error or f"HTTP {answer.status}")
                raise ListingError(f"the sitemap index names {source.shown(child.url)}, "
                                   f"which cannot be read ({why})")
            part = await asyncio.to_thread(parse_sitemap, answer.body, answer.final_url)
            if part.index:
                raise ListingError("a sitemap index names another index: name the child "
                                   "sitemaps' index itself as the source")
            items += part.items
            news = news or part.news
        return Sitemap(items=tuple(items), news=news)

    def _rebuilt(self, source: Source, urls: tuple[ListedItem, ...]) -> list[FoundArticle]:
        """Found rows from git alone: listed URLs known, those with snapshots watched."""
        found_at = now_iso()
        rows = []
        for item in urls:
            found_id = article_id(source.id, item.url)
            watched = self.store.has_snapshot_file(found_id)
            rows.append(FoundArticle(found_id, source.id, item.url, found_at,
                                     "watching" if watched else "known"))
        return rows

    async def _found(self, source: Source, record: SourceRecord, stored: Snapshot | None,
                     result: FetchResult, listed: Listed,
                     previous: tuple[ListedItem, ...] | None, rows: list[FoundArticle],
                     gone: Delisting, rebuilt: bool) -> CheckReport:
        assert source.discover is not None
        discovery = source.discover
        found_at = stamp(result.fetched_at)
        by_url = {row.url: row for row in rows}
        queued = [ListedItem(r.url, r.title) for r in rows if r.state == "queued"]
        news = new_articles(listed.items, by_url.keys(), queued, first_check=previous is None,
                            baseline_watch=discovery.baseline_watch, max_new=discovery.max_new)
        listed_items = {item.url: item for item in listed.items}
        # Rows rebuilt from git are not in the database yet: all of them are written.
        changed: dict[str, FoundArticle] = {row.id: row for row in rows} if rebuilt else {}
        for url in news.known:
            if url not in by_url:
                item = listed_items.get(url, ListedItem(url))
                row = FoundArticle(article_id(source.id, url), source.id, url, found_at,
                                   "known", title=item.title,
                                   published=stamp(item.published) if item.published else None)
                by_url[url] = changed[row.id] = row
        for place, item in enumerate(news.queued):
            row = by_url[item.url]
            by_url[item.url] = changed[row.id] = replace(row, state="queued", place=place)
        for item in news.watch:
            row = by_url[item.url]
            kept_as = "excluded" if row.id in discovery.exclude else "watching"
            by_url[item.url] = changed[row.id] = replace(row, state=kept_as, place=0,
                                                         announce=news.alert)
        alerts = self._delisted(source, listed, gone, by_url, changed)
        if news.held_back:
            alerts.append(make_alert(Event.NEW, alert_id=new_alert_id(), source=source,
                                     title=source.name or source.id, detected_at=found_at,
                                     revision=None, reason="held-back", count=news.held_back,
                                     listing_id=source.id, base_url=self.settings.web.base_url))
        paragraphs = tuple(sorted(listed_items))
        document = Document(title=source.name or f"{source.id} ({discovery.kind})",
                            paragraphs=paragraphs)
        first = previous is None
        commit = stored is None or stored.document.paragraphs != paragraphs
        outcome = "baseline" if first or stored is None else "changed" if commit \
            else "unchanged"
        change = None
        if commit:
            before = set(stored.document.paragraphs) if stored else set()
            added, dropped = len(set(paragraphs) - before), len(before - set(paragraphs))
            change = Change(
                source_id=source.id, event=outcome,
                snapshot=Snapshot(document, url=source.shown(source.url)),
                trailers={"URL": source.shown(source.url), "Fetched-At": found_at,
                          **({"HTTP-Status": str(result.status)} if result.status else {}),
                          "Content-SHA256": result.content_sha256,
                          "Listing-Kind": discovery.kind},
                summary=f"{len(paragraphs)} listed" if first else
                f"{added} new, {dropped} no longer listed",
                alerts=[(a.event, a.id) for a in alerts if a.event == Event.NEW])
        state = State(status="ok")
        if record.state.failing:
            alerts.insert(0, self._alert(Event.RECOVERED, source, record, found_at, None))
        fresh = listed.fresh and result.status == 200
        update = RecordUpdate(
            last_checked=now_iso(), last_outcome=outcome, last_seen_at=now_iso(),
            last_error=None, final_url=result.final_url if result.status else KEEP,
            etag=result.headers.get("etag") if fresh else KEEP,
            last_modified=result.headers.get("last-modified") if fresh else KEEP,
            body_sha256=result.content_sha256 if fresh else KEEP,
            scope=("news" if listed.semantics is NEWS_SITEMAP else "") if fresh else KEEP,
            last_changed_at=found_at if commit else KEEP,
            last_event=str(alerts[-1].event) if alerts else KEEP,
            last_event_at=found_at if alerts else KEEP)
        items = items_json(listed.items)

        def also(db: sqlite3.Connection) -> None:
            save_found(db, changed.values())
            save_listing_items(db, source.id, items, found_at)

        await self.writer.write(Outcome(
            source=source, previous_revision=record.revision, state=state, update=update,
            alerts=alerts, change=change,
            text_hash=text_sha256(document) if change else "",
            routes={a.id: route(a, self._alert_source(source, a), self.config)
                    for a in alerts},
            capture=ToCapture(result.exchange, source.shown) if change else None, also=also))
        watched = sum(1 for item in news.watch if by_url[item.url].state == "watching")
        detail = f"{len(listed.items)} listed"
        if watched:
            detail += f", {watched} {'watched from now' if first else 'new'}"
        if news.queued:
            detail += f", {len(news.queued)} waiting (max_new {discovery.max_new})"
        return CheckReport(source.id, outcome, [str(a.event) for a in alerts], detail=detail)

    def _delisted(self, source: Source, listed: Listed, gone: Delisting,
                  by_url: dict[str, FoundArticle],
                  changed: dict[str, FoundArticle]) -> list[Alert]:
        """Each watched article's count of checks its listing missed it; the alerts due."""
        now_listed = {item.url for item in listed.items}
        candidates = set(gone.candidates)
        alerts: list[Alert] = []
        for url, row in list(by_url.items()):
            if row.state != "watching":
                continue
            listed_now = url in now_listed
            if listed_now and not (row.misses or row.delisted):
                continue
            if not listed_now and url not in candidates and not row.misses:
                continue  # scrolled off, or never expected here: not counting
            record = self.store.record(row.id)
            watch, event = confirm(Watch(row.misses, row.delisted), listed_now,
                                   _resolves(record), self.settings.confirm_removal)
            updated = replace(row, misses=watch.misses, delisted=watch.delisted)
            if updated != row:
                by_url[url] = changed[row.id] = updated
            if event in ("delisted", "reverted"):
                alerts.append(self._delisted_alert(source, row, record, event))
        return alerts

    def _delisted_alert(self, listing: Source, row: FoundArticle, record: SourceRecord,
                        event: str) -> Alert:
        article = found_source(listing, row, self.config)
        snapshot = self.store.read_snapshot(row.id)
        text = snapshot.document if snapshot else None
        return make_alert(Event.DELISTED, alert_id=new_alert_id(), source=article,
                          title=(text.title if text else "") or row.title or row.url,
                          detected_at=stamp(datetime.now(UTC)), revision=record.revision,
                          reason="reverted" if event == "reverted" else None,
                          last_text=text, last_seen_at=last_seen(record),
                          listing_id=listing.id, base_url=self.settings.web.base_url)

    def _alert_source(self, listing: Source, alert: Alert) -> Source:
        """The source an alert is routed as: a delisted article goes where its listing's
        ``follow:`` sends its articles."""
        if alert.source_id == listing.id or self.store.db is None:
            return listing
        row = next(iter(r for r in found_articles(self.store.db, listing.id)
                        if r.id == alert.source_id), None)
        return found_source(listing, row, self.config) if row else listing

    def _alert(self, event: Event, source: Source, record: SourceRecord, detected_at: str,
               reason: str | None) -> Alert:
        return make_alert(event, alert_id=new_alert_id(), source=source,
                          title=source.name or source.id, detected_at=detected_at,
                          revision=record.revision, reason=reason,
                          base_url=self.settings.web.base_url)

    async def _failed(self, source: Source, record: SourceRecord, result: FetchResult,
                      why: str) -> CheckReport:
        """The listing could not be read: an error that changes nothing it knows."""
        decision = decide(record.state, Observation("error", reason=why),
                          confirm_removal=self.settings.confirm_removal,
                          failing_after=self.settings.failing_after)
        detected_at = stamp(result.fetched_at)
        alerts = [self._alert(Event(e), source, record, detected_at, why)
                  for e in decision.events]
        update = RecordUpdate(last_checked=now_iso(), last_outcome="error", last_error=why,
                              last_event=str(alerts[-1].event) if alerts else KEEP,
                              last_event_at=detected_at if alerts else KEEP)
        await self.writer.write(Outcome(
            source=source, previous_revision=record.revision, state=decision.state,
            update=update, alerts=alerts, change=None, text_hash="",
            routes={a.id: route(a, source, self.config) for a in alerts}))
        return CheckReport(source.id, "error", [str(a.event) for a in alerts], detail=why)


def _resolves(record: SourceRecord) -> bool | None:
    """Whether a found article's own last check found its page (None: not checked yet)."""
    if record.state.status == "removed" or record.last_outcome in ("gone", "removed"):
        return False
    if record.last_outcome in SEEN_OUTCOMES:
        return True
    return None
