"""monitor/fetch.py against a real HTTP server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import socket
import threading
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar

from monitor.core.classify import is_text
from monitor.core.model import DEFAULT_USER_AGENT, Settings
from monitor.fetch.client import Fetcher, FetchResult
from testing.site import LocalSite, Page, Received

T = TypeVar("T")
HTML = {"Content-Type": "text/html; charset=utf-8"}


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Fast settings: short timeout, no retries, ms backoff, unless a test says otherwise."""
    base: dict[str, Any] = {"timeout": 5.0, "retries": 0, "retry_backoff": 0.01}
    return Settings(snapshots=tmp_path / "s", alerts=tmp_path / "a", state=tmp_path / "st.db",
                    **{**base, **overrides})


def with_fetcher(settings: Settings, work: Callable[[Fetcher], Awaitable[T]]) -> T:
    async def go() -> T:
        async with Fetcher(settings) as fetcher:
            return await work(fetcher)
    return asyncio.run(go())


def fetch(settings: Settings, url: str, **kwargs: Any) -> FetchResult:
    return with_fetcher(settings, lambda f: f.fetch(url, **kwargs))


def timed_fetch(settings: Settings, url: str) -> tuple[FetchResult, float]:
    started = time.monotonic()
    result = fetch(settings, url)
    return result, time.monotonic() - started


def header(received: Received, name: str) -> str | None:
    for key, value in received.headers.items():
        if key.lower() == name.lower():
            return value
    return None


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def trickling(n_bytes: int, every: float = 0.05) -> Page:
    return Page(body=b"x" * n_bytes, headers=dict(HTML), etag=False, trickle=every)


# --- plain answers -------------------------------------------------------------


def test_200_returns_body_headers_and_final_url(site: LocalSite, tmp_path: Path) -> None:
    body = b"<html><body><p>The figure is 80,000.</p></body></html>"
    site.put("/article", Page(body=body, headers={**HTML, "X-Custom": "yes"}))
    url = f"{site.url}/article"

    result = fetch(make_settings(tmp_path), url)

    assert result.ok and result.error is None and result.error_kind is None
    assert result.status == 200
    assert result.body == body
    assert result.url == url and result.final_url == url
    assert result.redirects == ()
    assert result.headers["x-custom"] == "yes"  # keys are lower-cased
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    assert result.headers["content-length"] == str(len(body))
    assert result.headers["etag"].startswith('"')
    assert result.content_sha256 == hashlib.sha256(body).hexdigest()
    assert not result.not_modified and not result.transient
    assert result.retry_after is None
    assert 0 < result.elapsed < 10
    assert result.fetched_at.tzinfo is UTC
    assert is_text(result)
    assert len(site.gets("/article")) == 1


def test_etag_conditional_request_gives_304(site: LocalSite, tmp_path: Path) -> None:
    site.put("/article", Page(body=b"<p>version one</p>", headers=dict(HTML)))
    url = f"{site.url}/article"
    settings = make_settings(tmp_path)

    first = fetch(settings, url)
    etag = first.headers["etag"]
    second = fetch(settings, url, etag=etag)

    assert second.status == 304 and second.not_modified
    assert second.ok and not second.transient
    assert second.body == b""
    gets = site.gets("/article")
    assert header(gets[0], "If-None-Match") is None
    assert header(gets[1], "If-None-Match") == etag

    site.put("/article", Page(body=b"<p>version two</p>", headers=dict(HTML)))
    third = fetch(settings, url, etag=etag)
    assert third.status == 200 and third.body == b"<p>version two</p>"
    assert third.headers["etag"] != etag


def test_last_modified_is_sent_as_if_modified_since(site: LocalSite, tmp_path: Path) -> None:
    site.put("/article", Page(body=b"<p>text</p>", headers=dict(HTML)))
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"
    result = fetch(make_settings(tmp_path), f"{site.url}/article", last_modified=stamp)
    assert result.status == 200
    assert header(site.gets("/article")[0], "If-Modified-Since") == stamp


