"""What one request to a web archive came to, and when the job is tried next.

Every answer of every service is sorted into a few kinds, so that the queue
needs to know nothing of any one service: a job was started, is still being
captured, is archived, or failed in one of three ways that call for different
waits. Pure: the time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Kind(StrEnum):
    STARTED = "started"  # the archive took the job: poll it by its id
    CAPTURING = "capturing"  # still being captured: poll again
    ARCHIVED = "archived"  # the memento exists
    LATER = "later"  # the service is busy, down or throttling: retry after a backoff
    TOMORROW = "tomorrow"  # a daily quota is used up: retry after midnight UTC
    PERMANENT = "permanent"  # the archive will never take this URL: stop


@dataclass(frozen=True)
class Step:
    """One answer, sorted. ``error`` is in words and names no secret once redacted.

    ``whole_service``: the cause is the account or the service (throttling, an
    outage, a quota, bad keys), not the URL, so no other job of the service is
    sent until the wait is over.
    """

    kind: Kind
    job_id: str | None = None
    memento: str | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds the service asked for
    whole_service: bool = False


def started(job_id: str) -> Step:
    return Step(Kind.STARTED, job_id=job_id)


def later(error: str, *, retry_after: float | None = None, whole_service: bool = False) -> Step:
    return Step(Kind.LATER, error=error, retry_after=retry_after, whole_service=whole_service)


def tomorrow_step(error: str, *, whole_service: bool = False) -> Step:
    return Step(Kind.TOMORROW, error=error, whole_service=whole_service)


def permanent(error: str) -> Step:
    return Step(Kind.PERMANENT, error=error)


FIRST_WAIT = 60.0  # seconds after the first failure
MAX_WAIT = 6 * 3600.0  # a capture that keeps failing costs the account a capture each time
MAX_RETRY_AFTER = 24 * 3600.0  # a Retry-After longer than this is not believed
GIVE_UP_AFTER = timedelta(hours=48)  # a job failing this long after it was queued is failed
STUCK_AFTER = timedelta(minutes=30)  # a capture still pending this long is submitted again


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before the next try after ``attempts`` failures: doubling, capped.

    No jitter: one process submits, so there is no herd to spread, and tests
    can say exactly when a job is due.
    """
    wait = min(FIRST_WAIT * 2.0 ** min(max(attempts - 1, 0), 20), MAX_WAIT)
    if retry_after is not None and retry_after > 0:
        wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
    return wait


def tomorrow(now: datetime) -> datetime:
    """Five minutes past the next midnight UTC, when daily quotas start again."""
    return (now + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)


def next_attempt(step: Step, attempts: int, now: datetime) -> datetime:
    """When a job that failed with ``step`` (its ``attempts``-th failure) is due again."""
    if step.kind is Kind.TOMORROW:
        return tomorrow(now)
    return now + timedelta(seconds=backoff(attempts, step.retry_after))
