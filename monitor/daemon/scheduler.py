"""``monitor run``: each source on its own schedule, for months, until SIGTERM.

APScheduler holds one job per source whose only work is to queue the source's
id; one loop drains the queue into passes, so sources that fall due together
share a pass (one lock, one group commit) and a source is never checked twice
at once. After each check the job is re-armed from the state database: the
interval or crontab line, the adaptive schedule, a quick re-check of a page
that seems gone (``confirm_after``) or a server's ``Retry-After``. A restart
therefore checks what is due, not everything at once.

The articles a listing found are scheduled like configured sources: their
rows in the state database are read at start, after each pass that checked a
listing (its new articles were checked in that pass and are armed from it),
and on each reload (a ``follow:`` or ``exclude:`` edit reaches them all).

The daemon reloads ``sources.yaml`` when it changes (or on SIGHUP) and keeps
the last good config when an edit is invalid; it writes a status file (and
serves it on 127.0.0.1 when ``health_port`` is set).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import loader as config_module
from monitor.config.problems import ConfigError
from monitor.core.model import Config, Source
from monitor.core.schedule import rerun_at, start_at
from monitor.core.timestamps import stamp
from monitor.daemon.due import next_check
from monitor.daemon.health import Health, serve_health, status_path, write_status
from monitor.daemon.logs import log, log_check
from monitor.pipeline.found import found_sources
from monitor.pipeline.session import Session
from monitor.store.lock import daemon_lock
from monitor.store.records import SourceRecord
from monitor.store.store import Store

HOUSEKEEPING_EVERY = 2.0  # seconds between looks at sources.yaml
DELIVERY_EVERY = 30.0  # seconds between delivery rounds when no check is due
STATUS_EVERY = 5.0  # seconds: the status file is rewritten at most this often


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
        self.status_path = status_path(config)
        self.status_written = 0.0
        self.found: dict[str, Source] = {}  # the listings' articles now scheduled, by id

    # --- scheduling ----------------------------------------------------------

    async def enqueue(self, source_id: str) -> None:  # async: runs on the loop, not a thread
        if source_id not in self.queued:
            self.queued.add(source_id)
            self.queue.put_nowait(source_id)

    def arm(self, source: Source, when: datetime) -> None:
        self.scheduler.add_job(self.enqueue, DateTrigger(when, timezone=UTC), args=[source.id],
                               id=source.id, replace_existing=True, misfire_grace_time=None)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Store | None]:
        """The session's store; before the first pass, one read without creating anything."""
        store = self.session.store
        if store.db is not None:
            yield store
            return
        store = Store.of(self.config.settings)
        if not store.open_readonly():
            yield None
            return
        try:
            yield store
        finally:
            store.close()

    def records(self, only: list[str] | None = None) -> dict[str, SourceRecord]:
        with self._reading() as store:
            if store is None:
                return {}
            if only is not None and len(only) < 100:
                return {source_id: store.record(source_id) for source_id in only}
            return store.records()

    def scheduled(self) -> dict[str, Source]:
        """Every source the daemon checks: the active configured ones and found articles."""
        return {**{s.id: s for s in self.config.active_sources}, **self.found}

    def refresh_found(self) -> None:
        """Read the found articles again; arm the new or changed, un-schedule the rest."""
        if not any(s.discover for s in self.config.sources) and not self.found:
            return
        with self._reading() as store:
            fresh = {s.id: s for s in found_sources(self.config, store.db if store else None,
                                                    datetime.now(UTC))}
        for source_id in self.found.keys() - fresh.keys():  # excluded, expired, unlisted
            with contextlib.suppress(JobLookupError):
                self.scheduler.remove_job(source_id)
        changed = [s for i, s in fresh.items() if self.found.get(i) != s]
        self.found = fresh
        self.arm_all(changed)

    def arm_all(self, sources: list[Source]) -> None:
        if not sources:
            return
        records = self.records(only=[s.id for s in sources])
        now = datetime.now(UTC)
        for source in sources:
            due = next_check(source, records.get(source.id), self.config.settings, now)
            self.arm(source, start_at(due, now, random.random()))

    def rearm(self, checked: list[Source]) -> None:
        """After a pass: each checked source's next run, from its new state."""
        records = self.records(only=[s.id for s in checked])
        now = datetime.now(UTC)
        known = self.scheduled()
        for source in checked:
            if source.id not in known:
                continue  # removed from the config, or paused, meanwhile
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
        except ConfigError as exc:
            for problem in exc.problems:
                log.error("%s", problem)
            log.error("config not reloaded: keeping the last good one (%d sources)",
                      len(self.config.sources))
            return
        before, after = {s.id for s in self.config.sources}, {s.id for s in new.sources}
        old = {s.id: s for s in self.config.active_sources}
        fresh = {s.id: s for s in new.active_sources}
        for source_id in old.keys() - fresh.keys():  # removed or paused: un-scheduled
            with contextlib.suppress(JobLookupError):
                self.scheduler.remove_job(source_id)
        counts = (len(after - before), len(before - after),
                  sum(1 for i, s in fresh.items() if i in old and old[i] != s),
                  sum(1 for i in old if i in after and i not in fresh),
                  sum(1 for i in fresh if i in before and i not in old))
        if new.settings != self.config.settings:
            log.info("settings changed: new fetcher and worker pool from the next pass")
            self.next_session = Session(new)
        else:
            self.session.config = new
        self.config = new
        self.arm_all([s for i, s in fresh.items() if old.get(i) != s])  # new, edited, resumed
        self.refresh_found()
        log.info("config reloaded: %d added, %d removed, %d changed, %d paused, %d resumed; "
                 "%d sources (%d paused)", *counts, len(new.sources),
                 len(new.sources) - len(fresh))

    # --- the loop -------------------------------------------------------------

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self._reload_now)
        self.arm_all(self.config.active_sources)
        self.refresh_found()
        self.scheduler.add_job(self.housekeeping, IntervalTrigger(seconds=HOUSEKEEPING_EVERY),
                               id="housekeeping", max_instances=1, coalesce=True)
        # a delivery round at once: what waited in the outbox (paused sources' alerts too)
        self.scheduler.add_job(self.enqueue, IntervalTrigger(seconds=DELIVERY_EVERY), args=[""],
                               id="deliveries", max_instances=1, coalesce=True,
                               next_run_time=datetime.now(UTC))
        self.scheduler.start()
        server = await serve_health(self.config.settings.health_port, self.status)
        web = self._start_web()
        log.info("monitor running: pid %d, %d source(s) from %s (%d paused); SIGTERM stops, "
                 "SIGHUP reloads", os.getpid(), len(self.config.active_sources),
                 self.config.path, len(self.config.sources) - len(self.config.active_sources))
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
            if web is not None:
                await web
            await self.session.__aexit__(None, None, None)
            self.write_status(stopped=True)
        log.info("monitor stopped")
        return 0

    def _start_web(self) -> asyncio.Future[None] | None:
        """The web view in this loop when ``settings.web.port`` is set; it stops with us."""
        web = self.config.settings.web
        if not web.port:
            return None
        try:
            from monitor.web.server import serve_beside
        except ImportError:
            log.error("settings.web.port is set but the web view's extra is not installed: "
                      "pip install 'monitor[web]'; checks go on without it")
            return None
        log.info("web view on http://%s:%d/", web.host, web.port)
        return asyncio.ensure_future(serve_beside(self.config, self.status, self.stopping))

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
        known = self.scheduled()
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
        for error in [*report.errors, *report.delivery.errors, *report.warnings]:
            log.warning("%s", error)
        if sources:
            from monitor.pipeline.reports import summary

            log.info("%s", summary(report))
        else:
            self.status_written = 0.0  # the 30 s delivery round refreshes the status file
        self.rearm(sources)
        if any(source.discover for source in sources):
            self.refresh_found()  # what the listings found was checked in this pass
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
            "started_at": stamp(datetime.fromtimestamp(self.health.started, UTC)),
            "uptime_seconds": round(time.time() - self.health.started),
            "sources": len(self.config.active_sources),
            "found_articles": len(self.found),
            "paused": len(self.config.sources) - len(self.config.active_sources),
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
        write_status(self.status_path, self.status(), running=not stopped)

def run_daemon(config: Config) -> int:
    """Run until SIGTERM; refused (``AlreadyRunning``) while another daemon runs here."""
    with daemon_lock(status_path(config).with_name("daemon.lock")):
        return asyncio.run(Daemon(config).run())
