"""One check of one source, and one pass over many: the pipeline end to end.

    fetch ─► extract + diff (worker) ─► decide ─► commit ─► state + outbox ─► alerts/

Everything that can go wrong with one page ends as that source's ``error``
outcome; the others carry on.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import replace
from functools import partial

from monitor.archive.queue import mementos
from monitor.core.alert import Alert, make_alert
from monitor.core.classify import Observation, classify, judge
from monitor.core.decide import ANSWERED, Circumstances, Decision, State, decide
from monitor.core.diff import Diff, diff_documents
from monitor.core.document import Document, Snapshot, text_sha256
from monitor.core.events import COMMIT_EVENTS, Event
from monitor.core.model import Config, Source
from monitor.core.safe_text import strip_controls
from monitor.core.storm import judge_storm
from monitor.core.timestamps import stamp
from monitor.discover.signals import PageSignals, SignalEvent
from monitor.evidence.keeper import EvidenceKeeper, ToCapture
from monitor.extract.scope import scope_key
from monitor.extract.version import extractor_version
from monitor.fetch.interface import PageFetcher
from monitor.fetch.result import FetchResult
from monitor.notify.delivery import (
    new_alert_id,
    route,
)
from monitor.pipeline.analyser import Analyser, WorkerCrashed
from monitor.pipeline.check_record import detail, last_seen, record_update, summary, trailers
from monitor.pipeline.listing_check import ListingChecker
from monitor.pipeline.page_signals import Observed, observe
from monitor.pipeline.reports import CheckReport
from monitor.pipeline.writer import Outcome, Writer
from monitor.store.errors import GitError
from monitor.store.found import announced, found_article
from monitor.store.records import Change, RecordUpdate, SourceRecord, now_iso
from monitor.store.store import Store


def _nothing() -> None:
    pass


# Releases the in-flight slot of the check running in this task (Checker.check).
_release_slot: ContextVar[Callable[[], None]] = ContextVar("release_slot", default=_nothing)


def tracked_url(source: Source, record: SourceRecord) -> str:
    """The configured URL, or where the article moved to since it was configured."""
    if record.tracking_url and record.tracked_from == source.url:
        return record.tracking_url
    return source.url


class Checker:
    """Checks sources against one store, with one fetcher and one worker pool."""

    def __init__(self, config: Config, store: Store, fetcher: PageFetcher,
                 analyser: Analyser):
        self.config = config
        self.settings = config.settings
        self.store = store
        self.fetcher = fetcher
        self.analyser = analyser
        self.evidence = EvidenceKeeper(self.settings)
        self.writer = Writer(store, self.evidence, config.archives)
        self.listings = ListingChecker(config, store, fetcher, self.writer)
        self.problems: list[str] = []  # of the pass as a whole, for its report
        # The history is gone but the files are not: they are committed again, from the page.
        self._history_empty = store.head() is None
        # Checks in flight at once: enough to keep every fetch slot and every worker
        # busy, few enough that fetched pages waiting for a worker cannot pile up in
        # memory (10,000 pages of 100 kB would be a gigabyte).
        self._in_flight = asyncio.Semaphore(self.settings.concurrency + 2 * analyser.workers)

    async def check(self, source: Source) -> CheckReport:
        await self._in_flight.acquire()
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self._in_flight.release()

        _release_slot.set(release)
        try:
            return await self._timed_check(source)
        finally:
            release()

    async def _timed_check(self, source: Source) -> CheckReport:
        started = time.monotonic()
        try:
            report = await self._check(source)
        except WorkerCrashed as exc:
            report = await self._persist_error(source, str(exc))
        except (GitError, OSError, sqlite3.Error) as exc:  # a full or read-only disk
            report = CheckReport(source.id, "error", detail=f"cannot save: {exc}")
        except Exception as exc:  # a bug costs this source, not the pass
            traceback.print_exc(file=sys.stderr)
            message = f"internal error: {type(exc).__name__}: {str(exc)[:300]}"
            try:  # recorded like any error, so that it counts toward failing
                report = await self._persist_error(source, message)
            except Exception:
                report = CheckReport(source.id, "error", detail=message)
        report.elapsed = time.monotonic() - started
        return report

    async def _check(self, source: Source) -> CheckReport:
        if source.discover is not None:
            return await self.listings.check(source)
        record = self.store.record(source.id)
        # The snapshot is read only when this check needs its wording: most checks
        # get a 304 or the same bytes, and need none.
        stored: Snapshot | None = None
        if record.state.status == "new" or record.revision is None:
            stored = self.store.read_snapshot(source.id)
            if stored is not None and record.state.status == "new":
                # The database was lost or reset but git kept the history: trust git.
                status = "removed" if stored.status else "ok"
                record = replace(record, state=replace(record.state, status=status))
        # The database names a version whose file is not in snapshots/ (deleted, git
        # rm'd, the whole repository lost): never "unchanged" against nothing.
        text_missing = record.revision is not None and (self._history_empty or (
            stored is None and not self.store.has_snapshot_file(source.id)))
        has_snapshot = (stored is not None or record.revision is not None) and not text_missing
        scope = scope_key(source.selector, source.ignore)
        # New selector or ignore rules, or a new extractor: the stored text was cut
        # by the old ones.
        reselected = has_snapshot and (record.scope or "") != scope
        upgraded = has_snapshot and record.extractor != extractor_version()
        rescoping = reselected or upgraded
        if record.deferred_until and record.deferred_until > now_iso():
            # Not checked, so it counts toward failing: a server that keeps asking us
            # to wait must not silence a source.
            waiting = Observation("error", reason=f"deferred: the server asked to wait until "
                                                  f"{record.deferred_until}")
            decision = self._decide(record.state, waiting, Circumstances(deferred=True))
            result = FetchResult(url=source.url, final_url=source.url, error=waiting.reason)
            return await self._persist(source, record, None, result, waiting, decision)
        if source.missing_secrets:
            # Not fetched: without the value the request would go to the wrong place.
            unset = Observation("error", reason=(
                f"environment variable {', '.join(source.missing_secrets)} is not set: "
                "export it for this source's URL or headers"))
            decision = self._decide(record.state, unset, Circumstances())
            result = FetchResult(url=source.url, final_url=source.url, error=unset.reason)
            return await self._persist(source, record, None, result, unset, decision)
        conditional = has_snapshot and record.state.status == "ok" and not rescoping
        target = tracked_url(source, record)
        result = await self.fetcher.fetch(
            target,
            etag=record.etag if conditional else None,
            last_modified=record.last_modified if conditional else None,
            known_sha256=record.body_sha256 if has_snapshot and not rescoping else None,
            headers=source.request_headers() or None,
        )
        seen: Observation | None = classify(result, target)
        page_part: PageSignals | None = None  # None: the same bytes, the stored part holds
        if result.status == 304 and not (conditional and (record.etag or record.last_modified)):
            # "Not modified" since nothing: there is no page to keep or compare.
            seen = Observation("error", reason="HTTP 304 Not Modified to a request that "
                                               "asked nothing conditionally")
        if seen is None:
            if has_snapshot and not rescoping and result.content_sha256 == record.body_sha256:
                seen = Observation("unchanged")  # same bytes: skip extraction entirely
            else:
                stored = stored or self.store.read_snapshot(source.id)
                analysis = await self.analyser.analyse(
                    result.body, result.final_url, stored.render() if stored else None,
                    source.selector, source.ignore, self.settings.pdf_max_pages)
                seen = judge(analysis.document, analysis.diff, analysis.page_title, stored)
                page_part = analysis.signals
                if analysis.error:
                    seen = Observation("error", reason=analysis.error)
                if source.selector and seen.kind == "error" and analysis.document.is_empty:
                    seen = replace(seen, reason=f"nothing found at the source's selector "
                                                f"{source.selector!r}: has the site changed?")
        missing_text_same = text_missing and seen.kind in ("document", "collapsed") \
            and seen.document is not None \
            and self.store.text_hash_at(source.id, record.revision or "") \
            == text_sha256(seen.document)
        decision = self._decide(record.state, seen, Circumstances(
            has_snapshot=has_snapshot, requested=target,
            redirected_to=result.final_url if result.redirects else None,
            rescoped=reselected, extractor_upgraded=upgraded,
            text_missing=text_missing, missing_text_same=missing_text_same))
        if decision.reason in ("snapshot-missing", "earlier-text-missing"):
            self.problems.append(
                f"snapshots/{source.id}.md was missing (the state database's last version "
                f"is {(record.revision or '')[:10]}): committed again from the page")
        if stored is None and has_snapshot and (decision.events
                                                or decision.snapshot_status is not None):
            stored = self.store.read_snapshot(source.id)  # its title and wording go out
        signals = observe(record.signals, page_part, result.headers, result.final_url,
                          not_modified=result.status == 304) \
            if seen.kind in ANSWERED and result.status in (200, 304) and not rescoping \
            and (page_part is not None or seen.kind == "unchanged") else None
        # Done with the page's bytes: let them go before this check waits for git. The
        # raw exchange stays for a commit, whose capture it becomes.
        result = replace(result, body=b"", exchange=result.exchange
                         if decision.snapshot_status is not None else ())
        return await self._persist(source, record, stored, result, seen, decision, signals)

    def _decide(self, state: State, seen: Observation,
                circumstances: Circumstances | None = None) -> Decision:
        return decide(state, seen, confirm_removal=self.settings.confirm_removal,
                      failing_after=self.settings.failing_after, circumstances=circumstances)

    async def _persist_error(self, source: Source, message: str) -> CheckReport:
        record = self.store.record(source.id)
        seen = Observation("error", reason=message)
        decision = self._decide(record.state, seen)
        result = FetchResult(url=source.url, final_url=source.url, error=message)
        return await self._persist(source, record, None, result, seen, decision)

    async def _persist(self, source: Source, record: SourceRecord, stored: Snapshot | None,
                       result: FetchResult, seen: Observation, decision: Decision,
                       signals: Observed | None = None) -> CheckReport:
        """Hand what this check learnt to the writer; return once it is durable."""
        if decision.reason:  # a server's words (an error page, a header): no controls
            decision = replace(decision, reason=strip_controls(decision.reason))
        detected_at = stamp(result.fetched_at)
        document = seen.document or (stored.document if stored else Document())
        diff = seen.diff
        if decision.outcome == "restored" and stored is not None and diff is None \
                and stored.document != document:
            diff = diff_documents(stored.document, document)
        alerts = [self._alert(event, source, record, document, detected_at, decision, diff,
                              stored.document if stored else None)
                  for event in decision.events]
        storm = RecordUpdate()
        if "changed" in decision.events and self.settings.storm_after:
            verdict = judge_storm(record.recent_changes, record.storm_since,
                                  result.fetched_at, self.settings.storm_after)
            storm = RecordUpdate(recent_changes=verdict.recent_changes,
                                 storm_since=verdict.storm_since)
            if verdict.reason:
                alerts = [replace(a, reason=verdict.reason, count=verdict.count)
                          if a.event == Event.CHANGED else a for a in alerts]
            if not verdict.send:  # committed all the same: only the alert is held back
                alerts = [a for a in alerts if a.event != Event.CHANGED]
        alerts += [self._signal_alert(event, source, document, detected_at)
                   for event in (signals.events if signals else ())]
        announce = self._announce(source, decision, document, detected_at,
                                  stored.document if stored else None)
        if announce is not None:
            alerts.insert(0, announce)
        # Kept and shown with ${NAME} where the URL holds a secret: only requests carry it.
        url = source.shown(decision.moved_to or tracked_url(source, record))
        change = None
        if decision.snapshot_status is not None:
            change = Change(
                source_id=source.id, event=decision.outcome,
                snapshot=Snapshot(document, url=url, status=decision.snapshot_status),
                trailers=trailers(url, source.shown(result.final_url), result, decision,
                                   extracted=seen.document, listing=source.listing),
                summary=summary(diff) if decision.outcome in ("changed", "restored") else "",
                alerts=[(a.event, a.id) for a in alerts if a.event in COMMIT_EVENTS])
        update = record_update(source, record, result, seen, decision, detected_at,
                                str(alerts[-1].event) if alerts else None)
        if seen.document is not None:  # the page's clock as last seen, moved or not
            update = replace(update, page_modified=seen.document.modified)
        if signals is not None:
            update = replace(update, signals=signals.stored)
        # The outcome holds no page: free the slot for the next fetch while it waits
        # for its commit, so that commits come in large groups.
        _release_slot.get()()
        await self.writer.write(Outcome(
            source=source, previous_revision=record.revision, state=decision.state,
            update=replace(update, **storm.columns()), alerts=alerts, change=change,
            text_hash=text_sha256(document) if change else "",
            routes={a.id: route(a, source, self.config) for a in alerts},
            capture=ToCapture(result.exchange, source.shown) if change else None,
            also=partial(announced, article_id=source.id) if announce else None))
        return CheckReport(source.id, decision.outcome, [str(a.event) for a in alerts],
                           detail=source.shown(detail(decision, seen, diff)))

    def _alert(self, event: str, source: Source, record: SourceRecord, document: Document,
               detected_at: str, decision: Decision, diff: Diff | None,
               watched: Document | None) -> Alert:
        """``watched`` is the text as stored before this check: a move and a removal
        name that article, and a removal quotes it."""
        title = watched.title if watched and event in (Event.MOVED, Event.REMOVED) \
            and watched.title else document.title
        return make_alert(
            event, alert_id=new_alert_id(), source=source, title=title,
            detected_at=detected_at, revision=record.revision,
            previous_revision=record.revision, reason=decision.reason, diff=diff,
            moved=(tracked_url(source, record), decision.moved_to) if decision.moved_to
            else None, modified=(record.page_modified, document.modified),
            previous_detected_at=record.last_changed_at, archive_urls=self._mementos(source),
            last_text=watched or document, last_seen_at=last_seen(record),
            base_url=self.settings.web.base_url)

    def _announce(self, source: Source, decision: Decision, document: Document,
                  detected_at: str, watched: Document | None) -> Alert | None:
        """A found article's first check alerts ``new``: with its text when it answered."""
        if source.listing is None or self.store.db is None \
                or decision.outcome not in ("baseline", "error", "rescoped", "rewritten"):
            return None
        article = found_article(self.store.db, source.id)
        if article is None or not article.announce:
            return None
        text = document if not document.is_empty else watched
        return make_alert(Event.NEW, alert_id=new_alert_id(), source=source,
                          title=(text.title if text else "") or article.title or source.url,
                          detected_at=detected_at, revision=None,
                          reason=decision.reason if decision.outcome == "error" else None,
                          last_text=text, listing_id=source.listing,
                          base_url=self.settings.web.base_url)

    def _signal_alert(self, event: SignalEvent, source: Source, document: Document,
                      detected_at: str) -> Alert:
        return make_alert(event.event, alert_id=new_alert_id(), source=source,
                          title=document.title, detected_at=detected_at, revision=None,
                          reason=event.reason, moved=(event.from_url or "", event.to_url or "")
                          if event.event == "canonical-changed" else None,
                          noindex_source=event.noindex_source,
                          base_url=self.settings.web.base_url)

    def _mementos(self, source: Source) -> tuple[tuple[str, str, str], ...]:
        """The web archives' copies of this source's earlier versions, for its alert."""
        if not self.config.archives or self.store.db is None:
            return ()
        found = mementos(self.store.db, source.id)
        return tuple((m.service, m.revision, m.url) for urls in found.values() for m in urls)
