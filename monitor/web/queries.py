"""What the web view and the API show, asked of the store without writing anything.

The pages and the JSON API are two renderings of these answers, and the CLI's
``list``, ``history``, ``diff`` and ``alerts`` ask the same store and history
queries (``store.history``, ``store.outbox``), so all three say the same thing.
Nothing here takes the writer lock or touches git's index: the state database
is opened read-only and git is only read (``git log``, ``git cat-file``), so a
page never waits for a pass and a pass never waits for a page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.core.diff import diff_documents
from monitor.core.document import Document, Snapshot
from monitor.core.events import Event
from monitor.core.model import Config, Source
from monitor.core.readable_diff import Block, Side, changed_blocks
from monitor.core.schedule import Schedule
from monitor.pipeline.found import found_sources
from monitor.store.history import History, HistoryError, NoSnapshots, Version
from monitor.store.records import SourceRecord
from monitor.store.store import Store


@dataclass(frozen=True)
class SourceRow:
    """One line of the sources page, one item of ``GET /api/sources``."""

    id: str
    url: str
    name: str | None
    status: str  # new, ok, removed, failing, paused
    tags: tuple[str, ...]
    enabled: bool
    listing: str | None  # the listing that found it, for a found article
    kind: str | None  # feed, sitemap or links, for a listing
    last_checked: str | None
    last_outcome: str | None
    last_event: str | None
    last_event_at: str | None
    last_changed_at: str | None
    last_error: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "name": self.name, "status": self.status,
                "tags": list(self.tags), "enabled": self.enabled, "listing": self.listing,
                "discover": self.kind, "last_checked": self.last_checked,
                "last_outcome": self.last_outcome, "last_event": self.last_event,
                "last_event_at": self.last_event_at, "last_changed_at": self.last_changed_at,
                "last_error": self.last_error}


@dataclass(frozen=True)
class VersionRow:
    """One version in a source's timeline, newest first."""

    revision: str
    event: str
    reason: str | None
    detected_at: str
    title: str
    summary: str  # "changed: 80,000 → 8,000", the words `monitor history` prints
    alerts: tuple[tuple[str, str], ...]  # (event, alert id) the commit raised

    def to_json(self) -> dict[str, Any]:
        return {"revision": self.revision, "event": self.event, "reason": self.reason,
                "detected_at": self.detected_at, "title": self.title,
                "summary": self.summary,
                "alerts": [{"event": e, "id": i} for e, i in self.alerts]}


@dataclass(frozen=True)
class DiffView:
    """Two versions of one source and what changed between them, field by field."""

    source_id: str
    old: Side
    new: Side
    old_snapshot: Snapshot
    new_snapshot: Snapshot
    blocks: tuple[Block, ...]  # changed fields and paragraphs, with their word diffs
    diff: dict[str, Any]  # the alert's `diff` shape
    changes: list[dict[str, Any]]  # the alert's `changes` shape


class NotFound(Exception):
    """No such source, revision or alert: a 404 whose text says why."""


