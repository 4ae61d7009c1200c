"""The archive queue in the state database: one job per (revision, service), until archived.

A job is queued in the same transaction as the commit's state, so a crash can
delay a submission but never lose one. Its ``status`` goes ``pending`` (to be
submitted) -> ``polling`` (the archive has it, under ``job_id``) -> ``done``
(``memento_url`` recorded) or ``failed`` (the archive will never take it, or it
kept failing for two days). The rate limit is counted from the submissions
table, so a cron run and a daemon share one account's budget.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.archive.mementos import ArchiveUrl
from monitor.archive.outcome import (
    GIVE_UP_AFTER,
    STUCK_AFTER,
    Kind,
    Step,
    backoff,
    next_attempt,
)
from monitor.core.model import ArchiveConfig
from monitor.core.timestamps import parse_stamp, stamp
from monitor.store.state import immediate_transaction

WINDOW = timedelta(minutes=1)  # the rate limit's window
KEEP_SUBMISSIONS = timedelta(days=1)
COLUMNS = ("revision, service, source_id, url, event, status, job_id, attempts, created_at, "
           "submitted_at, next_attempt_at, last_error, memento_url")


@dataclass(frozen=True)
class Job:
    """One row of ``archive_jobs``."""

    revision: str
    service: str
    source_id: str
    url: str
    event: str
    status: str
    job_id: str | None
    attempts: int
    created_at: str | None
    submitted_at: str | None
    next_attempt_at: str | None
    last_error: str | None
    memento_url: str | None


def enqueue(db: sqlite3.Connection, *, source_id: str, url: str, revision: str, event: str,
            services: Sequence[ArchiveConfig], now: datetime | None = None) -> None:
    """Queue ``url`` as of ``revision`` for each service that takes ``event``.

    Call it inside the transaction that records the commit. A URL holding a
    ``${SECRET}`` is never queued: a public archive would publish the secret. A
    revision queued again (a replay after a crash) stays as it was.
    """
    if "${" in url:
        return
    created = stamp(now or datetime.now(UTC))
    db.executemany(
        "INSERT OR IGNORE INTO archive_jobs (revision, service, source_id, url, event, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [(revision, config.service, source_id, url, str(event), created)
         for config in services if str(event) in config.events])


@contextlib.contextmanager
def writing(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A transaction of our own, or the caller's when one is open."""
    if db.in_transaction:
        yield db
        return
    with immediate_transaction(db):
        yield db


def _jobs(db: sqlite3.Connection, where: str, *args: object) -> list[Job]:
    rows = db.execute(f"SELECT {COLUMNS} FROM archive_jobs WHERE {where}", args).fetchall()
    return [Job(*row) for row in rows]


def due(db: sqlite3.Connection, service: str, status: str, now: datetime,
        limit: int = -1) -> list[Job]:
    """Jobs of ``service`` in ``status`` whose wait is over, oldest first."""
    return _jobs(db, "service = ? AND status = ? AND (next_attempt_at IS NULL OR "
                     "next_attempt_at <= ?) ORDER BY created_at, rowid LIMIT ?",
                 service, status, stamp(now), limit)


def allowance(db: sqlite3.Connection, config: ArchiveConfig, now: datetime) -> int:
    """How many submissions ``config``'s account may make now: per_minute, less the
    ones of the last minute (whoever made them), and none while the service is held."""
    held = db.execute("SELECT until FROM archive_holds WHERE service = ?",
                      (config.service,)).fetchone()
    if held and held[0] > stamp(now):
        return 0
    recent = db.execute("SELECT count(*) FROM archive_submissions WHERE service = ? AND "
                        "submitted_at > ?", (config.service, stamp(now - WINDOW))).fetchone()[0]
    return max(config.per_minute - int(recent), 0)


def held_until(db: sqlite3.Connection, service: str) -> str | None:
    row = db.execute("SELECT until FROM archive_holds WHERE service = ?", (service,)).fetchone()
    return row[0] if row else None


def prune(db: sqlite3.Connection, now: datetime) -> None:
    """Forget submissions older than a day and holds that are over."""
    with writing(db):
        db.execute("DELETE FROM archive_submissions WHERE submitted_at < ?",
                   (stamp(now - KEEP_SUBMISSIONS),))
        db.execute("DELETE FROM archive_holds WHERE until <= ?", (stamp(now),))


