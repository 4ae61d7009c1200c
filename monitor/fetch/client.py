"""Fetch pages with one shared httpx client, politely and within hard limits.

A page is untrusted input: the whole fetch has a deadline, the body a size cap
(counted after decompression, so a gzip bomb stops at the cap), redirects are
capped and recorded, and every failure comes back as a FetchResult with an
error instead of an exception, so one bad source never stops the others.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from monitor.fetch.decode import BoundedDecoder
from monitor.fetch.exchange import Hop, hop_of
from monitor.fetch.result import FetchFailed, FetchResult
from monitor.fetch.retry_after import parse_retry_after
from monitor.fetch.transport import AddressPolicy, Refused, Resolver, make_transport

if TYPE_CHECKING:
    from monitor.core.model import Settings


ROBOTS_TTL = 86400.0  # seconds a site's robots.txt is trusted
LONG_RETRY_AFTER = 30.0  # seconds; longer waits defer the source instead of sleeping


class Fetcher:
    """A PageFetcher: one httpx.AsyncClient for the whole run, with global and per-host
    limits."""

    def __init__(self, settings: Settings, *, client: httpx.AsyncClient | None = None,
                 address_allowed: AddressPolicy | None = None,
                 resolver: Resolver | None = None):
        self.settings = settings
        limits = httpx.Limits(max_connections=settings.concurrency,
                              max_keepalive_connections=settings.concurrency)
        self.client = client or httpx.AsyncClient(
            # With block_private, addresses are checked where the socket connects.
            transport=make_transport(limits, block_private=settings.block_private,
                                     allowed=address_allowed, resolver=resolver),
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            timeout=httpx.Timeout(settings.timeout),
            headers={"User-Agent": settings.user_agent,
                     "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                     "Accept-Encoding": "gzip, deflate, br"},  # what BoundedDecoder undoes
        )
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host_concurrency))
        self._last_request: dict[str, float] = {}
        self._pacing: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._robots: dict[tuple[str, str], tuple[RobotFileParser, float]] = {}

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def fetch(self, url: str, *, etag: str | None = None,
                    last_modified: str | None = None,
                    known_sha256: str | None = None,
                    headers: Mapping[str, str] | None = None) -> FetchResult:
        """GET with conditional headers; retries transient faults with backoff.

        A PageFetcher: ``known_sha256`` is ignored, as the body is at hand anyway.
        """
        headers = dict(headers or {})
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = urlsplit(url).hostname or ""
        if self.settings.respect_robots and not await self._robots_allow(url, headers):
            return FetchResult(url=url, final_url=url, error="disallowed by robots.txt "
                               "(settings.respect_robots)", error_kind="robots")
        attempt = 0
        while True:
            # The host's slot first: a fetch queued behind a busy host must not sit
            # on a global slot that another host's fetch could use.
            async with self._hosts[host], self._global:
                await self._pause_for(host)
                result = await self._attempt(url, headers)
            if not result.transient or attempt >= self.settings.retries:
                return result
            wait = self.settings.retry_backoff * (2 ** attempt)
            if result.retry_after is not None:
                if result.retry_after > LONG_RETRY_AFTER:
                    return result  # deferred to a later check; a pass never sleeps on it
                wait = max(wait, result.retry_after)
            attempt += 1
            await asyncio.sleep(wait)

    async def _robots_allow(self, url: str, headers: Mapping[str, str]) -> bool:
        """robots.txt for the User-Agent this request sends (the source's own, else
        ours), fetched once a day per site and agent (RFC 9309), with that agent.

        No robots.txt (4xx) allows everything; an unreachable one (5xx, errors)
        allows nothing for now, which makes the check an error, never a removal.
        """
        agent = next((value for name, value in headers.items()
                      if name.lower() == "user-agent"), self.settings.user_agent)
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get((site, agent))
        if cached is None or time.monotonic() - cached[1] > ROBOTS_TTL:
            parser = RobotFileParser()
            result = await self._attempt(f"{site}/robots.txt", {"User-Agent": agent})
            if result.ok and result.status == 200:
                parser.parse(result.body.decode("utf-8", "replace").splitlines())
            elif result.ok and result.status and 400 <= result.status < 500:
                parser.parse([])  # no robots.txt: everything is allowed
            else:
                parser.parse(["User-agent: *", "Disallow: /"])  # unknown: nothing is
            cached = self._robots[(site, agent)] = (parser, time.monotonic())
        return cached[0].can_fetch(agent, url)

    async def _pause_for(self, host: str) -> None:
        """Keep ``per_host_delay`` between request starts to one host, in turn."""
        delay = self.settings.per_host_delay
        if delay <= 0:
            return
        async with self._pacing[host]:
            since = time.monotonic() - self._last_request.get(host, float("-inf"))
            if since < delay:
                await asyncio.sleep(delay - since)
            self._last_request[host] = time.monotonic()

    async def _attempt(self, url: str, headers: dict[str, str]) -> FetchResult:
        """One GET, following redirects hop by hop so that each hop is kept as received."""
        started = time.monotonic()
        fetched_at = datetime.now(UTC)
        final_url, hops = url, list[Hop]()
        try:
            async with asyncio.timeout(self.settings.timeout):
                while True:
                    hop_started = datetime.now(UTC)
                    async with self.client.stream("GET", final_url, headers=headers,
                                                  follow_redirects=False) as response:
                        raw, body = await self._read(response)
                        if response.status_code != 304 or hops:  # else nothing commits
                            hops.append(hop_of(response, raw, hop_started))
                        location = _redirect_target(response)
                        if location is None:
                            return FetchResult(
                                url=url, final_url=final_url, status=response.status_code,
                                headers={k.lower(): v for k, v in response.headers.items()},
                                body=body, redirects=tuple(h.url for h in hops[:-1]),
                                elapsed=time.monotonic() - started, fetched_at=fetched_at,
                                retry_after=_retry_after(response), exchange=tuple(hops))
                    if len(hops) > self.settings.max_redirects:
                        raise httpx.TooManyRedirects("too many redirects")
                    final_url = location
        except TimeoutError:
            kind, message = "timeout", f"no complete answer within {self.settings.timeout:g}s"
        except httpx.TooManyRedirects:
            kind, message = "redirects", (f"more than {self.settings.max_redirects} "
                                          "redirects (a loop?)")
        except (FetchFailed, Refused, httpx.HTTPError) as exc:
            kind, message = describe_error(exc)
        return FetchResult(url=url, final_url=final_url, redirects=tuple(h.url for h in hops),
                           error=message, error_kind=kind, elapsed=time.monotonic() - started,
                           fetched_at=fetched_at)

    async def _read(self, response: httpx.Response) -> tuple[bytes, bytes]:
        """The body as received (content-encoded) and decoded, both within max_bytes."""
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchFailed("too-large", f"body of {int(declared):,} bytes is over the "
                                           f"max_bytes cap of {cap:,}")
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), cap)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_raw():
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:  # decoding shrinks nothing that is already over the cap
                raise FetchFailed("too-large", f"body over the max_bytes cap of {cap:,}")
            decoder.feed(chunk)
        return b"".join(chunks), decoder.finish()


def _redirect_target(response: httpx.Response) -> str | None:
    """Where a redirect points, resolved against the URL it came from; None if not one."""
    if not response.has_redirect_location:
        return None
    location = response.headers["location"]
    try:
        return str(response.url.join(location))
    except httpx.InvalidURL as exc:
        raise FetchFailed("url", f"a redirect to an invalid URL: {exc}") from None


def describe_error(exc: Exception) -> tuple[str, str]:
    """The kind of a failed fetch and what to tell the user, naming no URL."""
    if isinstance(exc, FetchFailed | Refused):
        return exc.kind, str(exc)
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", "timed out"
    text = _short(exc)
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "name or service not known" in lowered or "name resolution" in lowered \
                or "nodename nor servname" in lowered or "errno -2]" in lowered:
            return "dns", f"the host name does not resolve: {text}"
        if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
            return "tls", f"TLS error: {text}"
        return "connect", f"cannot connect: {text}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "protocol", f"connection broken: {text}"
    if isinstance(exc, httpx.DecodingError):
        return "decoding", f"cannot decode the body: {text}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "url", f"cannot fetch this URL: {text}"
    return "http", f"{type(exc).__name__}: {text}"


def _retry_after(response: httpx.Response) -> float | None:
    return parse_retry_after(response.headers.get("retry-after", ""))


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
