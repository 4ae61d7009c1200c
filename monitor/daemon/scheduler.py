"""``monitor run``: each source on its own schedule, for months, until SIGTERM.

APScheduler holds one job per source whose only work is to queue the source's
id; one loop drains the queue into passes, so sources that fall due together
share a pass (one lock, one group commit) and a source is never checked twice
at once. After each check the job is re-armed from the state database: the
interval or crontab line, the adaptive schedule, a quick re-check of a page
that seems gone (``confirm_after``) or a server's ``Retry-After``. A restart
therefore checks what is due, not everything at once.

The daemon reloads ``sources.yaml`` when it changes (or on SIGHUP) and keeps
the last good config when an edit is invalid; it writes a status file (and
serves it on 127.0.0.1 when ``health_port`` is set).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import signal
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import loader as config_module
from monitor.core.model import Config, Settings, Source
from monitor.core.schedule import rerun_at, start_at
from monitor.core.timestamps import parse_stamp, stamp
from monitor.pipeline.reports import CheckReport, PassReport
from monitor.pipeline.session import Session
from monitor.store.files import atomic_write
from monitor.store.records import SourceRecord
from monitor.store.store import Store

log = logging.getLogger("monitor")

HOUSEKEEPING_EVERY = 2.0  # seconds between looks at sources.yaml
DELIVERY_EVERY = 30.0  # seconds between delivery rounds when no check is due
STATUS_EVERY = 5.0  # seconds: the status file is rewritten at most this often
CONFIRM_OUTCOMES = ("gone", "collapsed")  # a check that wants a quick second look


def next_check(source: Source, record: SourceRecord | None, settings: Settings,
               now: datetime) -> datetime:
    """When a source is next due, from what the state database remembers of it."""
    checked = parse_stamp(record.last_checked) if record else None
    if record is None or checked is None:
        return now
    if record.last_outcome in CONFIRM_OUTCOMES:
        due = checked + timedelta(seconds=settings.confirm_after)
    else:
        due = source.schedule.next_due(checked, parse_stamp(record.last_changed_at))
    deferred = parse_stamp(record.deferred_until)
    return max(due, deferred) if deferred else due


DUE_EARLY_SHARE = 0.1  # `check --due`: a source is due with this share of its interval left
DUE_EARLY_MAX = 1800.0  # seconds, at most


def is_due(source: Source, record: SourceRecord | None, settings: Settings,
           now: datetime) -> bool:
    """Whether a ``check --due`` run at ``now`` checks this source.

    Cron starts runs on the clock, so a run finds the sources of the previous
    run a second or a minute short of their interval; skipping them would
    check an hourly source every two hours. A source is therefore due once at
    most a tenth of its interval remains (never more than 30 minutes), but
    never before a server's ``Retry-After`` has passed.
    """
    checked = parse_stamp(record.last_checked) if record else None
    if record is None or checked is None:
        return True
    due = next_check(source, replace(record, deferred_until=None), settings, now)
    early = min(DUE_EARLY_SHARE * max((due - checked).total_seconds(), 0.0), DUE_EARLY_MAX)
    deferred = parse_stamp(record.deferred_until)
    return due - timedelta(seconds=early) <= now and (deferred is None or deferred <= now)


@dataclass
class Health:
    """What the status file and the health endpoint say."""

    pid: int = field(default_factory=os.getpid)
    started: float = field(default_factory=time.time)
    checks: int = 0
    alerts: int = 0
    errors: int = 0
    passes: int = 0
    last_pass_at: str | None = None
    last_error: str | None = None
    pending_deliveries: int = 0
    dead_letters: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def record(self, report: PassReport) -> None:
        self.passes += 1
        self.last_pass_at = stamp(datetime.now(UTC))
        for check in report.checks:
            self.checks += 1
            self.alerts += len(check.events)
            self.outcomes[check.outcome] = self.outcomes.get(check.outcome, 0) + 1
            if check.outcome == "error":
                self.errors += 1
                self.last_error = f"{check.source_id}: {check.detail}"
        for error in [*report.errors, *report.delivery.errors]:
            self.last_error = error


class Daemon:
    def __init__(self, config: Config):
        self.config = config
        self.session = Session(config)
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.queued: set[str] = set()
        self.stopping = asyncio.Event()
        self.next_session: Session | None = None  # after a settings change
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.health = Health()
        self.config_mtime = self._mtime()
        self.status_path = config.settings.state.parent / "status.json"
        self.status_written = 0.0

    # --- scheduling ----------------------------------------------------------

    async def enqueue(self, source_id: str) -> None:  # async: runs on the loop, not a thread
        if source_id not in self.queued:
            self.queued.add(source_id)
            self.queue.put_nowait(source_id)

    def arm(self, source: Source, when: datetime) -> None:
        self.scheduler.add_job(self.enqueue, DateTrigger(when, timezone=UTC), args=[source.id],
                               id=source.id, replace_existing=True, misfire_grace_time=None)

    def records(self, only: list[str] | None = None) -> dict[str, SourceRecord]:
        store = self.session.store
        if store.db is None:  # before the first pass: read without creating anything
            settings = self.config.settings
            store = Store(settings.snapshots, settings.state, settings.alerts)
            if not store.open_readonly():
                return {}
        try:
            if only is not None and len(only) < 100:
                return {source_id: store.record(source_id) for source_id in only}
            return store.records()
        finally:
            if store is not self.session.store:
                store.close()

    def arm_all(self, sources: list[Source]) -> None:
        records = self.records()
        now = datetime.now(UTC)
        for source in sources:
            due = next_check(source, records.get(source.id), self.config.settings, now)
            self.arm(source, start_at(due, now, random.random()))

    def rearm(self, checked: list[Source]) -> None:
        """After a pass: each checked source's next run, from its new state."""
        records = self.records(only=[s.id for s in checked])
        now = datetime.now(UTC)
        known = {s.id for s in self.config.sources}
        for source in checked:
            if source.id not in known:
                continue  # removed from the config meanwhile
            due = next_check(source, records.get(source.id), self.config.settings, now)
            self.arm(source, rerun_at(due, now, source.schedule, random.random()))

    # --- config reload --------------------------------------------------------

    def _mtime(self) -> float:
        try:
            return self.config.path.stat().st_mtime
        except OSError:
            return 0.0

    async def housekeeping(self) -> None:
        mtime = self._mtime()
        if mtime != self.config_mtime:
            self.config_mtime = mtime
            self.reload()

    def reload(self) -> None:
        try:
            new = config_module.load(self.config.path)
        except config_module.ConfigError as exc:
            for problem in exc.problems:
                log.error("%s", problem)
            log.error("config not reloaded: keeping the last good one (%d sources)",
                      len(self.config.sources))
            return
        old = {s.id: s for s in self.config.sources}
        fresh = {s.id: s for s in new.sources}
        removed = [i for i in old if i not in fresh]
        added = [s for i, s in fresh.items() if i not in old]
        changed = [s for i, s in fresh.items() if i in old and old[i] != s]
        for source_id in removed:
            with contextlib.suppress(JobLookupError):
                self.scheduler.remove_job(source_id)
        if new.settings != self.config.settings:
            log.info("settings changed: new fetcher and worker pool from the next pass")
            self.next_session = Session(new)
        else:
            self.session.config = new
        self.config = new
        self.arm_all(added + changed)
        log.info("config reloaded: %d added, %d removed, %d changed, %d sources",
                 len(added), len(removed), len(changed), len(new.sources))

    # --- the loop -------------------------------------------------------------

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self._reload_now)
        self.arm_all(self.config.sources)
        self.scheduler.add_job(self.housekeeping, IntervalTrigger(seconds=HOUSEKEEPING_EVERY),
                               id="housekeeping", max_instances=1, coalesce=True)
        self.scheduler.add_job(self.enqueue, IntervalTrigger(seconds=DELIVERY_EVERY), args=[""],
                               id="deliveries", max_instances=1, coalesce=True)
        self.scheduler.start()
        server = await self._serve_health()
        log.info("monitor running: pid %d, %d source(s) from %s; SIGTERM stops, SIGHUP reloads",
                 os.getpid(), len(self.config.sources), self.config.path)
        self.write_status()
        try:
            while not self.stopping.is_set():
                batch = await self._next_batch()
                if batch is None:
                    continue
                if self.next_session is not None:
                    await self.session.__aexit__(None, None, None)
                    self.session, self.next_session = self.next_session, None
                await self._run_until_stopped(self._pass(batch))
            await self._final_deliveries()
        finally:
            self.scheduler.shutdown(wait=False)
            if server is not None:
                server.close()
            await self.session.__aexit__(None, None, None)
            self.write_status(stopped=True)
        log.info("monitor stopped")
        return 0

    def _reload_now(self) -> None:
        self.config_mtime = self._mtime()
        self.reload()

    async def _run_until_stopped(self, work: Any) -> None:
        """Run a pass; on SIGTERM give it ``shutdown_timeout`` to finish, then cancel it."""
        task = asyncio.ensure_future(work)
        stop = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if task.done():
            return
        bound = self.config.settings.shutdown_timeout
        log.info("stopping: letting the current pass finish (at most %gs)", bound)
        done, _ = await asyncio.wait({task}, timeout=bound)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            log.info("stopping: the unfinished checks were cancelled; each is retried next run")

    async def _final_deliveries(self) -> None:
        """On the way out, try what is waiting in the outbox once more (bounded)."""
        with contextlib.suppress(TimeoutError, Exception):
            await asyncio.wait_for(self.session.run([], honour_backoff=True),
                                   self.config.settings.shutdown_timeout)

    async def _next_batch(self) -> list[Source] | None:
        getter = asyncio.ensure_future(self.queue.get())
        stop = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({getter, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not getter.done():
            getter.cancel()
            return None
        ids = [getter.result()]
        while not self.queue.empty():
            ids.append(self.queue.get_nowait())
        self.queued.difference_update(ids)
        known = {source.id: source for source in self.config.sources}
        return [known[i] for i in ids if i in known]  # [] means: deliveries only

    async def _pass(self, sources: list[Source]) -> None:
        try:
            report = await self.session.run(sources, on_check=log_check,
                                            on_wait=log.warning, honour_backoff=True)
        except Exception as exc:  # a pass must never take the daemon down
            log.error("pass failed: %s: %s", type(exc).__name__, exc)
            self.health.last_error = f"{type(exc).__name__}: {exc}"
            self.rearm(sources)
            return
        self.health.record(report)
        for error in [*report.errors, *report.delivery.errors]:
            log.warning("%s", error)
        if sources:
            from monitor.pipeline.reports import summary

            log.info("%s", summary(report))
        else:
            self.status_written = 0.0  # the 30 s delivery round refreshes the status file
        self.rearm(sources)
        if time.monotonic() - self.status_written > STATUS_EVERY:
            self.write_status()

    # --- health ---------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        now = datetime.now(UTC)
        soon = now + timedelta(minutes=1)
        jobs = [j for j in self.scheduler.get_jobs() if j.id not in ("housekeeping",
                                                                     "deliveries")]
        counts: dict[str, int] = {}
        if self.session.store.db is not None:
            counts = self.session.store.delivery_counts()
        return {
            "pid": self.health.pid,
            "config": str(self.config.path),
            "started_at": datetime.fromtimestamp(self.health.started, UTC).isoformat(),
            "uptime_seconds": round(time.time() - self.health.started),
            "sources": len(self.config.sources),
            "due_within_a_minute": sum(1 for j in jobs
                                       if j.next_run_time and j.next_run_time <= soon),
            "checks_done": self.health.checks,
            "alerts_raised": self.health.alerts,
            "check_errors": self.health.errors,
            "passes": self.health.passes,
            "last_pass_at": self.health.last_pass_at,
            "last_error": self.health.last_error,
            "outbox_pending": counts.get("pending", 0),
            "dead_letters": counts.get("dead", 0),
            "outcomes": self.health.outcomes,
        }

    def write_status(self, *, stopped: bool = False) -> None:
        self.status_written = time.monotonic()
        status = {**self.status(), "running": not stopped,
                  "written_at": stamp(datetime.now(UTC))}
        with contextlib.suppress(OSError):
            atomic_write(self.status_path, json.dumps(status, indent=2).encode() + b"\n")

    async def _serve_health(self) -> asyncio.Server | None:
        port = self.config.settings.health_port
        if not port:
            return None
        return await asyncio.start_server(self._answer_health, "127.0.0.1", port)

    async def _answer_health(self, reader: asyncio.StreamReader,
                             writer: asyncio.StreamWriter) -> None:
        try:
            try:
                request = await asyncio.wait_for(reader.readline(), 5)
            except ValueError:  # a request line past the stream's 64 kB limit
                request = b""
            words = request.split()
            answer = b"400 Bad Request"
            body, kind = b"bad request\n", "text/plain"
            if len(words) == 3 and words[0] == b"GET":
                answer = b"200 OK"
                status = self.status()
                if words[1].startswith(b"/metrics"):
                    body, kind = prometheus(status).encode(), "text/plain; version=0.0.4"
                else:
                    body, kind = json.dumps(status).encode(), "application/json"
            writer.write(b"HTTP/1.1 " + answer + b"\r\nContent-Type: " + kind.encode() +
                         b"\r\nContent-Length: " + str(len(body)).encode() +
                         b"\r\nConnection: close\r\n\r\n" + body)
            await writer.drain()
        except (OSError, TimeoutError):
            pass
        finally:
            writer.close()


def prometheus(status: dict[str, Any]) -> str:
    lines = []
    for key in ("uptime_seconds", "sources", "due_within_a_minute", "checks_done",
                "alerts_raised", "check_errors", "passes", "outbox_pending", "dead_letters"):
        kind = "counter" if key in ("checks_done", "alerts_raised", "check_errors",
                                    "passes") else "gauge"
        lines += [f"# TYPE monitor_{key} {kind}", f"monitor_{key} {status[key]}"]
    for outcome, count in sorted(status["outcomes"].items()):
        lines.append(f'monitor_outcomes_total{{outcome="{outcome}"}} {count}')
    return "\n".join(lines) + "\n"


def log_check(check: CheckReport, done: int, total: int) -> None:
    """One line per check: source, outcome, alerts, timing."""
    log.info("%s %s%s%s (%.2fs)", check.source_id, check.outcome,
             f" alert: {', '.join(check.events)}" if check.events else "",
             f"  {check.detail}" if check.detail else "", check.elapsed,
             extra={"source": check.source_id, "outcome": check.outcome,
                    "events": check.events, "elapsed": round(check.elapsed, 3)})


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                 "level": record.levelname.lower(), "message": record.getMessage()}
        for key in ("source", "outcome", "events", "elapsed"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(fmt: str, level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    log.handlers[:] = [handler]
    log.setLevel(level.upper())
    log.propagate = False


def run_daemon(config: Config) -> int:
    return asyncio.run(Daemon(config).run())


def read_status(config: Config) -> tuple[dict[str, Any] | None, bool]:
    """The daemon's last status file, and whether its process is alive."""
    path: Path = config.settings.state.parent / "status.json"
    try:
        status = json.loads(path.read_text())
    except (OSError, ValueError):
        return None, False
    alive = False
    if status.get("running"):
        try:
            os.kill(int(status["pid"]), 0)
            alive = True
        except (OSError, ValueError, KeyError):
            alive = False
    return status, alive