def test_user_agent_and_accept_are_sent(site: LocalSite, tmp_path: Path) -> None:
    site.put("/a", Page(body=b"<p>a</p>", headers=dict(HTML)))
    fetch(make_settings(tmp_path), f"{site.url}/a")
    fetch(make_settings(tmp_path, user_agent="custom-agent/2.0 (+mailto:x@example.org)"),
          f"{site.url}/a")
    first, second = site.gets("/a")
    assert header(first, "User-Agent") == DEFAULT_USER_AGENT
    assert "monitor" in DEFAULT_USER_AGENT
    assert header(second, "User-Agent") == "custom-agent/2.0 (+mailto:x@example.org)"
    assert "text/html" in (header(first, "Accept") or "")


# --- redirects -----------------------------------------------------------------------


def test_redirects_are_followed_and_recorded(site: LocalSite, tmp_path: Path) -> None:
    site.redirect("/old", "/middle")
    site.redirect("/middle", f"{site.url}/new", status=302)  # absolute Location too
    site.put("/new", Page(body=b"<p>moved here</p>", headers=dict(HTML)))

    result = fetch(make_settings(tmp_path), f"{site.url}/old")

    assert result.ok and result.status == 200
    assert result.body == b"<p>moved here</p>"
    assert result.url == f"{site.url}/old"
    assert result.final_url == f"{site.url}/new"
    assert result.redirects == (f"{site.url}/old", f"{site.url}/middle")
    assert [r.path for r in site.gets()] == ["/old", "/middle", "/new"]


def test_redirect_loop_is_an_error_kind_redirects(site: LocalSite, tmp_path: Path) -> None:
    site.redirect("/loop-a", "/loop-b")
    site.redirect("/loop-b", "/loop-a")

    result, elapsed = timed_fetch(make_settings(tmp_path, max_redirects=5, retries=2),
                                  f"{site.url}/loop-a")

    assert not result.ok
    assert result.error_kind == "redirects"
    assert result.status is None
    assert "redirects" in (result.error or "")
    assert not result.transient  # a loop is not retried
    assert len(site.gets()) == 6  # the first request and 5 redirects, once
    assert elapsed < 10


def test_max_redirects_is_a_cap(site: LocalSite, tmp_path: Path) -> None:
    site.redirect("/r1", "/r2")
    site.redirect("/r2", "/r3")
    site.put("/r3", Page(body=b"<p>end</p>", headers=dict(HTML)))
    url = f"{site.url}/r1"
    assert fetch(make_settings(tmp_path, max_redirects=2), url).status == 200
    assert fetch(make_settings(tmp_path, max_redirects=1), url).error_kind == "redirects"


# --- size cap --------------------------------------------------------------------------


def test_body_over_max_bytes_by_content_length_is_refused_unread(site: LocalSite,
                                                                 tmp_path: Path) -> None:
    # 5,000 bytes at one per 50 ms would take 250 s to read: the cap must act on the header.
    site.put("/big", trickling(5000))

    result, elapsed = timed_fetch(make_settings(tmp_path, max_bytes=1000), f"{site.url}/big")

    assert result.error_kind == "too-large"
    assert not result.ok and not result.transient
    assert "max_bytes" in (result.error or "") and "5,000" in (result.error or "")
    assert result.body == b""
    assert elapsed < 10  # reading it all would take 250 s


def test_body_exactly_at_max_bytes_is_accepted(site: LocalSite, tmp_path: Path) -> None:
    site.put("/exact", Page(body=b"y" * 1000, headers=dict(HTML)))
    site.put("/over", Page(body=b"y" * 1001, headers=dict(HTML)))
    settings = make_settings(tmp_path, max_bytes=1000)
    exact = fetch(settings, f"{site.url}/exact")
    assert exact.ok and len(exact.body) == 1000
    assert fetch(settings, f"{site.url}/over").error_kind == "too-large"


def test_gzip_body_is_decoded(site: LocalSite, tmp_path: Path) -> None:
    text = b"<p>" + b"compressible article text " * 200 + b"</p>"
    site.put("/gz", Page(body=gzip.compress(text),
                         headers={**HTML, "Content-Encoding": "gzip"}))
    result = fetch(make_settings(tmp_path), f"{site.url}/gz")
    assert result.ok and result.body == text