def record_submission(db: sqlite3.Connection, job: Job, step: Step, now: datetime) -> str:
    """Record a capture request and its answer; the job's new status.

    Every request counts against the rate limit, answered or not: the archive
    may have started a capture before the answer was lost.
    """
    attempts = job.attempts + 1
    with writing(db):
        db.execute("INSERT INTO archive_submissions VALUES (?, ?)", (job.service, stamp(now)))
        if step.kind is Kind.STARTED:
            _update(db, job, status="polling", job_id=step.job_id, attempts=attempts,
                    submitted_at=stamp(now), next_attempt_at=None, last_error=None)
            return "polling"
        db.execute("UPDATE archive_jobs SET attempts = ?, submitted_at = ? "
                   "WHERE revision = ? AND service = ?",
                   (attempts, stamp(now), job.revision, job.service))
        return _failed(db, job, step, attempts, now)


def record_poll(db: sqlite3.Connection, job: Job, step: Step, now: datetime) -> str:
    """Record what a status request said of a job in flight; the job's new status.

    A failure of the service (a timeout, a 5xx) keeps the job: it is polled
    again. A failure of the capture itself sends the URL again, later.
    """
    with writing(db):
        if step.kind is Kind.ARCHIVED:
            _update(db, job, status="done", memento_url=step.memento, archived_at=stamp(now),
                    next_attempt_at=None, last_error=None)
            return "done"
        if step.kind is Kind.CAPTURING:
            submitted = parse_stamp(job.submitted_at) or now
            if now - submitted <= STUCK_AFTER:
                return "polling"
            minutes = int(STUCK_AFTER.total_seconds() // 60)
            step = Step(Kind.LATER, error=f"still capturing after {minutes} min: "
                                          "submitted again")
        elif step.kind is Kind.LATER and step.whole_service:
            wait = timedelta(seconds=backoff(1, step.retry_after))
            _update(db, job, next_attempt_at=stamp(now + wait), last_error=step.error)
            return "polling"
        return _failed(db, job, step, job.attempts, now)


def _failed(db: sqlite3.Connection, job: Job, step: Step, attempts: int, now: datetime) -> str:
    """A try that did not archive: wait and try again, or give up for good."""
    error = step.error or "failed"
    created = parse_stamp(job.created_at) or now
    if step.kind is Kind.PERMANENT:
        _update(db, job, status="failed", job_id=None, next_attempt_at=None, last_error=error)
        return "failed"
    if now - created > GIVE_UP_AFTER:
        hours = int(GIVE_UP_AFTER.total_seconds() // 3600)
        _update(db, job, status="failed", job_id=None, next_attempt_at=None,
                last_error=f"{error} (given up after {hours}h)")
        return "failed"
    when = stamp(next_attempt(step, attempts, now))
    _update(db, job, status="pending", job_id=None, next_attempt_at=when, last_error=error)
    if step.whole_service:
        db.execute("INSERT INTO archive_holds VALUES (?, ?, ?) ON CONFLICT (service) DO UPDATE "
                   "SET until = max(until, excluded.until), reason = excluded.reason",
                   (job.service, when, error))
    return "pending"


def _update(db: sqlite3.Connection, job: Job, **values: object) -> None:
    assignments = ", ".join(f"{key} = ?" for key in values)
    db.execute(f"UPDATE archive_jobs SET {assignments} WHERE revision = ? AND service = ?",
               (*values.values(), job.revision, job.service))


def mementos(db: sqlite3.Connection, source_id: str) -> dict[str, list[ArchiveUrl]]:
    """revision -> the mementos of that version of the source, in the order archived."""
    found: dict[str, list[ArchiveUrl]] = {}
    for revision, service, url in db.execute(
            "SELECT revision, service, memento_url FROM archive_jobs WHERE source_id = ? AND "
            "status = 'done' AND memento_url IS NOT NULL ORDER BY archived_at, service",
            (source_id,)):
        found.setdefault(revision, []).append(ArchiveUrl(service, revision, url))
    return found


def jobs(db: sqlite3.Connection, source_id: str) -> list[Job]:
    """Every archive job of a source, whatever its status (for ``monitor history``)."""
    return _jobs(db, "source_id = ? ORDER BY created_at, rowid", source_id)
