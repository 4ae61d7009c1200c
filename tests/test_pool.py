"""monitor/fetchpool.py: fetches in real child processes against a real site on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from conftest import orphans_of_killed
from test_client import HTML, make_settings

from monitor.fetch.client import Fetcher
from monitor.fetch.pool import FetchPool, fetch_processes, make_fetcher
from testing.site import LocalSite, Page


def test_a_pool_fetches_like_a_fetcher_with_conditional_requests(
        site: LocalSite, tmp_path: Path) -> None:
    for i in range(6):
        site.put(f"/a{i}", Page(body=f"<p>page {i}</p>".encode(), headers=dict(HTML)))
    site.redirect("/old", "/a1")

    async def go() -> None:
        async with FetchPool(make_settings(tmp_path), 2) as pool:
            first = await asyncio.gather(*(pool.fetch(f"{site.url}/a{i}") for i in range(6)))
            assert [r.body for r in first] == [f"<p>page {i}</p>".encode() for i in range(6)]
            assert all(r.status == 200 and r.ok for r in first)
            again = await pool.fetch(f"{site.url}/a0", etag=first[0].headers["etag"])
            assert again.status == 304 and again.body == b""
            moved = await pool.fetch(f"{site.url}/old")
            assert moved.final_url == f"{site.url}/a1" and moved.redirects == (f"{site.url}/old",)
            missing = await pool.fetch(f"{site.url}/nowhere")
            assert missing.status == 404
            # A body the caller already has does not travel back to it.
            known = first[2].content_sha256
            same = await pool.fetch(f"{site.url}/a2", known_sha256=known)
            assert same.status == 200 and same.body == b"" and same.content_sha256 == known
            other = await pool.fetch(f"{site.url}/a3", known_sha256=known)
            assert other.body == b"<p>page 3</p>"

    asyncio.run(go())


def test_limits_are_shared_out_and_a_paced_host_keeps_to_one_process(tmp_path: Path) -> None:
    spread = FetchPool(make_settings(tmp_path, concurrency=10, per_host_concurrency=4), 2)
    assert (spread.settings.concurrency, spread.settings.per_host_concurrency) == (5, 2)
    paced = FetchPool(make_settings(tmp_path, concurrency=10, per_host_delay=1.0), 2)
    assert paced.settings.per_host_concurrency == 4  # the whole limit, in one process
    urls = [f"http://host-{n}.example/a" for n in range(20)]
    members = [paced._member(url) for url in urls]
    pages = [spread._member(f"http://one.example/{n}") for n in range(20)]
    try:
        assert len({id(m) for m in members}) == 2
        for url, member in zip(urls, members, strict=True):
            assert paced._member(url.replace("/a", "/b")) is member
        assert len({id(m) for m in pages}) == 2  # one host's pages on both processes
    finally:
        asyncio.run(paced.aclose())
        asyncio.run(spread.aclose())
    assert not any(m.process.is_alive() for m in [*members, *pages])


def test_a_dead_fetch_process_fails_its_fetch_and_is_replaced(
        site: LocalSite, tmp_path: Path) -> None:
    site.put("/slow", Page(body=b"x" * 200, headers=dict(HTML), trickle=0.05))
    site.put("/fine", Page(body=b"<p>fine</p>", headers=dict(HTML)))

    async def go() -> None:
        async with FetchPool(make_settings(tmp_path, timeout=30.0), 2) as pool:
            slow = asyncio.ensure_future(pool.fetch(f"{site.url}/slow"))
            while not site.gets("/slow"):
                await asyncio.sleep(0.01)
            member = pool._member(f"{site.url}/slow")
            os.kill(member.process.pid, signal.SIGKILL)
            result = await asyncio.wait_for(slow, 10)
            assert not result.ok and result.error_kind == "crash"
            assert "fetch process died" in (result.error or "")
            fine = await pool.fetch(f"{site.url}/fine")
            assert fine.ok and fine.body == b"<p>fine</p>"
            assert pool._member(f"{site.url}/fine") is not member

    asyncio.run(go())


def test_how_many_fetch_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    automatic = make_settings(tmp_path)
    assert fetch_processes(automatic, 10) == 1  # a small config: no processes to start
    assert fetch_processes(automatic, 10_000) == 4
    assert fetch_processes(make_settings(tmp_path, fetch_processes=3), 10) == 3
    assert fetch_processes(make_settings(tmp_path, concurrency=2), 10_000) == 2
    assert isinstance(make_fetcher(automatic, 10), Fetcher)
    assert isinstance(make_fetcher(automatic, 10_000), FetchPool)


def test_fetch_processes_do_not_outlive_a_killed_monitor() -> None:
    """kill -9 of the parent leaves no fetch process behind."""
    code = (
        "import asyncio, time\n"
        "from pathlib import Path\n"
        "from monitor.core.model import Settings\n"
        "from monitor.fetch.pool import FetchPool\n"
        "async def main():\n"
        "    pool = FetchPool(Settings(Path('s'), Path('a'), Path('d')), 2)\n"
        "    members = [pool._member(f'http://h{n}.example/') for n in range(20)]\n"
        "    print(' '.join(sorted({str(m.process.pid) for m in members})), flush=True)\n"
        "    time.sleep(60)\n"
        "if __name__ == '__main__':\n"
        "    asyncio.run(main())\n")
    assert orphans_of_killed(code, 2) == [], "fetch processes outlived their monitor"
