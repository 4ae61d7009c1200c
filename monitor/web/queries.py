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
from monitor.pipeline.found import found_sources
from monitor.store.history import Comparison, History, HistoryError, NoSnapshots, Version
from monitor.store.records import RecordSummary
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
class SourceTable:
    """One slice of the sources a filter keeps, and what the filter form offers."""

    rows: list[SourceRow]
    total: int  # every source
    matched: int  # those the filter keeps
    tags: list[str]  # every tag in use
    statuses: list[str]  # every status in use


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


#: (revision, source id) -> title: a commit never changes, so what it says is kept for
#: the life of the process (the sources page then asks git only for rows new since)
_TITLES: dict[tuple[str, str], str] = {}
TITLES_KEPT = 50_000


class NotFound(Exception):
    """No such source, revision or alert: a 404 whose text says why."""


class Reader:
    """Read-only questions of one project, for one request."""

    def __init__(self, config: Config, store: Store | None, history: History | None):
        self.config = config
        self.store = store
        self.history = history
        self._records: dict[str, RecordSummary] | None = None

    # --- sources ---------------------------------------------------------------

    def records(self) -> dict[str, RecordSummary]:
        """What the rows show of each source's state: one query per request, kept for the
        next question (whole records cost 30 ms a thousand sources; these a tenth)."""
        if self._records is None:
            self._records = self.store.record_summaries() if self.store else {}
        return self._records

    def titles(self, source_ids: Iterable[str]) -> dict[str, str]:
        """The title of each source's last stored version (those that have one), read by
        one git process for them all: the sources page asks it for the rows it shows."""
        records = self.records()
        pairs = [(records[i].revision or "", i) for i in source_ids
                 if i in records and records[i].revision]
        if self.history is None or not pairs:
            return {}
        missing = [pair for pair in pairs if pair not in _TITLES]
        for pair, snapshot in zip(missing, self.history.repo.snapshots_at(missing),
                                  strict=True):
            if len(_TITLES) >= TITLES_KEPT:
                _TITLES.clear()
            _TITLES[pair] = snapshot.document.title if snapshot else ""
        return {source_id: _TITLES[(revision, source_id)] for revision, source_id in pairs
                if _TITLES.get((revision, source_id))}

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
        return self.source_table(query=query, tag=tag, status=status).rows

    def source_table(self, *, query: str = "", tag: str = "", status: str = "",
                     offset: int = 0, limit: int | None = None) -> SourceTable:
        """The sources the filter keeps, rows made only for the slice shown: at 10,000
        sources the filter is a pass over plain values, not 10,000 rows built."""
        records = self.records()
        every = self.sources()
        needle = query.strip().casefold()
        statuses: set[str] = set()
        kept: list[tuple[Source, RecordSummary | None]] = []
        for source in every:
            record = records.get(source.id)
            state = status_of(source, record)
            statuses.add(state)
            if (status and state != status) or (tag and tag not in source.tags):
                continue
            if needle and needle not in source.id.casefold() \
                    and needle not in (source.name or "").casefold() \
                    and needle not in source.shown(source.url).casefold():
                continue
            kept.append((source, record))
        shown = kept[offset:] if limit is None else kept[offset:offset + limit]
        return SourceTable(rows=[row_of(source, record) for source, record in shown],
                           total=len(every), matched=len(kept),
                           tags=sorted({t for source in every for t in source.tags}),
                           statuses=sorted(statuses))

    def source_row(self, source_id: str) -> SourceRow:
        source = self.source(source_id)
        return row_of(source, self.records().get(source.id))

    # --- history ---------------------------------------------------------------

    def recorded(self, source_id: str) -> list[str]:
        """The source's versions oldest first, as the state database recorded them ([]
        when it recorded none: then git's own log is asked, slower in a long history)."""
        if self.store is None or self.store.db is None:
            return []
        return self.store.revisions_of(source_id)

    def _versions(self, source_id: str, limit: int | None) -> list[Version]:
        """Newest first. From the recorded revisions and one read of their commits, so a
        source's timeline costs the same in a history of 100 commits or of 100,000."""
        assert self.history is not None
        recorded = self.recorded(source_id)
        if not recorded:
            versions = self.history.versions(source_id)
            return versions[:limit] if limit else versions
        wanted = list(reversed(recorded))[:limit] if limit else list(reversed(recorded))
        entries = self.history.repo.commits_at(wanted)
        return [Version(e.revision, e.date, e.subject, e.trailers.get("Event", ""),
                        e.trailers.get("Reason", ""), tuple(e.alerts),
                        e.trailers.get("Fetched-At", "")) for e in entries if e is not None]

    def latest(self, source_id: str) -> str | None:
        """The source's newest version, or None."""
        versions = self._versions(source_id, 1) if self.history else []
        return versions[0].revision if versions else None

    def versions(self, source_id: str, *, with_summaries: bool = True,
                 limit: int | None = None) -> list[VersionRow]:
        versions = self._versions(source_id, limit) if self.history else []
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
        comparison = self._recorded_comparison(source_id, asked)
        if comparison is None:  # not what the database recorded: git's slower answer
            try:
                comparison = self.history.comparison(source_id, asked)
            except HistoryError as exc:
                raise NotFound(str(exc)) from None
        old, new = (snapshot or Snapshot(Document(), "")
                    for snapshot in self.history.repo.snapshots_at(
                        [(comparison.old, source_id), (comparison.new, source_id)]))
        entries = self.history.repo.commits_at([comparison.old, comparison.new])
        sides = [Version(e.revision, e.date, e.subject, e.trailers.get("Event", ""),
                         e.trailers.get("Reason", ""), tuple(e.alerts),
                         e.trailers.get("Fetched-At", "")).side() if e else Side(r, "", "")
                 for r, e in zip((comparison.old, comparison.new), entries, strict=True)]
        document_diff = diff_documents(old.document, new.document)
        return DiffView(source_id, sides[0], sides[1], old, new,
                        tuple(changed_blocks(old, new)), document_diff.as_dict(),
                        [change.as_dict() for change in document_diff.changes])

    def _recorded_comparison(self, source_id: str, asked: list[str]) -> Comparison | None:
        """The comparison from the recorded revisions, as ``History.comparison`` makes it;
        None when a revision asked is not among them (a short id is resolved first)."""
        recorded = self.recorded(source_id)
        if not recorded:
            return None
        if not asked:
            if len(recorded) < 2:
                raise NotFound(f"'{source_id}' has {len(recorded)} version(s): nothing to "
                               "compare yet")
            return Comparison(source_id, recorded[-2], recorded[-1])
        places = {revision: place for place, revision in enumerate(recorded)}
        found = [self._resolved(revision, places) for revision in asked]
        if any(revision is None for revision in found):
            return None
        if len(found) == 2:
            return Comparison(source_id, str(found[0]), str(found[1]))
        place = places[str(found[0])]
        if place == 0:
            raise NotFound(f"{asked[0]} is the first version of '{source_id}': nothing "
                           "before it to compare with")
        return Comparison(source_id, recorded[place - 1], recorded[place])

    def _resolved(self, revision: str, places: dict[str, int]) -> str | None:
        if revision in places:
            return revision
        if self.history is None or revision.startswith("-") or len(revision) > 64:
            return None
        full = self.history.repo.git("rev-parse", "--verify", "--quiet", "--end-of-options",
                                     f"{revision}^{{commit}}", check=False).strip()
        return full if full in places else None

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


def status_of(source: Source, record: RecordSummary | None) -> str:
    return "paused" if not source.enabled else "new" if record is None else (
        "failing" if record.failing else record.status)


def row_of(source: Source, record: RecordSummary | None) -> SourceRow:
    status = status_of(source, record)
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
