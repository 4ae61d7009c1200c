"""Group commit: checks that finish together share one git run and one transaction."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from monitor.archive.queue import enqueue
from monitor.core.alert import Alert
from monitor.core.decide import State
from monitor.core.events import Event
from monitor.core.model import ArchiveConfig, Source
from monitor.evidence.keeper import EvidenceKeeper, ToCapture, capture_digest
from monitor.store.records import Change, RecordUpdate
from monitor.store.store import Store

MAX_BATCH = 500  # outcomes per group commit: one fast-import stream stays a few MB


@dataclass
class Outcome:
    """Everything one check wants written: maybe a snapshot commit, state, alerts."""

    source: Source
    previous_revision: str | None
    state: State
    update: RecordUpdate
    alerts: list[Alert]
    change: Change | None
    text_hash: str
    routes: dict[str, list[str]]  # alert id -> the channels it goes to
    capture: ToCapture | None = None  # the raw exchange, kept with the commit
    # more rows this check writes in the same transaction (a listing's found articles)
    also: Callable[[sqlite3.Connection], None] | None = None


class Writer:
    """Group commit: outcomes that arrive while a write is running share the next one.

    One fast-import run for all their commits, then one SQLite transaction for
    all their state and alerts, so a pass where every page changed costs one
    git process and one fsync per batch instead of per page, and an idle
    daemon still writes each outcome at once.
    """

    def __init__(self, store: Store, evidence: EvidenceKeeper,
                 archives: Sequence[ArchiveConfig] = ()):
        self.store = store
        self.evidence = evidence
        self.archives = archives
        self._pending: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None
        # Outcomes waiting or being written, at most two batches: when git is the
        # slowest stage, checks wait here instead of piling up documents in memory.
        self._room = asyncio.Semaphore(2 * MAX_BATCH)

    async def write(self, outcome: Outcome) -> None:
        await self._room.acquire()
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda _: self._room.release())
        self._pending.append((outcome, future))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.ensure_future(self._drain())
        await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[:MAX_BATCH]
            self._pending = self._pending[MAX_BATCH:]
            try:
                await self._flush([outcome for outcome, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    future.set_exception(exc)
            else:
                for _, future in batch:
                    future.set_result(None)

    async def _flush(self, outcomes: list[Outcome]) -> None:
        committing = [o for o in outcomes if o.change is not None]
        revisions: list[str] = []
        changes: list[Change] = []
        if committing:  # most checks change nothing: no thread hop for them
            changes, revisions = await asyncio.to_thread(self._commit, committing)
        revision_of = {id(o): r for o, r in zip(committing, revisions, strict=True)}
        with self.store.transaction() as db:
            for outcome in outcomes:
                source_id = outcome.source.id
                revision = revision_of.get(id(outcome))
                alerts = outcome.alerts
                if revision is not None:
                    alerts = [self._committed(alert, outcome, revision) for alert in alerts]
                self.store.save(db, source_id, RecordUpdate.of_state(outcome.state),
                                outcome.update)
                if revision is not None:
                    self.store.save(db, source_id, RecordUpdate(revision=revision))
                    self.store.add_version(db, source_id, outcome.text_hash, revision)
                    if self.archives and outcome.change is not None:
                        enqueue(db, source_id=source_id, revision=revision,
                                url=outcome.change.trailers["URL"],
                                event=outcome.change.event, services=self.archives)
                for alert in alerts:
                    self.store.add_alert(db, alert, outcome.routes[alert.id])
                if outcome.also is not None:
                    outcome.also(db)
            if revisions:
                self.store.set_ingested_head(db, revisions[-1])
        if revisions:  # after the commits and the state are durable: it names them
            captures = [d for d in (capture_digest(c.trailers) for c in changes) if d]
            await asyncio.to_thread(self.evidence.checkpoint, head=revisions[-1],
                                    commits=revisions, captures=captures)

    def _commit(self, committing: list[Outcome]) -> tuple[list[Change], list[str]]:
        """Captures first, fsynced, then the commits that name them (in a thread)."""
        trailers = self.evidence.capture([o.capture or ToCapture(()) for o in committing])
        changes = [replace(change, trailers={**change.trailers, **extra})
                   for change, extra in zip([o.change for o in committing if o.change],
                                            trailers, strict=True)]
        return changes, self.store.commit(changes)

    def _committed(self, alert: Alert, outcome: Outcome, revision: str) -> Alert:
        """The alert of a committed outcome; a change back to earlier wording says so."""
        earlier = None
        if alert.event == Event.CHANGED:
            earlier = self.store.earlier_revision_with(
                outcome.source.id, outcome.text_hash, exclude=outcome.previous_revision)
        return alert.committed_as(revision, reverts_to=earlier)
