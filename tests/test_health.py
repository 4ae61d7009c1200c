"""The daemon's status file and its health endpoint, served for real on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import child_env

from monitor.core.model import Config, Settings
from monitor.daemon.health import Health, prometheus, read_status, serve_health, write_status
from monitor.pipeline.reports import CheckReport, PassReport

STATUS = {"uptime_seconds": 5, "sources": 2, "due_within_a_minute": 1, "checks_done": 3,
          "alerts_raised": 1, "check_errors": 0, "passes": 2, "outbox_pending": 0,
          "dead_letters": 0, "outcomes": {"unchanged": 2, "changed": 1}}


def config_in(root: Path) -> Config:
    settings = Settings(snapshots=root / "snapshots", alerts=root / "alerts",
                        state=root / ".monitor" / "state.sqlite")
    return Config(path=root / "sources.yaml", settings=settings, sources=[], channels={})


def test_metrics_are_prometheus_text_with_counters_and_gauges() -> None:
    text = prometheus(STATUS)
    assert "# TYPE monitor_checks_done counter\nmonitor_checks_done 3\n" in text
    assert "# TYPE monitor_sources gauge\nmonitor_sources 2\n" in text
    assert 'monitor_outcomes_total{outcome="changed"} 1\n' in text
    assert text.endswith("\n")


def test_health_counts_checks_alerts_and_the_last_error() -> None:
    health = Health()
    report = PassReport(checks=[
        CheckReport(source_id="a", outcome="changed", events=["changed"]),
        CheckReport(source_id="b", outcome="error", detail="timed out"),
    ])
    health.record(report)
    assert (health.passes, health.checks, health.alerts, health.errors) == (1, 2, 1, 1)
    assert health.outcomes == {"changed": 1, "error": 1}
    assert health.last_error == "b: timed out"
    assert health.last_pass_at is not None


def test_status_file_round_trips_and_knows_whether_the_daemon_lives(tmp_path: Path) -> None:
    config = config_in(tmp_path)
    assert read_status(config) == (None, False)  # never started
    path = tmp_path / ".monitor" / "status.json"
    write_status(path, {**STATUS, "pid": os.getpid()}, running=True)
    status, alive = read_status(config)
    assert status is not None and status["checks_done"] == 3 and status["written_at"]
    assert alive  # this very process
    write_status(path, {**STATUS, "pid": os.getpid()}, running=False)
    assert read_status(config)[1] is False
    path.write_text("{not json")
    assert read_status(config) == (None, False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def exchange(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer


def test_endpoint_serves_status_and_metrics_and_refuses_junk() -> None:
    asked: list[int] = []

    def status() -> dict[str, Any]:
        asked.append(1)
        return STATUS

    async def run() -> list[bytes]:
        assert await serve_health(None, status) is None  # no port: no server
        port = free_port()
        server = await serve_health(port, status)
        assert server is not None
        try:
            return [await exchange(port, request) for request in (
                b"GET /health HTTP/1.1\r\n\r\n", b"GET /metrics HTTP/1.1\r\n\r\n",
                b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n", b"\xff\r\n\r\n",
                b"POST /health HTTP/1.1\r\n\r\n")]
        finally:
            server.close()
            await server.wait_closed()

    health, metrics, *junk = asyncio.run(run())
    head, body = health.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK") and b"application/json" in head
    assert json.loads(body) == STATUS
    assert metrics.startswith(b"HTTP/1.1 200 OK") and b"monitor_passes 2" in metrics
    assert all(answer.startswith(b"HTTP/1.1 400 Bad Request") for answer in junk)
    assert len(asked) == 2  # junk never reaches the status callback


def status_as_nobody(root: Path) -> subprocess.CompletedProcess[str]:
    """``monitor status`` run by user nobody (65534), as another user on a server would."""
    return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           sys.executable, "-m", "monitor", "status", "--config",
                           str(root / "sources.yaml")], cwd=root, capture_output=True,
                          text=True, env=child_env(HOME=str(root)), timeout=120)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root (to become another user) and setpriv")
def test_status_of_another_users_daemon_says_so_not_that_it_is_stopped() -> None:
    root = Path(tempfile.mkdtemp(prefix="monitor-status-"))  # not tmp_path: that is 0700
    try:
        root.chmod(0o755)
        (root / "sources.yaml").write_text("sources: []\n")
        path = root / ".monitor" / "status.json"
        write_status(path, {**STATUS, "pid": os.getpid(), "config": "sources.yaml"},
                     running=True)
        (root / ".monitor").chmod(0o755)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # as the daemon leaves it

        denied = status_as_nobody(root)
        assert denied.returncode == 1, denied.stderr
        assert "cannot read the daemon's status" in denied.stderr
        assert "permission denied" in denied.stderr
        assert "sudo -u root monitor status" in denied.stderr
        assert "not running" not in (denied.stdout + denied.stderr).lower()

        path.chmod(0o644)  # readable now; the daemon (this process) is root's
        readable = status_as_nobody(root)
        assert readable.returncode == 0, readable.stderr
        assert f"monitor running (pid {os.getpid()}" in readable.stdout
    finally:
        shutil.rmtree(root)
