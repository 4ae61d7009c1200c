"""One fetcher, one worker pool and one store, for one pass (cron) or many (the daemon)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

from monitor.archive.mementos import mementos_file, restore_mementos
from monitor.archive.submit import submit_pending
from monitor.core.model import Config, Source
from monitor.fetch.pool import make_fetcher
from monitor.notify.delivery import (
    deliver_pending,
    write_alert_files,
)
from monitor.pipeline.analyser import Analyser
from monitor.pipeline.check import Checker
from monitor.pipeline.found import found_sources
from monitor.pipeline.recovery import recover
from monitor.pipeline.reports import CheckReport, PassReport
from monitor.store.errors import GitError
from monitor.store.store import Store


class Session:
    """One fetcher and one worker pool, kept across passes (the daemon) or for one (cron)."""

    def __init__(self, config: Config):
        self.config = config
        self.fetcher = make_fetcher(config.settings, len(config.sources))
        self.analyser = Analyser(config.settings.workers)
        settings = config.settings
        self.store = Store.of(settings)

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.fetcher.aclose()
        self.analyser.close()
        self.store.close()

    async def run(self, sources: list[Source], *,
                  on_check: Callable[[CheckReport, int, int], None] | None = None,
                  on_wait: Callable[[str], None] | None = None,
                  honour_backoff: bool = False) -> PassReport:
        """Check ``sources`` once, then attempt every pending delivery, under the store lock.

        The lock is awaited in a thread so that a daemon's loop keeps running
        while a cron run finishes.
        """
        settings = self.config.settings
        store = self.store
        report = PassReport()
        await asyncio.to_thread(store.acquire, settings.lock_timeout, on_wait)
        try:
            store.open()
            store.sync_worktree()
            report.recovery = recover(store, self.config)
            checker = Checker(self.config, store, self.fetcher, self.analyser)
            if report.recovery.lost_head:  # history rewritten under us: say so loudly
                report.errors.append(report.recovery.describe())
                checker.evidence.checkpoint(
                    kind="discontinuity", head=store.head(), commits=(),
                    details={"reason": report.recovery.describe(),
                             "previous_head": report.recovery.lost_head})
            if report.recovery.rebuilt_from is not None:
                with store.transaction() as db:  # the mementos outlive the state
                    restore_mementos(db, mementos_file(settings.evidence))
            try:
                # Listings first: the articles they find are checked in the same pass, so
                # a new article's alert comes with its text.
                listings = [s for s in sources if s.discover]
                rest = [s for s in sources if not s.discover]
                total = len(sources)
                await self._checks(checker, listings, report, on_check, total)
                if listings:
                    found = just_found(self.config, store, {s.id for s in sources})
                    total += len(found)
                    rest += found
                await self._checks(checker, rest, report, on_check, total)
            finally:
                report.errors += checker.problems + checker.evidence.problems
            try:
                write_alert_files(store)
            except OSError as exc:
                # Alerts stay in the outbox; they are written and sent by a later run.
                report.errors.append(f"cannot write alert files, delivery postponed: {exc}")
            else:
                report.delivery = await deliver_pending(store, self.config,
                                                        honour_backoff=honour_backoff)
                report.warnings += report.delivery.warnings
            report.warnings += await self._archive_and_stamp()
        finally:
            with contextlib.suppress(GitError, OSError):  # the next pass tries again
                store.refresh_index()
                store.pack()
            store.release()
        return report


    @staticmethod
    async def _checks(checker: Checker, sources: list[Source], report: PassReport,
                      on_check: Callable[[CheckReport, int, int], None] | None,
                      total: int) -> None:
        tasks = [asyncio.ensure_future(checker.check(s)) for s in sources]
        try:
            for done in asyncio.as_completed(tasks):
                check = await done
                report.checks.append(check)
                if on_check:
                    on_check(check, len(report.checks), total)
        finally:
            for task in tasks:
                task.cancel()

    async def _archive_and_stamp(self) -> list[str]:
        """Web archive submissions and a trusted timestamp, when configured: each is
        retried by a later pass when its service fails, and never fails this one."""
        settings = self.config.settings
        warnings: list[str] = []
        if self.config.archives:
            archived = await submit_pending(settings.state, self.config.archives,
                                            evidence=settings.evidence,
                                            timeout=settings.delivery_timeout,
                                            user_agent=settings.user_agent)
            warnings += [f"web archive: {error}" for error in archived.errors]
        if settings.timestamp_authorities:
            from monitor.evidence.tsa import stamp_latest

            failed = await asyncio.to_thread(
                stamp_latest, settings.evidence / "log", settings.timestamp_authorities,
                now=datetime.now(UTC), timeout=settings.delivery_timeout)
            warnings += [f"timestamp: {error} (tried again by a later pass)"
                         for error in failed]
        return warnings


def just_found(config: Config, store: Store, checking: set[str]) -> list[Source]:
    """The found articles no check has seen yet (a listing of this pass just found them)."""
    records = store.records()
    return [source for source in found_sources(config, store.db, datetime.now(UTC))
            if source.id not in checking
            and (source.id not in records or records[source.id].last_checked is None)]


async def run_pass(config: Config, sources: list[Source], *,
                   on_check: Callable[[CheckReport, int, int], None] | None = None,
                   on_wait: Callable[[str], None] | None = None) -> PassReport:
    """One pass with a fresh session: what ``monitor check`` runs."""
    async with Session(config) as session:
        return await session.run(sources, on_check=on_check, on_wait=on_wait)
