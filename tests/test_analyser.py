"""The extraction pool: real forkserver workers, recreated when one dies."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import _running, orphans_of_killed

from monitor.cli.demo_site import Article, render_article
from monitor.pipeline.analyser import Analyser, WorkerCrashed, analyse

PAGE = render_article(Article.load("huawei-5g-letter")).encode()
EDITED = render_article(Article.load("huawei-5g-letter").edited("80,000", "8,000")).encode()


def test_analyse_diffs_against_the_stored_snapshot() -> None:
    from monitor.core.document import Snapshot

    first = analyse(PAGE, "http://127.0.0.1/a", None)
    assert first.diff is None and not first.document.is_empty
    stored = Snapshot(first.document, url="http://127.0.0.1/a").render()
    assert analyse(PAGE, "http://127.0.0.1/a", stored).diff is None
    second = analyse(EDITED, "http://127.0.0.1/a", stored)
    assert second.diff is not None and second.diff.added == ["8,000"]


def test_a_page_clock_moving_the_date_forward_is_no_change() -> None:
    from dataclasses import replace

    from monitor.core.document import Snapshot

    first = analyse(PAGE, "http://127.0.0.1/a", None)
    yesterday = replace(first.document, date="2000-01-01")
    stored = Snapshot(yesterday, url="http://127.0.0.1/a").render()
    again = analyse(PAGE, "http://127.0.0.1/a", stored)
    assert again.diff is None
    assert again.document == yesterday  # the stored date stays until the wording changes


def test_workers_run_in_forkserver_processes() -> None:
    async def scenario() -> dict[int, tuple[int, str]]:
        async with Analyser(2) as analyser:
            await asyncio.gather(*(analyser.analyse(PAGE, "http://x/", None) for _ in range(4)))
            pool = analyser._executor()
            pids = [p.pid for p in pool._processes.values()]  # type: ignore[attr-defined]
            parents = {pid: parent_of(pid) for pid in pids}
            return {pid: (parent, Path(f"/proc/{parent}/cmdline").read_text().replace("\0", " "))
                    for pid, parent in parents.items()}

    workers = asyncio.run(scenario())
    assert workers and os.getpid() not in workers
    # Forked by the forkserver, not by us: with spawn or fork their parent would be us.
    for parent, command in workers.values():
        assert parent != os.getpid()
        assert "forkserver" in command


def parent_of(pid: int) -> int:
    """The parent pid from /proc (Linux): the field after the ``(name)``."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def test_a_dead_worker_fails_one_page_and_the_pool_is_recreated() -> None:
    async def scenario() -> None:
        async with Analyser(1) as analyser:
            await analyser.analyse(PAGE, "http://x/", None)
            pool = analyser._executor()
            for process in list(pool._processes.values()):  # type: ignore[attr-defined]
                os.kill(process.pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            with pytest.raises(WorkerCrashed):
                while time.monotonic() < deadline:  # until the pool notices the death
                    await analyser.analyse(PAGE, "http://x/", None)
                    await asyncio.sleep(0.05)
            result = await analyser.analyse(PAGE, "http://x/", None)
            assert not result.document.is_empty

    asyncio.run(scenario())


def test_workers_do_not_outlive_a_killed_monitor() -> None:
    """kill -9 of the parent leaves no extraction process behind (nor the forkserver)."""
    code = (
        "import asyncio, os, sys, time\n"
        "from monitor.pipeline.analyser import Analyser\n"
        "from monitor.cli.demo_site import Article, render_article\n"
        "page = render_article(Article.load('huawei-5g-letter')).encode()\n"
        "async def main():\n"
        "    analyser = Analyser(2)\n"
        "    await asyncio.gather(*(analyser.analyse(page, 'http://x/', None) for _ in range(4)))\n"
        "    pids = [p.pid for p in analyser._executor()._processes.values()]\n"
        "    print(' '.join(map(str, pids)), flush=True)\n"
        "    time.sleep(60)\n"
        "if __name__ == '__main__':\n"
        "    asyncio.run(main())\n")
    assert orphans_of_killed(code, 2) == [], "extraction workers outlived their monitor"


def test_a_page_past_the_element_limit_is_an_error_not_a_long_wait() -> None:
    from monitor.extract.article import MAX_ELEMENTS

    huge = ("<html><body><article>" + "<p>A paragraph.</p>" * (MAX_ELEMENTS + 10)
            + "</article></body></html>").encode()
    analysis = analyse(huge, "http://127.0.0.1/a", None)
    assert analysis.document.is_empty
    assert analysis.error is not None and f"more than {MAX_ELEMENTS:,} HTML elements" in \
        analysis.error


def test_the_backstop_fails_the_page_and_kills_its_worker(monkeypatch) -> None:
    """The backstop (120 s) is shortened here: no real page can be made slow on purpose
    on every machine, which is exactly why results never hang on the clock."""
    import monitor.pipeline.analyser

    async def scenario() -> tuple[str, list[int]]:
        async with Analyser(1) as analyser:
            await analyser.analyse(PAGE, "http://x/", None)  # the worker is up
            pool = analyser._executor()
            pids = [p.pid for p in pool._processes.values()]  # type: ignore[attr-defined]
            monkeypatch.setattr(monitor.pipeline.analyser, "BACKSTOP", 0.001)
            try:
                await analyser.analyse(PAGE * 20, "http://x/", None)
            except WorkerCrashed as exc:
                message = str(exc)
            else:
                message = ""
            monkeypatch.setattr(monitor.pipeline.analyser, "BACKSTOP", 120.0)
            again = await analyser.analyse(PAGE, "http://x/", None)  # a fresh pool
            assert not again.document.is_empty
            return message, pids

    message, pids = asyncio.run(scenario())
    assert "did not finish within 0.001s" in message
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in pids)
