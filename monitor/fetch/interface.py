"""The fetch side's one interface: what a check asks of whatever fetches its pages.

``Fetcher`` (one event loop, one httpx client) and ``FetchPool`` (a Fetcher in
each of several processes) implement it, and so will a task queue later; the
pipeline holds a ``PageFetcher`` and never asks which one it has. httpx stays
behind this line: nothing above ``monitor.fetch`` imports it for pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Protocol, Self

from monitor.fetch.result import FetchResult


class PageFetcher(Protocol):
    async def fetch(self, url: str, *, etag: str | None = None,
                    last_modified: str | None = None,
                    known_sha256: str | None = None,
                    headers: Mapping[str, str] | None = None) -> FetchResult:
        """GET ``url`` with conditional headers, retrying transient faults.

        ``headers`` are the source's own (``Source.request_headers``): they
        replace the fetcher's defaults of the same name, User-Agent included.

        Never raises for a page's fault: a failure is a FetchResult with an
        error. ``known_sha256`` is the hash of the body the caller already
        holds; an implementation that must copy the body across a process or
        a network may then answer with ``body=b""`` (``content_sha256`` still
        set), and one that has the body at hand may ignore it.
        """
        ...

    async def aclose(self) -> None:
        """Release connections and processes; the fetcher is not used again."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None: ...
