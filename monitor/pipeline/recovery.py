"""Bring the state database level with git, which is the truth, before a pass.

One rule table, by what the database recorded as the last commit it saw:

- the same as the branch's head: nothing to do;
- an ancestor of the head: a run died after committing and before telling the
  database; the commits after it are replayed and their alerts made, with the
  ids their commits name, so a receiver that saw one before the crash can tell
  the repeat;
- nothing (no database, as when a CI cache is lost, or one that never saw a
  commit), or a commit that is not in the history (it was reset or
  rewritten): state is rebuilt from every commit, and every alert those
  commits name is recorded as made but sent to nobody. They went out when they
  happened; sending them again would flood chat and mail, which do not
  de-duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from monitor.core.alert import Alert, make_alert
from monitor.core.diff import diff_documents
from monitor.core.document import Snapshot, text_sha256
from monitor.core.events import DIFF_EVENTS
from monitor.core.model import Config, Source
from monitor.notify.delivery import route
from monitor.pipeline.found import found_source, found_sources, listings
from monitor.store.found import FoundArticle, announced
from monitor.store.records import KEEP, LogEntry, RecordUpdate, now_iso
from monitor.store.store import Store


@dataclass(frozen=True)
class Recovery:
    """What ``recover`` did, for the run's summary."""

    replayed_alerts: int = 0  # alerts of commits made before a crash, now queued
    rebuilt_from: int | None = None  # commits the state was rebuilt from
    lost_head: str | None = None  # the recorded commit that the history no longer has

    def describe(self) -> str:
        if self.rebuilt_from is not None:
            why = "" if self.lost_head is None else (
                f"the state database's last commit {self.lost_head[:10]} is not in the "
                "snapshot history (was it reset or rewritten?): ")
            commits = f"{self.rebuilt_from} commit{'' if self.rebuilt_from == 1 else 's'}"
            return f"{why}state rebuilt from {commits}; no alerts re-sent"
        if self.lost_head is not None:
            return (f"the snapshot history is empty, but the state database last saw commit "
                    f"{self.lost_head[:10]}: each source's text is committed again from its "
                    "page, and edits made meanwhile alert")
        if self.replayed_alerts:
            return f"{self.replayed_alerts} alert(s) recovered from git after a crash"
        return ""


def recover(store: Store, config: Config) -> Recovery:
    head = store.head()
    known = store.ingested_head()
    if head is None and known is not None:  # the repository itself is gone or empty
        return Recovery(lost_head=known)
    if head is None or head == known:
        return Recovery()
    if known is None:
        return Recovery(rebuilt_from=_rebuild(store, config))
    if not store.is_ancestor(known, head):
        return Recovery(rebuilt_from=_rebuild(store, config), lost_head=known)
    return Recovery(replayed_alerts=_replay(store, config, since=known))


class Sources:
    """The sources commits are replayed as: the configured ones and the listings' articles.

    A found article is known by its row in the state database, or, when the rows
    are gone with the database, by its commits' ``Listing:`` trailer naming a
    configured listing.
    """

    def __init__(self, config: Config, store: Store):
        self.config = config
        self.by_id = {source.id: source for source in config.sources}
        self.by_id.update({source.id: source for source in found_sources(
            config, store.db, datetime.now(UTC), all_states=True)})
        self.listings = listings(config)

    def ours(self, source_id: str, entry: LogEntry) -> bool:
        return source_id in self.by_id or entry.trailers.get("Listing") in self.listings

    def source(self, source_id: str, url: str, entry: LogEntry) -> Source:
        known = self.by_id.get(source_id)
        if known is not None:
            return known
        listing = self.listings.get(entry.trailers.get("Listing") or "")
        if listing is not None:
            article = FoundArticle(source_id, listing.id, url, entry.date, "watching")
            return found_source(listing, article, self.config)
        return Source(id=source_id, url=url, schedule=self.config.settings.default_interval)


