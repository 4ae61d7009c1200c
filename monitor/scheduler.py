"""``monitor run``: each source on its own schedule, until SIGTERM.

APScheduler decides *when* a source is due; the jobs only queue its id. One
loop drains the queue into passes, so sources that fall due together share a
pass (one lock, one set of commits) and a source is never checked twice at
once. The first run of each source is computed from its last check in the
state database, so a restart checks what is due, not everything at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import sys
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.check import Session
from monitor.config import Config, Schedule, Source, cron_trigger
from monitor.store import Store

ADAPTIVE_FALLBACK = 3600.0  # seconds, until adaptive schedules land
STARTUP_SPREAD = 10.0  # seconds over which never-checked sources start
SHUTDOWN_TIMEOUT = 10.0
DELIVERY_EVERY = 30.0  # seconds between delivery rounds when no check is due
DELIVERIES_ONLY = Source(id="", url="", schedule=Schedule())  # a pass that only delivers


def trigger_for(schedule: Schedule) -> BaseTrigger:
    if schedule.cron:
        return cron_trigger(schedule.cron, UTC)
    every = schedule.every or ADAPTIVE_FALLBACK
    # A small share of the interval, so equal intervals spread out but a 2 s source
    # still runs about every 2 s.
    return IntervalTrigger(seconds=every, jitter=min(every * 0.1, 300), timezone=UTC)


def first_run(schedule: Schedule, last_checked: str | None, now: datetime) -> datetime:
    if not last_checked:
        return now + timedelta(seconds=random.uniform(0, STARTUP_SPREAD))
    checked = datetime.strptime(last_checked, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    due = schedule.next_due(checked)
    if due > now:
        return due
    return now + timedelta(seconds=random.uniform(0, STARTUP_SPREAD))


class Daemon:
    def __init__(self, config: Config):
        self.config = config
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.queued: set[str] = set()
        self.stopping = asyncio.Event()

    def log(self, message: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        print(f"{stamp} {message}", flush=True)

    def enqueue(self, source_id: str) -> None:
        if source_id not in self.queued:
            self.queued.add(source_id)
            self.queue.put_nowait(source_id)

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        settings = self.config.settings
        store = Store(settings.snapshots, settings.state, settings.alerts)
        records = {}
        if store.open_readonly():
            try:
                records = store.records()
            finally:
                store.close()
        now = datetime.now(UTC)
        for source in self.config.sources:
            record = records.get(source.id)
            scheduler.add_job(
                self.enqueue, trigger_for(source.schedule), args=[source.id], id=source.id,
                max_instances=1, coalesce=True, misfire_grace_time=None,
                next_run_time=first_run(source.schedule,
                                        record.last_checked if record else None, now))

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stopping.set)
        scheduler = AsyncIOScheduler(timezone=UTC)
        self.schedule(scheduler)
        scheduler.add_job(self.enqueue, IntervalTrigger(seconds=DELIVERY_EVERY), args=[""],
                          id="deliveries", max_instances=1, coalesce=True)
        scheduler.start()
        self.log(f"monitor running: {len(self.config.sources)} source(s) from "
                 f"{self.config.path}; SIGTERM stops")
        try:
            async with Session(self.config) as session:
                while not self.stopping.is_set():
                    batch = await self._next_batch()
                    if not batch:
                        continue
                    work = asyncio.ensure_future(self._pass(session, batch))
                    stop = asyncio.ensure_future(self.stopping.wait())
                    await asyncio.wait({work, stop}, return_when=asyncio.FIRST_COMPLETED)
                    stop.cancel()
                    if not work.done():
                        self.log(f"stopping: letting the current pass finish "
                                 f"(at most {SHUTDOWN_TIMEOUT:g}s)")
                        done, _ = await asyncio.wait({work}, timeout=SHUTDOWN_TIMEOUT)
                        if not done:
                            work.cancel()
                            with contextlib.suppress(asyncio.CancelledError):
                                await work
        finally:
            scheduler.shutdown(wait=False)
        self.log("monitor stopped")
        return 0

    async def _next_batch(self) -> list[Source]:
        getter = asyncio.ensure_future(self.queue.get())
        stop = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({getter, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not getter.done():
            getter.cancel()
            return []
        ids = [getter.result()]
        while not self.queue.empty():
            ids.append(self.queue.get_nowait())
        self.queued.difference_update(ids)
        known = {source.id: source for source in self.config.sources}
        return [known[i] for i in ids if i in known] or [DELIVERIES_ONLY]

    async def _pass(self, session: Session, sources: list[Source]) -> None:
        from monitor.cli import print_check, summary

        sources = [s for s in sources if s is not DELIVERIES_ONLY]
        try:
            report = await session.run(sources, on_check=print_check, on_wait=self.log,
                                       honour_backoff=True)
        except Exception as exc:  # a pass must never take the daemon down
            self.log(f"pass failed: {type(exc).__name__}: {exc}")
            return
        if sources or report.delivery.delivered or report.delivery.failed:
            self.log(summary(report))
        for error in report.delivery.errors:
            self.log(f"delivery failed: {error} (kept; retried)")


def run_daemon(config: Config) -> int:
    try:
        return asyncio.run(Daemon(config).run())
    except KeyboardInterrupt:
        print("monitor: interrupted", file=sys.stderr)
        return 130