GZIP_BOMB = gzip.compress(b"a" * (20 * 10**6))  # ~20 KB on the wire, 20 MB decoded


def test_gzip_bomb_is_too_large(site: LocalSite, tmp_path: Path) -> None:
    assert len(GZIP_BOMB) < 100_000  # passes the Content-Length check: only decoding catches it
    site.put("/bomb", Page(body=GZIP_BOMB, headers={**HTML, "Content-Encoding": "gzip"}))

    result, elapsed = timed_fetch(make_settings(tmp_path, max_bytes=100_000),
                                  f"{site.url}/bomb")

    assert result.error_kind == "too-large"
    assert "after decompression" in (result.error or "")
    assert result.body == b""
    assert elapsed < 10


def test_gzip_bomb_is_stopped_without_decompressing_it_all(site: LocalSite,
                                                           tmp_path: Path) -> None:
    site.put("/bomb", Page(body=GZIP_BOMB, headers={**HTML, "Content-Encoding": "gzip"}))
    settings = make_settings(tmp_path, max_bytes=100_000)

    async def work(fetcher: Fetcher) -> tuple[FetchResult, int]:
        tracemalloc.start()
        try:
            result = await fetcher.fetch(f"{site.url}/bomb")
            return result, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    result, peak = with_fetcher(settings, work)
    assert result.error_kind == "too-large"
    # A few times the cap plus buffers is fine; the whole 20 MB bomb is not.
    assert peak < 5 * 10**6, f"peak memory {peak:,} bytes for a {settings.max_bytes:,} cap"


# --- timeouts and connection failures ------------------------------------------


def test_trickling_server_times_out_within_the_whole_fetch_deadline(site: LocalSite,
                                                                    tmp_path: Path) -> None:
    # Every byte comes sooner than any per-read timeout; only a whole-fetch deadline stops it.
    site.put("/slow", trickling(200))

    result, elapsed = timed_fetch(make_settings(tmp_path, timeout=0.5), f"{site.url}/slow")

    assert result.error_kind == "timeout"
    assert result.transient and not result.ok
    assert result.status is None and result.body == b""
    assert "0.5s" in (result.error or "")
    assert 0.45 <= elapsed < 5  # the whole page would take 10 s


def test_timeout_is_retried_as_transient(site: LocalSite, tmp_path: Path) -> None:
    site.put("/slow", trickling(200))
    result, elapsed = timed_fetch(make_settings(tmp_path, timeout=0.3, retries=1),
                                  f"{site.url}/slow")
    assert result.error_kind == "timeout"
    assert len(site.gets("/slow")) == 2
    assert 0.6 <= elapsed < 5  # two deadlines, not two 10 s pages


