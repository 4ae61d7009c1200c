"""Debian's chromium, driven by Playwright, and ``monitor serve`` as a child to point it at.

Playwright's own browser download needs the internet; the machine's chromium
(``apt-get install chromium``) is launched through ``executable_path`` with the
flags that keep it off the network: it only ever talks to 127.0.0.1 here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage"]


def browser_env() -> dict[str, str | float | bool]:
    """The environment chromium is started with: this one, less libfaketime.

    ``tests/run-a-year-ahead`` runs everything a year ahead through LD_PRELOAD;
    monitor runs on that clock, but chromium's timers stall under it (a test took
    minutes). A browser is the reader's, on the reader's clock: it is left out.
    """
    return {key: value for key, value in os.environ.items()
            if key != "LD_PRELOAD" and not key.startswith("FAKETIME")}


def chromium_path() -> str | None:
    """The machine's chromium, or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(config: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``monitor serve`` for the project of ``config``; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "monitor", "serve", "--port", str(port), "--config",
         str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a busy machine imports slowly; not a budget
        while True:
            try:
                httpx.get(f"{base}/login", timeout=5)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    out = server.stdout.read() if server.stdout else ""
                    raise RuntimeError(f"monitor serve did not start: {out}") from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
