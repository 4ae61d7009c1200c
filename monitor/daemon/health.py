"""What the daemon says about itself: counters, the status file, the health endpoint.

The status file beside the state database is what ``monitor status`` reads,
so a daemon started by systemd or cron can be asked how it is doing without
a port; ``health_port`` serves the same document (and Prometheus metrics).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.core.events import Outcome
from monitor.core.metrics import prometheus
from monitor.core.model import Config
from monitor.core.timestamps import stamp
from monitor.pipeline.reports import PassReport
from monitor.store.files import atomic_write


def status_path(config: Config) -> Path:
    return config.settings.state.parent / "status.json"


@dataclass
class Health:
    """What the status file and the health endpoint say."""

    pid: int = field(default_factory=os.getpid)
    started: float = field(default_factory=time.time)
    checks: int = 0
    alerts: int = 0
    errors: int = 0
    passes: int = 0
    last_pass_at: str | None = None
    last_error: str | None = None
    pending_deliveries: int = 0
    dead_letters: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def record(self, report: PassReport) -> None:
        self.passes += 1
        self.last_pass_at = stamp(datetime.now(UTC))
        for check in report.checks:
            self.checks += 1
            self.alerts += len(check.events)
            self.outcomes[check.outcome] = self.outcomes.get(check.outcome, 0) + 1
            if check.outcome == Outcome.ERROR:
                self.errors += 1
                self.last_error = f"{check.source_id}: {check.detail}"
        for error in [*report.errors, *report.delivery.errors]:
            self.last_error = error


def write_status(path: Path, status: dict[str, Any], *, running: bool) -> None:
    """Replace the status file atomically; a full disk must not stop the daemon."""
    document = {**status, "running": running, "written_at": stamp(datetime.now(UTC))}
    with contextlib.suppress(OSError):
        atomic_write(path, json.dumps(document, indent=2).encode() + b"\n")


class StatusUnreadable(Exception):
    """The status file exists but this user may not read it: the daemon runs as another."""

    def __init__(self, path: Path, owner: str | None):
        self.path, self.owner = path, owner
        run_as = f"as {owner} (`sudo -u {owner} monitor status`)" if owner else \
            "as the user the daemon runs as"
        super().__init__(f"cannot read the daemon's status in {path}: permission denied; "
                         f"the daemon may be running as another user: run this {run_as}")


def read_status(config: Config) -> tuple[dict[str, Any] | None, bool]:
    """The daemon's last status file, and whether its process is alive.

    Raises ``StatusUnreadable`` when the file (or its folder) is another user's:
    "not running" would then be a guess, and usually a wrong one.
    """
    path = status_path(config)
    try:
        status = json.loads(path.read_text())
    except PermissionError:
        raise StatusUnreadable(path, _owner(path)) from None
    except (OSError, ValueError):
        return None, False
    alive = False
    if status.get("running"):
        try:
            os.kill(int(status["pid"]), 0)
            alive = True
        except PermissionError:  # alive, and another user's (EPERM)
            alive = True
        except (OSError, ValueError, KeyError):
            alive = False
    return status, alive


def _owner(path: Path) -> str | None:
    """The user owning ``path``, or its nearest folder this user can see."""
    import pwd

    for candidate in (path, *path.parents):
        try:
            uid = candidate.stat().st_uid
        except OSError:
            continue
        try:
            return pwd.getpwuid(uid).pw_name
        except KeyError:
            return str(uid)
    return None


async def serve_health(port: int | None,
                       status: Callable[[], dict[str, Any]]) -> asyncio.Server | None:
    """Serve ``status()`` on 127.0.0.1: JSON at any path, Prometheus text at /metrics.

    A reader of one request line, because the endpoint answers probes and
    scrapers only and must not pull a web framework into the daemon.
    """
    if not port:
        return None

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _answer(reader, writer, status)

    return await asyncio.start_server(answer, "127.0.0.1", port)


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  status: Callable[[], dict[str, Any]]) -> None:
    try:
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
        except ValueError:  # a request line past the stream's 64 kB limit
            request = b""
        words = request.split()
        answer = b"400 Bad Request"
        body, kind = b"bad request\n", "text/plain"
        if len(words) == 3 and words[0] == b"GET":
            answer = b"200 OK"
            current = status()
            if words[1].startswith(b"/metrics"):
                body, kind = prometheus(current).encode(), "text/plain; version=0.0.4"
            else:
                body, kind = json.dumps(current).encode(), "application/json"
        writer.write(b"HTTP/1.1 " + answer + b"\r\nContent-Type: " + kind.encode() +
                     b"\r\nContent-Length: " + str(len(body)).encode() +
                     b"\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
    except (OSError, TimeoutError):
        pass
    finally:
        writer.close()
