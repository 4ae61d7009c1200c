"""monitor/archive/wayback.py through submit_pending: Save Page Now 2, against a real fake."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from monitor.archive import ArchiveReport, ArchiveUrl, enqueue, mementos, submit_pending
from monitor.core.model import WaybackConfig
from monitor.core.timestamps import stamp
from monitor.store.state import SCHEMA
from testing.archives import ArchiveServer, SavePageNow
from testing.receivers import Answer

ACCESS, SECRET = "IAaccess7f3a2c", "IAsecret91bq77xz"
T = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
URL = "https://news.example.org/2026/03/article"


@pytest.fixture
def spn2() -> Iterator[ArchiveServer]:
    with ArchiveServer(SavePageNow(ACCESS, SECRET)) as server:
        yield server


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
    connection.executescript(SCHEMA)
    yield connection
    connection.close()


def fake(server: ArchiveServer) -> SavePageNow:
    assert isinstance(server.service, SavePageNow)
    return server.service


def config(server: ArchiveServer, **changes: object) -> WaybackConfig:
    return WaybackConfig(access_key=ACCESS, secret=SECRET, base_url=server.url,
                         **changes)  # type: ignore[arg-type]


def queue(db: sqlite3.Connection, services: list[WaybackConfig], count: int = 1,
          url: str = URL) -> list[str]:
    revisions = [f"{n:040x}" for n in range(1, count + 1)]
    for revision in revisions:
        enqueue(db, source_id="article", url=url if count == 1 else f"{url}-{revision[-3:]}",
                revision=revision, event="changed", services=services, now=T)
    return revisions


def run(db: sqlite3.Connection | Path, services: list[WaybackConfig], evidence: Path,
        now: datetime = T, timeout: float = 5.0, poll_interval: float = 0.02) -> ArchiveReport:
    return asyncio.run(submit_pending(db, services, evidence=evidence, timeout=timeout,
                                      now=now, poll_interval=poll_interval))


def row(db: sqlite3.Connection, revision: str = f"{1:040x}") -> dict[str, object]:
    cursor = db.execute("SELECT * FROM archive_jobs WHERE revision = ?", (revision,))
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_a_capture_request_is_what_spn2_documents_and_its_memento_is_kept(
        spn2: ArchiveServer, db: sqlite3.Connection, tmp_path: Path) -> None:
    services = [config(spn2)]
    [revision] = queue(db, services)
    report = run(db, services, tmp_path / "evidence")
    [post] = spn2.posts()
    assert post.path == "/save"
    assert post.headers["Authorization"] == f"LOW {ACCESS}:{SECRET}"
    assert post.headers["Accept"] == "application/json"
    assert parse_qs(post.body.decode()) == {"url": [URL], "capture_all": ["1"]}
    memento = f"{spn2.url}/web/20260301093000/{URL}"
    assert report.submitted == 1 and report.archived == 1 and not report.errors
    job = row(db)
    assert (job["status"], job["memento_url"], job["attempts"]) == ("done", memento, 1)
    assert job["archived_at"] == stamp(T)
    assert mementos(db, "article") == {revision: [ArchiveUrl("wayback", revision, memento)]}
    assert mementos(db, "article")[revision][0].to_json() == {
        "service": "wayback", "revision": revision, "url": memento}
    [line] = (tmp_path / "evidence" / "archives.jsonl").read_text().splitlines()
    assert json.loads(line) == {"service": "wayback", "revision": revision, "url": memento,
                                "source_id": "article", "original_url": URL,
                                "event": "changed", "archived_at": stamp(T)}


def test_a_capture_still_pending_is_polled_on_later_passes_not_submitted_again(
        spn2: ArchiveServer, db: sqlite3.Connection, tmp_path: Path) -> None:
    services = [config(spn2)]
    queue(db, services)
    # No time to poll within the pass: the job is left in flight.
    first = run(db, services, tmp_path, timeout=1.5, poll_interval=5)
    assert first.submitted == 1 and first.archived == 0
    job = row(db)
    assert job["status"] == "polling" and str(job["job_id"]).startswith("spn2-")
    run(db, services, tmp_path, now=T + timedelta(minutes=1), timeout=1.5, poll_interval=5)
    assert row(db)["status"] == "polling"
    run(db, services, tmp_path, now=T + timedelta(minutes=2), timeout=1.5, poll_interval=5)
    assert row(db)["status"] == "done"
    assert len(spn2.posts()) == 1
    polls = [r.path for r in spn2.requests if r.method == "GET"]
    assert polls == [f"/save/status/{job['job_id']}"] * 2


def test_a_service_fault_is_retried_later_and_holds_the_other_jobs(
        spn2: ArchiveServer, db: sqlite3.Connection, tmp_path: Path) -> None:
    services = [config(spn2)]
    first, _second = queue(db, services, count=2)
    spn2.queue(Answer.text(503, "Service Unavailable"))
    report = run(db, services, tmp_path)
    assert len(spn2.posts()) == 1  # the outage is the service's: the second waits too
    job = row(db, first)
    assert (job["status"], job["attempts"]) == ("pending", 1)
    assert job["next_attempt_at"] == stamp(T + timedelta(seconds=60))
    assert "HTTP 503" in str(job["last_error"])
    assert report.retrying == 1 and report.waiting == 1
    # Before the wait is over nothing is sent; after it, both go.
    run(db, services, tmp_path, now=T + timedelta(seconds=30))
    assert len(spn2.posts()) == 1
    run(db, services, tmp_path, now=T + timedelta(seconds=61))
    assert len(spn2.posts()) == 3
    assert {row(db, r)["status"] for r in (first, _second)} == {"done"}


def test_a_session_limit_is_retried_later(spn2: ArchiveServer, db: sqlite3.Connection,
                                          tmp_path: Path) -> None:
    fake(spn2).session_limit = 0
    services = [config(spn2)]
    queue(db, services)
    run(db, services, tmp_path)
    job = row(db)
    assert job["status"] == "pending" and "error:user-session-limit" in str(job["last_error"])
    assert job["next_attempt_at"] == stamp(T + timedelta(seconds=60))


def test_a_429_waits_as_long_as_retry_after_asks(spn2: ArchiveServer, db: sqlite3.Connection,
                                                 tmp_path: Path) -> None:
    services = [config(spn2)]
    queue(db, services)
    spn2.queue(Answer.text(429, "Too Many Requests", **{"Retry-After": "300"}))
    run(db, services, tmp_path)
    assert row(db)["next_attempt_at"] == stamp(T + timedelta(seconds=300))


def test_a_daily_cap_is_retried_tomorrow(spn2: ArchiveServer, db: sqlite3.Connection,
                                         tmp_path: Path) -> None:
    fake(spn2).refusals[URL] = "error:too-many-daily-captures"
    services = [config(spn2)]
    queue(db, services)
    report = run(db, services, tmp_path)
    job = row(db)
    assert job["status"] == "pending"
    assert job["next_attempt_at"] == "2026-03-02T00:05:00Z"
    assert "error:too-many-daily-captures" in str(job["last_error"])
    assert report.retrying == 1
    run(db, services, tmp_path, now=T + timedelta(hours=12))
    assert len(spn2.posts()) == 1


def test_a_blocked_url_is_given_up_for_good(spn2: ArchiveServer, db: sqlite3.Connection,
                                            tmp_path: Path) -> None:
    fake(spn2).outcomes[URL] = "error:blocked-url"
    services = [config(spn2)]
    queue(db, services)
    report = run(db, services, tmp_path)
    job = row(db)
    assert (job["status"], job["next_attempt_at"]) == ("failed", None)
    assert "error:blocked-url" in str(job["last_error"])
    assert report.failed == 1 and report.archived == 0
    run(db, services, tmp_path, now=T + timedelta(days=3))
    assert len(spn2.posts()) == 1
    assert mementos(db, "article") == {}


def test_a_capture_pending_too_long_is_submitted_again(
        spn2: ArchiveServer, db: sqlite3.Connection, tmp_path: Path) -> None:
    fake(spn2).pending_polls = 1000
    services = [config(spn2)]
    queue(db, services)
    run(db, services, tmp_path, timeout=1.5, poll_interval=5)
    later = T + timedelta(minutes=31)
    run(db, services, tmp_path, now=later, timeout=1.5, poll_interval=5)
    job = row(db)
    assert (job["status"], job["job_id"]) == ("pending", None)
    assert "still capturing" in str(job["last_error"])
    assert job["next_attempt_at"] == stamp(later + timedelta(seconds=60))


def test_a_job_failing_for_two_days_is_given_up(
        spn2: ArchiveServer, db: sqlite3.Connection, tmp_path: Path) -> None:
    services = [config(spn2)]
    queue(db, services)
    spn2.queue(Answer.text(502, "Bad Gateway"))
    report = run(db, services, tmp_path, now=T + timedelta(hours=49))
    job = row(db)
    assert job["status"] == "failed" and "given up after 48h" in str(job["last_error"])
    assert report.failed == 1


def test_the_rate_limit_holds_over_a_burst_across_runs(
        spn2: ArchiveServer, db: sqlite3.Connection, tmp_path: Path) -> None:
    services = [config(spn2)]
    queue(db, services, count=20)
    first = run(db, services, tmp_path, timeout=1.5, poll_interval=5)
    assert len(spn2.posts()) == 7
    assert first.submitted == 7 and first.waiting == 13
    # Another process (a cron run beside the daemon) shares the budget: by path.
    state = tmp_path / "state.db"
    run(state, services, tmp_path, now=T + timedelta(seconds=30), timeout=1.5,
        poll_interval=5)
    assert len(spn2.posts()) == 7
    run(state, services, tmp_path, now=T + timedelta(seconds=59), timeout=1.5,
        poll_interval=5)
    assert len(spn2.posts()) == 7
    run(db, services, tmp_path, now=T + timedelta(seconds=60), timeout=1.5, poll_interval=5)
    assert len(spn2.posts()) == 14
    statuses = [s for (s,) in db.execute("SELECT status FROM archive_jobs")]
    assert statuses.count("pending") == 6


def test_per_minute_is_the_accounts_budget(spn2: ArchiveServer, db: sqlite3.Connection,
                                           tmp_path: Path) -> None:
    services = [config(spn2, per_minute=2)]
    queue(db, services, count=5)
    run(db, services, tmp_path, timeout=1.5, poll_interval=5)
    assert len(spn2.posts()) == 2


def test_wrong_keys_are_reported_without_the_keys(db: sqlite3.Connection,
                                                  tmp_path: Path) -> None:
    with ArchiveServer(SavePageNow("someone", "else-entirely")) as server:
        services = [config(server)]
        queue(db, services)
        report = run(db, services, tmp_path)
    job = row(db)
    assert job["status"] == "pending" and "access_key and secret" in str(job["last_error"])
    assert any("HTTP 401" in error for error in report.errors)
    assert_no_secret(db, report)


def test_secrets_never_reach_stored_rows_or_errors(spn2: ArchiveServer, db: sqlite3.Connection,
                                                   tmp_path: Path) -> None:
    services = [config(spn2)]
    first, second = queue(db, services, count=2)
    echo = f"bad request from LOW {ACCESS}:{SECRET} ({SECRET})"
    spn2.queue(Answer.json(200, {"status": "error", "status_ext": "error:invalid-url",
                                 "message": echo}),
               Answer.json(200, {"status": "error", "status_ext": "error:proxy-error",
                                 "message": f"key {ACCESS} refused"}))
    report = run(db, services, tmp_path)
    assert row(db, first)["status"] == "failed"
    assert "[secret]" in str(row(db, first)["last_error"])
    assert row(db, second)["status"] == "pending"
    assert len(report.errors) == 2
    assert_no_secret(db, report)
    assert SECRET not in repr(services[0])


def test_an_archive_that_does_not_answer_never_blocks_a_pass_past_its_timeout(
        spn2: ArchiveServer, db: sqlite3.Connection, tmp_path: Path) -> None:
    import time

    services = [config(spn2)]
    queue(db, services)
    spn2.queue(Answer(200, b"late", delay=3))
    started = time.monotonic()
    report = run(db, services, tmp_path, timeout=1.2)
    assert time.monotonic() - started < 2.5
    assert row(db)["status"] == "pending" and "timed out" in str(row(db)["last_error"])
    assert report.retrying == 1


def assert_no_secret(db: sqlite3.Connection, report: ArchiveReport) -> None:
    dump = "\n".join(db.iterdump())
    for secret in (ACCESS, SECRET):
        assert secret not in dump
        assert not any(secret in error for error in report.errors)
