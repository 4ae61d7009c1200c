"""One pass of archive work: poll the captures in flight, submit what is due, record mementos.

Called once per pass (``monitor check``, each daemon pass). It never sleeps
on a rate limit or a Retry-After: what cannot go now is left for a later
pass. It never takes longer than ``timeout`` in all, and never raises for a
service's fault (an outage, a refusal, a bad key); that is in the report and
in the job's ``last_error``, with every secret masked.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from monitor.archive.mementos import ArchiveUrl, MementoLine, append_mementos
from monitor.archive.outcome import Kind, Step
from monitor.archive.perma import poll as perma_poll
from monitor.archive.perma import submit as perma_submit
from monitor.archive.queue import Job, allowance, due, prune, record_poll, record_submission
from monitor.archive.wayback import poll as wayback_poll
from monitor.archive.wayback import submit as wayback_submit
from monitor.core.model import DEFAULT_USER_AGENT, ArchiveConfig, PermaConfig, WaybackConfig
from monitor.core.timestamps import stamp
from monitor.notify.redact import redact
from monitor.store.state import ARCHIVE_SCHEMA

REQUEST_TIMEOUT = 30.0  # seconds, at most, for one request to an archive
MIN_REQUEST = 1.0  # seconds a request needs at least: with less left, none is started
POLL_INTERVAL = 5.0  # seconds between status requests within a pass

@dataclass(frozen=True)
class ArchiveReport:
    submitted: int = 0  # capture requests the archives took
    archived: int = 0  # mementos recorded
    retrying: int = 0  # tries that failed and will be made again
    failed: int = 0  # jobs given up: the archive will not take the URL
    waiting: int = 0  # due, but over the rate limit or the service is held: a later pass
    errors: tuple[str, ...] = ()


@dataclass
class _Tally:
    submitted: int = 0
    archived: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)

    def report(self) -> ArchiveReport:
        return ArchiveReport(self.submitted, self.archived, self.retrying, self.failed,
                             self.waiting, tuple(self.errors))


@dataclass
class _Pass:
    """What every service's work in one pass shares."""

    db: sqlite3.Connection
    client: httpx.AsyncClient
    evidence: Path
    deadline: float  # on the event loop's clock
    poll_interval: float
    fixed_now: datetime | None
    tally: _Tally = field(default_factory=_Tally)

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def left(self) -> float:
        return self.deadline - asyncio.get_running_loop().time()

    def request_timeout(self) -> float:
        return min(REQUEST_TIMEOUT, self.left())


async def submit_pending(db: sqlite3.Connection | Path, archives: Sequence[ArchiveConfig], *,
                         evidence: Path, timeout: float, now: datetime | None = None,
                         poll_interval: float = POLL_INTERVAL,
                         client: httpx.AsyncClient | None = None,
                         user_agent: str = DEFAULT_USER_AGENT) -> ArchiveReport:
    """Do the archive work that is due, within ``timeout`` seconds; never raises for an
    archive's fault.

    ``db`` is the state database, or its path (preferred where a writer shares
    the connection: this opens its own). ``now`` fixes the pass's time (every
    record of this pass is made at that moment); by default the clock is read.
    ``evidence`` is the folder whose ``archives.jsonl`` keeps every memento.
    """
    if not archives:
        return ArchiveReport()
    loop = asyncio.get_running_loop()
    with _connection(db) as connection:
        async with _http(client, user_agent) as http:
            work = _Pass(connection, http, evidence, loop.time() + timeout, poll_interval, now)
            prune(connection, work.now())
            try:
                async with asyncio.timeout(timeout + MIN_REQUEST):
                    await asyncio.gather(*(_service(work, config) for config in archives))
            except TimeoutError:
                work.tally.errors.append("archives: stopped at the pass's time limit")
            for config in archives:
                work.tally.waiting += len(due(connection, config.service, "pending", work.now()))
            return work.tally.report()


@contextlib.contextmanager
def _connection(db: sqlite3.Connection | Path) -> Iterator[sqlite3.Connection]:
    if isinstance(db, sqlite3.Connection):
        yield db
        return
    connection = sqlite3.connect(db, isolation_level=None, timeout=30)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(ARCHIVE_SCHEMA)
        yield connection
    finally:
        connection.close()