def test_connection_refused_is_connect_and_transient(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/article"
    result, elapsed = timed_fetch(make_settings(tmp_path, retries=1), url)
    assert result.error_kind == "connect"
    assert result.transient
    assert not result.ok and result.status is None
    assert (result.error or "").startswith("cannot connect")
    assert result.final_url == url
    assert elapsed < 10


def test_unsupported_scheme_is_an_error_not_an_exception(tmp_path: Path) -> None:
    result = fetch(make_settings(tmp_path, retries=2), "ftp://127.0.0.1/file.txt")
    assert result.error_kind == "url"
    assert not result.ok and not result.transient


# --- retries ---------------------------------------------------------------------------


def test_503_is_retried_retries_times(site: LocalSite, tmp_path: Path) -> None:
    site.put_status("/busy", 503, "try later")
    result, elapsed = timed_fetch(make_settings(tmp_path, retries=2), f"{site.url}/busy")
    assert result.status == 503
    assert result.transient
    assert result.body == b"try later"
    assert len(site.gets("/busy")) == 3  # the first attempt and 2 retries
    assert elapsed < 10


def test_404_is_not_retried(site: LocalSite, tmp_path: Path) -> None:
    result = fetch(make_settings(tmp_path, retries=3), f"{site.url}/gone")
    assert result.status == 404
    assert not result.transient
    assert len(site.gets("/gone")) == 1


def test_503_then_200_recovers_within_one_fetch(site: LocalSite, tmp_path: Path) -> None:
    site.put_status("/flaky", 503)

    def heal() -> None:
        deadline = time.monotonic() + 2
        while not site.gets("/flaky") and time.monotonic() < deadline:
            time.sleep(0.005)
        site.put("/flaky", Page(body=b"<p>back</p>", headers=dict(HTML)))

    healer = threading.Thread(target=heal)
    healer.start()
    result = fetch(make_settings(tmp_path, retries=1, retry_backoff=0.2), f"{site.url}/flaky")
    healer.join()
    assert result.status == 200 and result.body == b"<p>back</p>"
    assert len(site.gets("/flaky")) == 2


def test_long_retry_after_is_not_slept_on(site: LocalSite, tmp_path: Path) -> None:
    site.put("/busy", Page(status=503, body=b"busy", etag=False,
                           headers={**HTML, "Retry-After": "3600"}))
    result, elapsed = timed_fetch(make_settings(tmp_path, retries=3), f"{site.url}/busy")
    assert result.status == 503
    assert result.retry_after == 3600.0
    assert len(site.gets("/busy")) == 1  # deferred to a later check, not retried now
    assert elapsed < 60  # not an hour


def test_short_retry_after_is_waited_for(site: LocalSite, tmp_path: Path) -> None:
    site.put("/busy", Page(status=503, body=b"busy", etag=False,
                           headers={**HTML, "Retry-After": "1"}))
    result, elapsed = timed_fetch(make_settings(tmp_path, retries=1), f"{site.url}/busy")
    assert result.retry_after == 1.0
    assert len(site.gets("/busy")) == 2
    assert elapsed >= 0.95  # Retry-After (1 s) wins over the 10 ms backoff


# --- concurrency limits --------------------------------------------------------------


def fetch_together(settings: Settings, urls: list[str]) -> list[FetchResult]:
    """Fetch ``urls`` concurrently, each one to a 200."""

    async def work(fetcher: Fetcher) -> list[FetchResult]:
        results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
        assert all(r.ok and r.status == 200 for r in results), [r.error for r in results]
        return list(results)

    return with_fetcher(settings, work)


def request_starts(results: list[FetchResult]) -> list[float]:
    """When each request went out (after its pacing), in seconds after the first."""
    first = min(r.fetched_at for r in results)
    return sorted((r.fetched_at - first).total_seconds() for r in results)


SLOW = 1.0  # seconds each trickled page takes to send: a lower bound, whatever the load


def arrivals(site: LocalSite, *paths: str) -> list[float]:
    """When the site received each path, in seconds after the first of them."""
    seen = {r.path: r.at for r in site.gets()}
    first = min(seen[path] for path in paths)
    return [seen[path] - first for path in paths]


def test_per_host_concurrency_limit_serialises_one_host(site: LocalSite,
                                                        tmp_path: Path) -> None:
    """Told apart by when the server saw each request: the second of a serial pair can
    only arrive once the first (SLOW seconds to send) is done, however busy the machine."""
    for path in ("/one", "/two", "/three", "/four"):
        site.put(path, trickling(20))
    fetch_together(make_settings(tmp_path, per_host_concurrency=1),
                   [f"{site.url}/one", f"{site.url}/two"])
    assert max(arrivals(site, "/one", "/two")) >= 0.95 * SLOW  # one after the other
    fetch_together(make_settings(tmp_path, per_host_concurrency=2),
                   [f"{site.url}/three", f"{site.url}/four"])
    assert max(arrivals(site, "/three", "/four")) < 0.95 * SLOW  # both at once


def test_global_concurrency_limit(site: LocalSite, tmp_path: Path) -> None:
    site.put("/one", trickling(20))
    site.put("/two", trickling(20))
    port = site.url.rsplit(":", 1)[1]
    urls = [f"{site.url}/one", f"http://localhost:{port}/two"]  # two hosts, one slot
    fetch_together(make_settings(tmp_path, concurrency=1, per_host_concurrency=4), urls)
    assert max(arrivals(site, "/one", "/two")) >= 0.95 * SLOW


def test_waiting_on_a_busy_host_does_not_block_other_hosts(site: LocalSite,
                                                           tmp_path: Path) -> None:
    for path in ("/a1", "/a2", "/b"):
        site.put(path, trickling(20))
    port = site.url.rsplit(":", 1)[1]
    urls = [f"{site.url}/a1", f"{site.url}/a2", f"http://localhost:{port}/b"]

    fetch_together(make_settings(tmp_path, concurrency=2, per_host_concurrency=1), urls)

    a1, a2, b = arrivals(site, "/a1", "/a2", "/b")
    assert abs(a2 - a1) >= 0.95 * SLOW  # the per-host limit still holds for 127.0.0.1
    # Two global slots: the other host's request goes out beside the first, not after
    # the one waiting for its host.
    assert b < min(a1, a2) + 0.95 * SLOW, f"the other host waited {b:.2f}s"


def test_per_host_delay_spaces_sequential_requests(site: LocalSite, tmp_path: Path) -> None:
    site.put("/a", Page(body=b"<p>a</p>", headers=dict(HTML)))
    settings = make_settings(tmp_path, per_host_delay=0.3)

    async def work(fetcher: Fetcher) -> list[FetchResult]:
        return [await fetcher.fetch(f"{site.url}/a"), await fetcher.fetch(f"{site.url}/a")]

    # The delay is between request starts (not from the end of the last answer, which
    # a busy machine delivers late): judged by when each request went out.
    first, second = request_starts(with_fetcher(settings, work))
    assert second - first >= 0.25
    assert len(site.gets("/a")) == 2


def test_per_host_delay_spaces_concurrent_requests(site: LocalSite, tmp_path: Path) -> None:
    for path in ("/a", "/b", "/c"):
        site.put(path, Page(body=b"<p>x</p>", headers=dict(HTML)))
    settings = make_settings(tmp_path, per_host_delay=0.3, per_host_concurrency=4)
    times = request_starts(fetch_together(settings, [f"{site.url}/a", f"{site.url}/b",
                                                     f"{site.url}/c"]))
    assert times[1] - times[0] >= 0.25
    assert times[2] - times[1] >= 0.25


def test_fetcher_closes_its_client(tmp_path: Path) -> None:
    async def work(fetcher: Fetcher) -> Fetcher:
        assert not fetcher.client.is_closed
        return fetcher

    fetcher = with_fetcher(make_settings(tmp_path), work)
    assert fetcher.client.is_closed


# --- is_text ----------------------------------------------------------------------------


def test_a_pdf_is_read_and_a_zip_is_not(site: LocalSite, tmp_path: Path) -> None:
    site.put("/report.pdf", Page(body=b"%PDF-1.7\n%...", headers={
        "Content-Type": "application/pdf"}))
    site.put("/report.zip", Page(body=b"PK\x03\x04", headers={
        "Content-Type": "application/zip"}))
    result = fetch(make_settings(tmp_path), f"{site.url}/report.pdf")
    assert result.ok and result.status == 200
    assert is_text(result)
    assert not is_text(fetch(make_settings(tmp_path), f"{site.url}/report.zip"))


# --- SSRF guard -------------------------------------------------------------------------


def test_block_private_refuses_loopback_addresses(site: LocalSite, tmp_path: Path) -> None:
    site.put("/a", Page(body=b"<p>a</p>", headers=dict(HTML)))
    port = site.url.rsplit(":", 1)[1]
    guarded = make_settings(tmp_path, block_private=True)
    for url in (f"{site.url}/a", f"http://localhost:{port}/a"):
        result = fetch(guarded, url)
        assert result.error_kind == "refused", url
        assert "private, loopback or link-local" in (result.error or "")
    assert site.gets("/a") == []  # refused before any connection
    assert fetch(make_settings(tmp_path), f"{site.url}/a").status == 200  # off by default


def test_block_private_checks_every_redirect(site: LocalSite, tmp_path: Path) -> None:
    # Only loopback is reachable in a test, so the policy lets the host "127.0.0.1" through
    # and refuses "localhost": the redirect's second hop must be checked and refused.
    port = site.url.rsplit(":", 1)[1]
    site.redirect("/hop", f"http://localhost:{port}/a")
    site.put("/a", Page(body=b"<p>a</p>", headers=dict(HTML)))

    async def work(fetcher: Fetcher) -> FetchResult:
        return await fetcher.fetch(f"{site.url}/hop")

    async def go() -> FetchResult:
        async with Fetcher(make_settings(tmp_path, block_private=True),
                           address_allowed=lambda host, _address: host == "127.0.0.1") as f:
            return await work(f)

    result = asyncio.run(go())
    assert result.error_kind == "refused" and "localhost" in (result.error or "")
    assert len(site.gets("/hop")) == 1 and site.gets("/a") == []


# --- robots.txt -------------------------------------------------------------------------


def test_respect_robots_skips_disallowed_pages(site: LocalSite, tmp_path: Path) -> None:
    site.put("/robots.txt", Page(body=b"User-agent: monitor\nDisallow: /private/\n",
                                 headers={"Content-Type": "text/plain"}))
    site.put("/private/a", Page(body=b"<p>a</p>", headers=dict(HTML)))
    site.put("/public/b", Page(body=b"<p>b</p>", headers=dict(HTML)))
    settings = make_settings(tmp_path, respect_robots=True)

    async def work(fetcher: Fetcher) -> tuple[FetchResult, FetchResult]:
        return (await fetcher.fetch(f"{site.url}/private/a"),
                await fetcher.fetch(f"{site.url}/public/b"))

    refused, allowed = with_fetcher(settings, work)
    assert refused.error_kind == "robots" and "robots.txt" in (refused.error or "")
    assert allowed.status == 200
    assert site.gets("/private/a") == []
    assert len(site.gets("/robots.txt")) == 1  # cached for the site
    assert fetch(make_settings(tmp_path), f"{site.url}/private/a").status == 200  # off: fetched


def test_missing_robots_txt_allows_everything(site: LocalSite, tmp_path: Path) -> None:
    site.put("/a", Page(body=b"<p>a</p>", headers=dict(HTML)))
    assert fetch(make_settings(tmp_path, respect_robots=True), f"{site.url}/a").status == 200


def test_dns_rebinding_cannot_reach_a_private_address(site: LocalSite, tmp_path: Path) -> None:
    """An injected resolver answers 127.0.0.2 and then 127.0.0.1 for one name; an injected
    policy calls 127.0.0.2 public and 127.0.0.1 private, so no packet leaves loopback.

    The old guard resolved the name itself and let the connection resolve it again:
    the check saw 127.0.0.2, the socket went to 127.0.0.1. Now the socket goes to
    the address that was checked, or nowhere."""
    import ipaddress

    site.put("/a", Page(body=b"<p>private</p>", headers=dict(HTML)))
    port = int(site.url.rsplit(":", 1)[1])
    answers = iter([["127.0.0.2"], ["127.0.0.1"], ["127.0.0.2"], ["127.0.0.1"]])

    async def rebinding(host: str, _port: int) -> list[str]:
        assert host == "rebind.test"
        return next(answers)

    def policy(_host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return str(address) == "127.0.0.2"

    async def go() -> list[FetchResult]:
        async with Fetcher(make_settings(tmp_path, block_private=True, retries=0),
                           address_allowed=policy, resolver=rebinding) as fetcher:
            return [await fetcher.fetch(f"http://rebind.test:{port}/a") for _ in range(2)]

    first, second = asyncio.run(go())
    # 127.0.0.2 passed the check, so the socket went there: nothing listens on it.
    assert first.error_kind == "connect", first.error
    assert second.error_kind == "refused" and "127.0.0.1" in (second.error or "")
    assert site.gets("/a") == []  # the private page was never requested


