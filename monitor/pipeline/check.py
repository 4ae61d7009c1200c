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
from datetime import UTC, datetime

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
from monitor.evidence.keeper import EvidenceKeeper, ToCapture
from monitor.extract.scope import scope_key
from monitor.extract.version import extractor_version
from monitor.fetch.interface import PageFetcher
from monitor.fetch.result import FetchResult
from monitor.fetch.retry_after import MAX_RETRY_AFTER
from monitor.notify.delivery import (
    new_alert_id,
    route,
)
from monitor.pipeline.analyser import Analyser, WorkerCrashed
from monitor.pipeline.reports import CheckReport
from monitor.pipeline.writer import Outcome, Writer
from monitor.store.errors import GitError
from monitor.store.records import KEEP, Change, Keep, RecordUpdate, SourceRecord, now_iso
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
        # Done with the page's bytes: let them go before this check waits for git. The
        # raw exchange stays for a commit, whose capture it becomes.
        result = replace(result, body=b"", exchange=result.exchange
                         if decision.snapshot_status is not None else ())
        return await self._persist(source, record, stored, result, seen, decision)

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
                       result: FetchResult, seen: Observation, decision: Decision) -> CheckReport:
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
        # Kept and shown with ${NAME} where the URL holds a secret: only requests carry it.
        url = source.shown(decision.moved_to or tracked_url(source, record))
        change = None
        if decision.snapshot_status is not None:
            change = Change(
                source_id=source.id, event=decision.outcome,
                snapshot=Snapshot(document, url=url, status=decision.snapshot_status),
                trailers=_trailers(url, source.shown(result.final_url), result, decision,
                                   extracted=seen.document),
                summary=_summary(diff) if decision.outcome in ("changed", "restored") else "",
                alerts=[(a.event, a.id) for a in alerts if a.event in COMMIT_EVENTS])
        update = _record_update(source, record, result, seen, decision, detected_at,
                                str(alerts[-1].event) if alerts else None)
        if seen.document is not None:  # the page's clock as last seen, moved or not
            update = replace(update, page_modified=seen.document.modified)
        # The outcome holds no page: free the slot for the next fetch while it waits
        # for its commit, so that commits come in large groups.
        _release_slot.get()()
        await self.writer.write(Outcome(
            source=source, previous_revision=record.revision, state=decision.state,
            update=replace(update, **storm.columns()), alerts=alerts, change=change,
            text_hash=text_sha256(document) if change else "",
            routes={a.id: route(a, source, self.config) for a in alerts},
            capture=ToCapture(result.exchange, source.shown) if change else None))
        return CheckReport(source.id, decision.outcome, [str(a.event) for a in alerts],
                           detail=source.shown(_detail(decision, seen, diff)))

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
            last_text=watched or document, last_seen_at=last_seen(record))

    def _mementos(self, source: Source) -> tuple[tuple[str, str, str], ...]:
        """The web archives' copies of this source's earlier versions, for its alert."""
        if not self.config.archives or self.store.db is None:
            return ()
        found = mementos(self.store.db, source.id)
        return tuple((m.service, m.revision, m.url) for urls in found.values() for m in urls)


#: outcomes of a check that found the page online (answering with its article)
SEEN_OUTCOMES = frozenset({"baseline", "unchanged", "changed", "collapsed", "restored",
                           "moved", "rescoped", "rewritten"})


def last_seen(record: SourceRecord) -> str | None:
    """When the page was last seen online, as far as the source's row knows.

    ``last_seen_at`` is kept from the first check of a monitor that has it; a row
    made before falls back on its last check when that check found the page.
    """
    if record.last_seen_at:
        return record.last_seen_at
    return record.last_checked if record.last_outcome in SEEN_OUTCOMES else None


def _record_update(source: Source, record: SourceRecord, result: FetchResult,
                   seen: Observation, decision: Decision, detected_at: str,
                   last_event: str | None) -> RecordUpdate:
    """The columns of the source's row that this check writes."""
    answered = seen.kind in ANSWERED
    # Not after an unconfirmed collapse: the next check must look at the page again.
    fresh = answered and result.status == 200 and decision.outcome != "collapsed"
    removed = decision.outcome == "removed"  # never fresh: a removal answered nothing

    def validator(value: str | None) -> str | Keep | None:
        return value if fresh else None if removed else KEEP

    checked = now_iso()
    return RecordUpdate(
        last_checked=checked, last_outcome=decision.outcome,
        last_seen_at=checked if decision.outcome in SEEN_OUTCOMES else KEEP,
        last_error=source.shown(decision.reason or "")
        if decision.outcome in ("error", "deferred") else None,
        deferred_until=record.deferred_until if decision.outcome == "deferred"
        else _deferred_until(result, source.schedule.interval(None, result.fetched_at)),
        final_url=result.final_url if answered and result.status else KEEP,
        etag=validator(result.headers.get("etag")),
        last_modified=validator(result.headers.get("last-modified")),
        body_sha256=validator(result.content_sha256),
        scope=scope_key(source.selector, source.ignore) if fresh else KEEP,
        extractor=extractor_version() if fresh else KEEP,
        tracking_url=decision.moved_to or KEEP,
        tracked_from=source.url if decision.moved_to else KEEP,
        last_changed_at=detected_at if decision.outcome in ("baseline", "changed", "restored")
        else KEEP,
        last_event=last_event or KEEP, last_event_at=detected_at if last_event else KEEP)


def _trailers(url: str, final_url: str, result: FetchResult, decision: Decision,
              extracted: Document | None = None) -> dict[str, str]:
    trailers = {"URL": url}
    if final_url != url:
        trailers["Final-URL"] = final_url
    trailers["Fetched-At"] = stamp(result.fetched_at)
    if result.status:
        trailers["HTTP-Status"] = str(result.status)
    if result.status and result.status != 304:  # an answer with a body, maybe empty
        trailers["Content-SHA256"] = result.content_sha256
    if decision.reason:
        trailers["Reason"] = decision.reason
    if extracted is not None:  # which extraction cut this text, and the page's own clock:
        trailers["Extractor"] = extractor_version()  # a state rebuilt from git knows them too
        if extracted.modified:
            trailers["Modified"] = extracted.modified
    return trailers


def _summary(diff: Diff | None) -> str:
    if diff is None:
        return ""
    parts = []
    if diff.removed:
        parts.append("removed " + ", ".join(_quote(f) for f in diff.removed[:3]))
    if diff.added:
        parts.append("added " + ", ".join(_quote(f) for f in diff.added[:3]))
    more = max(len(diff.removed) - 3, 0) + max(len(diff.added) - 3, 0)
    return "; ".join(parts) + (f" (and {more} more)" if more else "")


def _quote(fragment: str, limit: int = 60) -> str:
    return f"“{fragment if len(fragment) <= limit else fragment[: limit - 1] + '…'}”"


def _detail(decision: Decision, seen: Observation, diff: Diff | None) -> str:
    if decision.outcome in ("changed", "restored") and diff is not None:
        return _summary(diff)
    if decision.reason:
        return decision.reason
    return ""


def _deferred_until(result: FetchResult, interval: float) -> str | None:
    """When a 429 or 503's Retry-After lets the next check run: at most the source's
    own interval later (the fetch already capped it at a day)."""
    if result.retry_after is None or result.status not in (429, 503):
        return None
    wait = min(result.retry_after, interval or MAX_RETRY_AFTER)
    until = result.fetched_at.timestamp() + wait
    return stamp(datetime.fromtimestamp(until, UTC))