@contextlib.asynccontextmanager
async def _http(client: httpx.AsyncClient | None, user_agent: str
                ) -> AsyncIterator[httpx.AsyncClient]:
    if client is not None:
        yield client
        return
    async with httpx.AsyncClient(follow_redirects=False,
                                 headers={"User-Agent": user_agent}) as own:
        yield own


async def _service(work: _Pass, config: ArchiveConfig) -> None:
    """One service's share of the pass; a fault of ours is reported, not raised."""
    try:
        await _poll_and_submit(work, config)
    except Exception as exc:  # one service's trouble must not stop the other's
        work.tally.errors.append(redact(f"{config.service}: {type(exc).__name__}: {exc}",
                                        config.secrets()))


async def _poll_and_submit(work: _Pass, config: ArchiveConfig) -> None:
    watching = [job for job in due(work.db, config.service, "polling", work.now())
                if await _poll(work, config, job)]
    budget = allowance(work.db, config, work.now())
    for job in due(work.db, config.service, "pending", work.now(), limit=budget):
        if work.left() < MIN_REQUEST or allowance(work.db, config, work.now()) <= 0:
            break
        step = _redacted(await _submit(work, config, job), config)
        status = record_submission(work.db, job, step, work.now())
        _count(work, config, job, step, status)
        if status == "polling":
            work.tally.submitted += 1
            watching.append(replace(job, status=status, job_id=step.job_id,
                                    attempts=job.attempts + 1, submitted_at=stamp(work.now())))
        if step.whole_service:
            break  # the account or the service: the other jobs would fare no better now
    while watching and work.left() >= work.poll_interval + MIN_REQUEST:
        await asyncio.sleep(work.poll_interval)
        watching = [job for job in watching if await _poll(work, config, job)]


async def _submit(work: _Pass, config: ArchiveConfig, job: Job) -> Step:
    if isinstance(config, WaybackConfig):
        return await wayback_submit(work.client, config, job.url,
                                    timeout=work.request_timeout())
    if isinstance(config, PermaConfig):
        return await perma_submit(work.client, config, job.url, timeout=work.request_timeout())
    raise TypeError(f"no such archive service: {config.service}")


async def _poll(work: _Pass, config: ArchiveConfig, job: Job) -> bool:
    """Ask after one capture in flight and record the answer; whether it is still in flight."""
    if work.left() < MIN_REQUEST or job.job_id is None:
        return False
    if isinstance(config, WaybackConfig):
        step = await wayback_poll(work.client, config, job.job_id, job.url,
                                  timeout=work.request_timeout())
    elif isinstance(config, PermaConfig):
        step = await perma_poll(work.client, config, job.job_id, job.url,
                                timeout=work.request_timeout())
    else:
        raise TypeError(f"no such archive service: {config.service}")
    step = _redacted(step, config)
    if step.kind is Kind.ARCHIVED and step.memento:
        # The file first: a crash before the database is told polls again, and
        # the line written twice is read once.
        append_mementos(work.evidence, [MementoLine(
            source_id=job.source_id, original_url=job.url, event=job.event,
            archived_at=stamp(work.now()),
            memento=ArchiveUrl(job.service, job.revision, step.memento))])
        work.tally.archived += 1
    status = record_poll(work.db, job, step, work.now())
    if step.kind is not Kind.ARCHIVED:
        _count(work, config, job, step, status)
    return status == "polling" and step.kind is Kind.CAPTURING


def _count(work: _Pass, config: ArchiveConfig, job: Job, step: Step, status: str) -> None:
    if step.error is None:
        return
    what = f"{config.service} {job.source_id} {job.revision[:7]}: {step.error}"
    if status == "failed":
        work.tally.failed += 1
        work.tally.errors.append(f"{what}: given up")
    else:
        work.tally.retrying += 1
        work.tally.errors.append(what)


def _redacted(step: Step, config: ArchiveConfig) -> Step:
    if step.error is None:
        return step
    return replace(step, error=redact(step.error, config.secrets()))