class Reader:
    """Read-only questions of one project, for one request."""

    def __init__(self, config: Config, store: Store | None, history: History | None):
        self.config = config
        self.store = store
        self.history = history
        self._records: dict[str, SourceRecord] | None = None

    # --- sources ---------------------------------------------------------------

    def records(self) -> dict[str, SourceRecord]:
        """Every source's state row: one query per request, kept for the next question."""
        if self._records is None:
            self._records = self.store.records() if self.store else {}
        return self._records

    def titles(self, source_ids: Iterable[str]) -> dict[str, str]:
        """The title of each source's last stored version (those that have one), read by
        one git process for them all: the sources page asks it for the rows it shows."""
        records = self.records()
        pairs = [(records[i].revision or "", i) for i in source_ids
                 if i in records and records[i].revision]
        if self.history is None or not pairs:
            return {}
        snapshots = self.history.repo.snapshots_at(pairs)
        return {source_id: snapshot.document.title
                for (_, source_id), snapshot in zip(pairs, snapshots, strict=True)
                if snapshot is not None and snapshot.document.title}

    def sources(self) -> list[Source]:
        """The configured sources, each listing followed by what it found."""
        found = found_sources(self.config, self.store.db if self.store else None,
                              datetime.now(UTC), all_states=True)
        by_listing: dict[str, list[Source]] = {}
        for source in found:
            by_listing.setdefault(source.listing or "", []).append(source)
        ordered: list[Source] = []
        for source in self.config.sources:
            ordered.append(source)
            ordered += by_listing.get(source.id, [])
        return ordered

    def source(self, source_id: str) -> Source:
        for source in self.sources():
            if source.id == source_id:
                return source
        raise NotFound(f"no source '{source_id}'")

    def source_rows(self, *, query: str = "", tag: str = "",
                    status: str = "") -> list[SourceRow]:
        records = self.records()
        rows = [row_of(source, records.get(source.id)) for source in self.sources()]
        return filter_rows(rows, query=query, tag=tag, status=status)

    def source_row(self, source_id: str) -> SourceRow:
        source = self.source(source_id)
        return row_of(source, self.records().get(source.id))

    # --- history ---------------------------------------------------------------

    def versions(self, source_id: str, *, with_summaries: bool = True) -> list[VersionRow]:
        versions = self.history.versions(source_id) if self.history else []
        if self.history is None or not versions:
            self.source(source_id)  # NotFound when it is no source either
            return []
        summaries = self.history.summaries(source_id, versions) if with_summaries \
            else [v.event for v in versions]
        titles = self._titles(source_id, versions)
        return [VersionRow(v.revision, v.event or v.subject, v.reason or None, v.when,
                           title, summary, v.alerts)
                for v, summary, title in zip(versions, summaries, titles, strict=True)]

    def _titles(self, source_id: str, versions: list[Version]) -> list[str]:
        assert self.history is not None
        snapshots = self.history.repo.snapshots_at([(v.revision, source_id) for v in versions])
        return [s.document.title if s else "" for s in snapshots]

    def diff(self, source_id: str, revision: str | None = None,
             to: str | None = None) -> DiffView:
        """What ``revision`` changed (None: the latest change); with ``to``, from
        ``revision`` to ``to``. An unknown revision, or another source's, is NotFound."""
        if self.history is None:
            raise NotFound(f"no versions of '{source_id}' yet")
        asked = [r for r in (revision, to) if r]
        try:
            comparison = self.history.comparison(source_id, asked)
        except HistoryError as exc:
            raise NotFound(str(exc)) from None
        old, new = (snapshot or Snapshot(Document(), "")
                    for snapshot in self.history.repo.snapshots_at(
                        [(comparison.old, source_id), (comparison.new, source_id)]))
        by_revision = {v.revision: v for v in self.history.versions(source_id)}
        sides = [by_revision[r].side() if r in by_revision else Side(r, "", "")
                 for r in (comparison.old, comparison.new)]
        document_diff = diff_documents(old.document, new.document)
        return DiffView(source_id, sides[0], sides[1], old, new,
                        tuple(changed_blocks(old, new)), document_diff.as_dict(),
                        [change.as_dict() for change in document_diff.changes])

    # --- alerts ----------------------------------------------------------------

    def alerts(self, limit: int = 100) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """The newest alerts, each with its delivery to each channel."""
        if self.store is None or self.store.db is None:
            return []
        return self.store.recent_alerts(limit)

    def changes(self, *, tag: str = "", source_id: str = "",
                limit: int = 50) -> list[dict[str, Any]]:
        """The newest alerts that say the wording or the page changed (the feed's
        entries): every event but ``failing`` and ``recovered``, of one source or
        one tag. Read in the alerts' own order, newest first, stopping at ``limit``."""
        if self.store is None or self.store.db is None or limit <= 0:
            return []
        events = sorted(CHANGE_EVENTS)
        sql = (f"SELECT body FROM alerts WHERE event IN ({', '.join('?' * len(events))})"
               + (" AND source_id = ?" if source_id else "") + " ORDER BY id DESC")
        rows: Iterable[Any] = self.store.db.execute(
            sql, (*events, source_id) if source_id else events)
        found: list[dict[str, Any]] = []
        for (body,) in rows:
            alert = json.loads(body)
            if tag and tag not in (alert.get("tags") or ()):
                continue
            found.append(alert)
            if len(found) >= limit:
                break
        return found


#: the events of the feed of changes: what happened to a page, not to its checks
CHANGE_EVENTS = frozenset(str(e) for e in Event) - {str(Event.FAILING), str(Event.RECOVERED)}


def describe_schedule(schedule: Schedule) -> str:
    """``every 6h``, ``cron 0 * * * *``, ``adaptive, every 15m to 7d``: as ``list --long``."""
    if schedule.cron:
        return f"cron {schedule.cron}"
    if schedule.adaptive:
        return (f"adaptive, every {_duration(schedule.min_every)} to "
                f"{_duration(schedule.max_every)}")
    return f"every {_duration(schedule.every or 0)}"


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def row_of(source: Source, record: SourceRecord | None) -> SourceRow:
    status = "paused" if not source.enabled else "new" if record is None else (
        "failing" if record.state.failing else record.state.status)
    return SourceRow(
        id=source.id, url=source.shown(source.url), name=source.name, status=status,
        tags=source.tags, enabled=source.enabled, listing=source.listing,
        kind=source.discover.kind if source.discover else None,
        last_checked=record.last_checked if record else None,
        last_outcome=record.last_outcome if record else None,
        last_event=record.last_event if record else None,
        last_event_at=record.last_event_at if record else None,
        last_changed_at=record.last_changed_at if record else None,
        last_error=source.shown(record.last_error) if record and record.last_error else None)


def filter_rows(rows: list[SourceRow], *, query: str = "", tag: str = "",
                status: str = "") -> list[SourceRow]:
    """Rows whose id, name or URL hold ``query`` (any case), with ``tag`` and ``status``."""
    needle = query.strip().casefold()
    return [row for row in rows
            if (not needle or needle in row.id.casefold() or needle in row.url.casefold()
                or needle in (row.name or "").casefold())
            and (not tag or tag in row.tags) and (not status or row.status == status)]


def _has_state(store: Store) -> bool:
    """Whether a pass ever wrote the database: ``monitor token create`` alone makes one
    that holds only the tokens and users."""
    assert store.db is not None
    return store.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                            "AND name = 'sources'").fetchone() is not None


@contextmanager
def reading(config: Config) -> Iterator[Reader]:
    """A Reader over a read-only state database and the snapshot history, if they exist."""
    store = Store.of(config.settings)
    opened = store.open_readonly() and _has_state(store)
    try:
        try:
            history: History | None = History(config.settings.snapshots)
        except NoSnapshots:
            history = None
        yield Reader(config, store if opened else None, history)
    finally:
        store.close()
