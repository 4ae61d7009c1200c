"""Fetching in several processes, for thousands of sources on more than one core.

One event loop with one httpx client tops out at one core: on a pass of
10,000 pages that answer 304, httpx's own machinery is three quarters of the
time. A FetchPool runs a Fetcher in each of N processes and hands every fetch
to one of them. The global ``concurrency`` is shared out between them, and so
is ``per_host_concurrency``, so neither limit is ever exceeded. With a
``per_host_delay`` a host always goes to the same process instead, because
pacing needs one clock. The checking itself (decide, commit, alert) stays in
the one main process.

Requests and results travel as typed messages (``wire.py``) over a socket
pair, so neither side ever blocks the other. A fetch process that dies fails only the
fetches it held (as transient errors, never a removal) and is started again.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import pickle
import socket
import zlib
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from monitor.core.model import Settings
from monitor.fetch.client import Fetcher
from monitor.fetch.interface import PageFetcher
from monitor.fetch.processes import PRELOAD, exit_with
from monitor.fetch.result import FetchResult
from monitor.fetch.wire import (
    BadMessage,
    FetchReply,
    FetchRequest,
    receive_reply,
    receive_request,
    send,
)

POOL_FROM_SOURCES = 500  # below this many sources one process keeps up easily
MAX_PROCESSES = 4


def fetch_processes(settings: Settings, sources: int) -> int:
    """How many fetch processes a pass over ``sources`` gets (``fetch_processes: 0``)."""
    if settings.fetch_processes:
        wanted = settings.fetch_processes
    elif sources < POOL_FROM_SOURCES:
        wanted = 1
    else:
        wanted = min(os.cpu_count() or 1, MAX_PROCESSES)
    return max(1, min(wanted, settings.concurrency))  # each process fetches at least one


def make_fetcher(settings: Settings, sources: int) -> PageFetcher:
    processes = fetch_processes(settings, sources)
    return FetchPool(settings, processes) if processes > 1 else Fetcher(settings)


def _serve(sock: socket.socket, settings: Settings, parent: int) -> None:
    """A fetch process: fetch what the parent asks until it hangs up."""
    exit_with(parent)
    asyncio.run(_serve_requests(sock, settings))


async def _serve_requests(sock: socket.socket, settings: Settings) -> None:
    reader, writer = await asyncio.open_connection(sock=sock)
    running: set[asyncio.Task[None]] = set()

    async def answer(request: FetchRequest) -> None:
        url = request.url
        try:
            result = await fetcher.fetch(url, etag=request.etag,
                                         last_modified=request.last_modified,
                                         headers=dict(request.headers))
        except Exception as exc:  # a bug costs this fetch, not the process
            result = FetchResult(url=url, final_url=url, error_kind="internal",
                                 error=f"internal error: {type(exc).__name__}: {exc}")
        known = request.known_sha256
        if result.not_modified and not result.redirects:
            result = replace(result, exchange=())  # nothing to commit, so nothing to capture
        elif known and result.body and result.content_sha256 == known \
                and not result.redirects:
            # The caller has it and will commit nothing: no need to send it back. (A
            # redirect may be a move, whose commit keeps the exchange as its capture.)
            result = replace(result, body=b"", exchange=())
        await send(writer, FetchReply(request.request_id, result))

    async with Fetcher(settings) as fetcher:
        while True:
            try:
                request = await receive_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError, BadMessage):
                break  # the parent is done
            task = asyncio.ensure_future(answer(request))
            running.add(task)
            task.add_done_callback(running.discard)
        for task in running:
            task.cancel()


class FetchProcessDied(Exception):
    pass


class _FetchProcess:
    """One fetch process and the fetches it holds."""

    def __init__(self, settings: Settings):
        ours, theirs = socket.socketpair()
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        self.process = context.Process(target=_serve, args=(theirs, settings, os.getpid()),
                                       name="monitor-fetch", daemon=True)
        self.process.start()
        theirs.close()
        self._socket = ours
        self._ids = itertools.count()
        self._waiting: dict[int, asyncio.Future[FetchResult]] = {}
        self._opened: asyncio.Task[tuple[asyncio.StreamReader, asyncio.StreamWriter]] | None \
            = None
        self._listener: asyncio.Task[None] | None = None
        self.dead = False

    async def _streams(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._opened is None:
            self._opened = asyncio.ensure_future(asyncio.open_connection(sock=self._socket))
        reader, writer = await self._opened
        if self._listener is None:
            self._listener = asyncio.ensure_future(self._listen(reader))
        return reader, writer

    async def fetch(self, url: str, etag: str | None, last_modified: str | None,
                    known_sha256: str | None, headers: Mapping[str, str]) -> FetchResult:
        _, writer = await self._streams()
        request_id = next(self._ids)
        future: asyncio.Future[FetchResult] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        try:
            await send(writer, FetchRequest(request_id, url, etag, last_modified, known_sha256,
                                            tuple(headers.items())))
        except (ConnectionError, RuntimeError):
            self._fail_all()
        try:
            return await future
        finally:
            self._waiting.pop(request_id, None)

    async def _listen(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                reply = await receive_reply(reader)
                future = self._waiting.pop(reply.request_id, None)
                if future is not None and not future.done():
                    future.set_result(reply.result)
        except (asyncio.IncompleteReadError, ConnectionError, pickle.UnpicklingError,
                BadMessage):
            self._fail_all()

    def _fail_all(self) -> None:
        self.dead = True
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(FetchProcessDied())
        self._waiting.clear()

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
        if self._opened is not None and self._opened.done() and not self._opened.cancelled():
            _, writer = self._opened.result()
            writer.close()
        else:
            self._socket.close()
        await asyncio.to_thread(self.process.join, 5)
        if self.process.is_alive():
            self.process.kill()
            await asyncio.to_thread(self.process.join)


class FetchPool:
    """A PageFetcher over ``processes`` fetch processes, started on first use."""

    def __init__(self, settings: Settings, processes: int):
        self.processes = processes = max(1, min(processes, settings.concurrency))
        # Spread a host's pages over the processes, each with its share of the host's
        # limit, unless pacing or a limit too small to share needs one process a host.
        self.by_host = settings.per_host_delay > 0 or settings.per_host_concurrency < processes
        per_host = settings.per_host_concurrency
        self.settings = replace(
            settings, concurrency=settings.concurrency // processes,
            per_host_concurrency=per_host if self.by_host else per_host // processes)
        self._members: list[_FetchProcess | None] = [None] * processes
        self._reaping: set[asyncio.Future[None]] = set()

    def _member(self, url: str) -> _FetchProcess:
        key = (urlsplit(url).hostname or "") if self.by_host else url
        index = zlib.crc32(key.encode()) % self.processes
        member = self._members[index]
        if member is None or member.dead:
            if member is not None:  # reap the dead one
                self._reaping.add(asyncio.ensure_future(member.close()))
            member = self._members[index] = _FetchProcess(self.settings)
        return member

    async def fetch(self, url: str, *, etag: str | None = None,
                    last_modified: str | None = None,
                    known_sha256: str | None = None,
                    headers: Mapping[str, str] | None = None) -> FetchResult:
        """As PageFetcher.fetch; a body whose hash is ``known_sha256`` comes back as b""."""
        try:
            return await self._member(url).fetch(url, etag, last_modified, known_sha256,
                                                 headers or {})
        except FetchProcessDied:
            return FetchResult(url=url, final_url=url, error_kind="crash",
                               error="the fetch process died during this fetch")

    async def aclose(self) -> None:
        members = [m for m in self._members if m is not None]
        self._members = [None] * self.processes
        await asyncio.gather(*(member.close() for member in members), *self._reaping)

    async def __aenter__(self) -> FetchPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
