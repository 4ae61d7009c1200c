"""What one check writes besides its alerts: the source's row and the commit's trailers."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.core.classify import Observation
from monitor.core.decide import ANSWERED, Decision
from monitor.core.diff import Diff
from monitor.core.document import Document
from monitor.core.model import Source
from monitor.core.timestamps import stamp
from monitor.extract.scope import scope_key
from monitor.extract.version import extractor_version
from monitor.fetch.result import FetchResult
from monitor.fetch.retry_after import MAX_RETRY_AFTER
from monitor.store.records import KEEP, Keep, RecordUpdate, SourceRecord, now_iso

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


def record_update(source: Source, record: SourceRecord, result: FetchResult,
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


def trailers(url: str, final_url: str, result: FetchResult, decision: Decision,
              extracted: Document | None = None, listing: str | None = None) -> dict[str, str]:
    trailers = {"URL": url}
    if listing:  # a found article: a state rebuilt from git puts it back under its listing
        trailers["Listing"] = listing
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


def summary(diff: Diff | None) -> str:
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


def detail(decision: Decision, seen: Observation, diff: Diff | None) -> str:
    if decision.outcome in ("changed", "restored") and diff is not None:
        return summary(diff)
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


