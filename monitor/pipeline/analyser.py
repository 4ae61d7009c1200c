"""Extraction and diffing off the event loop, in a process pool.

trafilatura costs ~10 ms per page and a diff up to tens of ms: run in the
event loop they would stall every fetch, and in threads they would share one
core. Workers are started with ``forkserver`` (a forked worker would outlive a
killed parent holding its locks) from a server that has already imported
trafilatura, so a new worker costs a fork, not an import.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

from monitor.core.diff import Diff, diff_documents, same_wording
from monitor.core.document import Document, Snapshot, normalise
from monitor.discover.signals import PageSignals, read_signals
from monitor.extract.article import PageTooLarge, extract
from monitor.extract.pdf import DEFAULT_MAX_PAGES, BadPdf, extract_pdf, is_pdf
from monitor.fetch.processes import PRELOAD, exit_with

TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
HEAD_BYTES = 1 << 20  # where a <title> is looked for: heads with inline scripts pass 64 kB


@dataclass(frozen=True)
class Analysis:
    document: Document
    diff: Diff | None  # None: same wording as the stored snapshot (or no snapshot yet)
    page_title: str = ""  # the HTML <title>, which tells a soft 404 when the body is empty
    error: str | None = None  # why the page was not extracted (too large)
    # what the HTML says of its indexing (meta robots, rel=canonical); None for a PDF
    signals: PageSignals | None = None


class WorkerCrashed(Exception):
    pass


# Seconds one page may take in a worker before that source fails. Never the limit
# that decides what a page says (MAX_ELEMENTS and the diff's size limits do that):
# a backstop for the pathological, far above any real page's 10-100 ms.
BACKSTOP = 120.0


def analyse(body: bytes, url: str, stored: str | None, selector: str | None = None,
            ignore: tuple[str, ...] = (), pdf_max_pages: int = DEFAULT_MAX_PAGES) -> Analysis:
    """Extract the article (of an HTML page or a PDF) and diff it against the stored
    snapshot text."""
    title = ""
    signals = None
    try:
        if is_pdf(body):
            document = extract_pdf(body, pdf_max_pages)
            title = document.title
        else:
            document = extract(body, url, selector=selector, ignore=ignore)
            match = TITLE.search(body[:HEAD_BYTES])
            title = normalise(match[1].decode("utf-8", "replace")) if match else ""
            signals = read_signals(body, url)
    except (PageTooLarge, BadPdf) as exc:
        return Analysis(Document(), None, error=str(exc))
    if stored is None or document.is_empty:
        return Analysis(document, None, title, signals=signals)
    old = Snapshot.parse(stored).document
    if same_wording(old, document):  # the stored wording, and the page's clock as it is now
        return Analysis(replace(old, modified=document.modified), None, title, signals=signals)
    return Analysis(document, diff_documents(old, document), title, signals=signals)


class Analyser:
    """A process pool that is recreated when a worker dies."""

    def __init__(self, workers: int = 0):
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                             initializer=exit_with, initargs=(os.getpid(),))
        return self._pool

    async def analyse(self, body: bytes, url: str, stored: str | None,
                      selector: str | None = None, ignore: tuple[str, ...] = (),
                      pdf_max_pages: int = DEFAULT_MAX_PAGES) -> Analysis:
        pool = self._executor()
        try:
            return await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(
                pool, analyse, body, url, stored, selector, ignore, pdf_max_pages), BACKSTOP)
        except TimeoutError:
            self._discard(pool, kill=True)
            raise WorkerCrashed(f"extraction did not finish within {BACKSTOP:g}s (a backstop "
                                "that only a pathological page reaches)") from None
        except BrokenProcessPool:
            # Fail only this source; the next one gets a fresh pool.
            self._discard(pool)
            raise WorkerCrashed("the extraction worker died on this page") from None

    def _discard(self, pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
        if self._pool is pool:
            self._pool = None
            if kill:  # a worker stuck on one page would hold a core for ever
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.kill()
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def __aenter__(self) -> Analyser:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