def _replayed_row(entry: LogEntry, url: str, source: Source) -> RecordUpdate:
    """A source's row as its latest commit says it was; validators are re-learnt.

    A commit without an ``Extractor`` trailer (a removal, or one made before
    versions were kept) leaves the extractor as the row has it: none, after a
    rebuild, so that the next check re-cuts the text quietly.
    """
    moved = url != source.shown(source.url)  # commits keep URLs in their shown form
    return RecordUpdate(status="removed" if entry.trailers["Event"] == "removed" else "ok",
                        gone_count=0, collapse_count=0, revision=entry.revision, etag=None,
                        last_modified=None, body_sha256=None,
                        tracking_url=source.actual(url) if moved else KEEP,
                        tracked_from=source.url if moved else KEEP,
                        extractor=entry.trailers.get("Extractor") or KEEP,
                        page_modified=entry.trailers.get("Modified", "")
                        if entry.trailers.get("Extractor") else KEEP)


def _rebuild(store: Store, config: Config) -> int:
    """State, versions and the alert record from every commit; nothing is sent."""
    entries = [e for e in reversed(store.log())
               if e.trailers.get("Source") and e.trailers.get("Event")]
    snapshots = store.snapshots_at([(e.revision, e.trailers["Source"]) for e in entries])
    sources = Sources(config, store)
    with store.transaction() as db:
        store.forget_history(db)
        for entry, snapshot in zip(entries, snapshots, strict=True):
            if snapshot is None:
                continue
            source_id = entry.trailers["Source"]
            source = sources.source(source_id, snapshot.url, entry)
            store.save(db, source_id, _replayed_row(entry, snapshot.url, source))
            store.add_version(db, source_id, text_sha256(snapshot.document), entry.revision)
            store.add_rebuilt_alerts(db, [
                replace(make_alert(alert_event, alert_id=alert_id, source=source,
                                   title=snapshot.document.title,
                                   detected_at=entry.trailers.get("Fetched-At", entry.date),
                                   revision=entry.revision,
                                   base_url=config.settings.web.base_url),
                        rebuilt_from_git=True)
                for alert_event, alert_id in entry.alerts])
        store.set_ingested_head(db, store.head() or "")
    return len(entries)


def _replay(store: Store, config: Config, since: str) -> int:
    """Replay the commits after ``since`` (a crash after commit): return alerts made."""
    made = 0
    sources = Sources(config, store)
    for entry in store.log(since=since):
        source_id, event = entry.trailers.get("Source"), entry.trailers.get("Event")
        snapshot = store.snapshot_at(entry.revision, source_id) if source_id else None
        if not source_id or not event or snapshot is None:  # not monitor's own commit
            with store.transaction() as db:
                store.set_ingested_head(db, entry.revision)
            continue
        previous = store.previous_revision(entry.revision, source_id)
        before = store.snapshot_at(previous, source_id) if previous else None
        source = sources.source(source_id, snapshot.url, entry)
        with store.transaction() as db:
            store.save(db, source_id, _replayed_row(entry, snapshot.url, source))
            store.add_version(db, source_id, text_sha256(snapshot.document), entry.revision)
            for alert_event, alert_id in entry.alerts:
                # Another project's source (two configs sharing one snapshots/): its
                # alerts are that project's to send, not ours.
                if store.has_alert(alert_id) or not sources.ours(source_id, entry):
                    continue
                alert = _replayed_alert(entry, alert_event, alert_id, source, previous,
                                        before, snapshot, config.settings.web.base_url)
                store.add_alert(db, alert, route(alert, source, config))
                if alert_event == "new" and source.listing:
                    announced(db, source_id)  # its next check is an ordinary one
                made += 1
            store.set_ingested_head(db, entry.revision)
    return made


def _replayed_alert(entry: LogEntry, event: str, alert_id: str, source: Source,
                    previous: str | None, before: Snapshot | None,
                    snapshot: Snapshot, base_url: str = "") -> Alert:
    diff = None
    if event in DIFF_EVENTS and before is not None and before.document != snapshot.document:
        diff = diff_documents(before.document, snapshot.document)
    return make_alert(event, alert_id=alert_id, source=source, title=snapshot.document.title,
                      detected_at=entry.trailers.get("Fetched-At", now_iso()),
                      revision=entry.revision, previous_revision=previous,
                      reason=entry.trailers.get("Reason"), diff=diff,
                      moved=(before.url if before else source.url, snapshot.url),
                      # A removal quotes the text as it was; a new article its own.
                      last_text=before.document if before and event == "removed"
                      else snapshot.document, base_url=base_url)
