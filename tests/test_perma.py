"""monitor/archive/perma.py through submit_pending: Perma.cc's v1 API, against a real fake."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.archive import (
    ArchiveReport,
    ArchiveUrl,
    enqueue,
    mementos,
    read_mementos_file,
    submit_pending,
)
from monitor.core.model import PermaConfig, WaybackConfig
from monitor.core.timestamps import stamp
from monitor.store.state import SCHEMA
from testing.archives import ArchiveServer, Perma, SavePageNow
from testing.receivers import Answer

KEY = "perma-key-5c1d9e0a77"
T = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
URL = "https://ngo.example.org/statements/2026-03"


@pytest.fixture
def perma() -> Iterator[ArchiveServer]:
    with ArchiveServer(Perma(KEY)) as server:
        yield server


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
    connection.executescript(SCHEMA)
    yield connection
    connection.close()


def fake(server: ArchiveServer) -> Perma:
    assert isinstance(server.service, Perma)
    return server.service


def config(server: ArchiveServer, folder: int | None = 123) -> PermaConfig:
    return PermaConfig(api_key=KEY, folder=folder, base_url=server.url)


def queue(db: sqlite3.Connection, services: list[PermaConfig | WaybackConfig],
          count: int = 1) -> list[str]:
    revisions = [f"{n:040x}" for n in range(1, count + 1)]
    for n, revision in enumerate(revisions):
        enqueue(db, source_id="statement", url=URL if n == 0 else f"{URL}?page={n}",
                revision=revision, event="changed", services=services, now=T)
    return revisions


def run(db: sqlite3.Connection, services: list[PermaConfig | WaybackConfig], evidence: Path,
        now: datetime = T, timeout: float = 5.0) -> ArchiveReport:
    return asyncio.run(submit_pending(db, services, evidence=evidence, timeout=timeout,
                                      now=now, poll_interval=0.02))


def row(db: sqlite3.Connection, revision: str = f"{1:040x}",
        service: str = "perma") -> dict[str, object]:
    cursor = db.execute("SELECT * FROM archive_jobs WHERE revision = ? AND service = ?",
                        (revision, service))
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_an_archive_request_carries_the_key_url_and_folder_and_is_polled_to_success(
        perma: ArchiveServer, db: sqlite3.Connection, tmp_path: Path) -> None:
    fake(perma).pending_polls = 2
    services: list[PermaConfig | WaybackConfig] = [config(perma)]
    [revision] = queue(db, services)
    report = run(db, services, tmp_path / "evidence")
    [post] = perma.posts()
    assert post.path == "/v1/archives/"
    assert post.headers["Authorization"] == f"ApiKey {KEY}"
    assert post.headers["Content-Type"] == "application/json"
    assert post.json() == {"url": URL, "folder": 123}
    polls = [r.path for r in perma.requests if r.method == "GET"]
    assert polls == ["/v1/archives/0001-ABCD/"] * 3
    assert all(r.headers["Authorization"] == f"ApiKey {KEY}" for r in perma.requests)
    assert report.submitted == 1 and report.archived == 1 and not report.errors
    memento = "https://perma.cc/0001-ABCD"
    assert mementos(db, "statement") == {revision: [ArchiveUrl("perma", revision, memento)]}
    [line] = read_mementos_file(tmp_path / "evidence" / "archives.jsonl")
    assert line.memento == ArchiveUrl("perma", revision, memento)
    assert (line.source_id, line.original_url, line.event) == ("statement", URL, "changed")


def test_no_folder_sends_none(perma: ArchiveServer, db: sqlite3.Connection,
                              tmp_path: Path) -> None:
    services: list[PermaConfig | WaybackConfig] = [config(perma, folder=None)]
    queue(db, services)
    run(db, services, tmp_path)
    assert perma.posts()[0].json() == {"url": URL}


def test_a_failed_capture_is_submitted_again_later(perma: ArchiveServer,
                                                   db: sqlite3.Connection,
                                                   tmp_path: Path) -> None:
    fake(perma).outcomes[URL] = "failed"
    services: list[PermaConfig | WaybackConfig] = [config(perma)]
    queue(db, services)
    report = run(db, services, tmp_path)
    job = row(db)
    assert (job["status"], job["job_id"], job["attempts"]) == ("pending", None, 1)
    assert job["last_error"] == "perma could not capture the page"
    assert job["next_attempt_at"] == stamp(T + timedelta(seconds=60))
    assert report.retrying == 1 and report.archived == 0
    fake(perma).outcomes[URL] = "success"
    run(db, services, tmp_path, now=T + timedelta(minutes=2))
    assert row(db)["status"] == "done" and row(db)["attempts"] == 2
    assert len(perma.posts()) == 2


def test_a_used_up_quota_waits_for_tomorrow_and_holds_every_job(
        perma: ArchiveServer, db: sqlite3.Connection, tmp_path: Path) -> None:
    fake(perma).limit_reached = True
    services: list[PermaConfig | WaybackConfig] = [config(perma)]
    first, second = queue(db, services, count=2)
    report = run(db, services, tmp_path)
    assert len(perma.posts()) == 1
    assert row(db, first)["next_attempt_at"] == "2026-03-02T00:05:00Z"
    assert "usage limit" in str(row(db, first)["last_error"])
    assert report.waiting == 1
    run(db, services, tmp_path, now=T + timedelta(hours=3))
    assert len(perma.posts()) == 1
    fake(perma).limit_reached = False
    run(db, services, tmp_path, now=datetime(2026, 3, 2, 0, 6, tzinfo=UTC))
    assert {row(db, first)["status"], row(db, second)["status"]} == {"done"}


def test_an_invalid_url_is_given_up_for_good(perma: ArchiveServer, db: sqlite3.Connection,
                                             tmp_path: Path) -> None:
    services: list[PermaConfig | WaybackConfig] = [config(perma)]
    enqueue(db, source_id="statement", url="ftp://ngo.example.org/file", revision="a" * 40,
            event="changed", services=services, now=T)
    report = run(db, services, tmp_path)
    job = row(db, "a" * 40)
    assert job["status"] == "failed" and "Not a valid URL" in str(job["last_error"])
    assert report.failed == 1


def test_a_wrong_folder_is_the_accounts_problem_not_the_urls(
        perma: ArchiveServer, db: sqlite3.Connection, tmp_path: Path) -> None:
    services: list[PermaConfig | WaybackConfig] = [config(perma, folder=999)]
    queue(db, services, count=2)
    run(db, services, tmp_path)
    job = row(db)
    assert job["status"] == "pending" and "check the perma 'folder'" in str(job["last_error"])
    assert len(perma.posts()) == 1


def test_the_key_never_reaches_rows_or_errors(db: sqlite3.Connection, tmp_path: Path) -> None:
    with ArchiveServer(Perma("another-key-entirely")) as server:
        services: list[PermaConfig | WaybackConfig] = [config(server)]
        queue(db, services, count=2)
        server.queue(Answer.json(400, {"error": f"key {KEY} is not allowed this URL"}))
        report = run(db, services, tmp_path)
    assert row(db, f"{1:040x}")["status"] == "failed"
    assert "[secret]" in str(row(db, f"{1:040x}")["last_error"])
    assert "check the perma api_key" in str(row(db, f"{2:040x}")["last_error"])
    dump = "\n".join(db.iterdump())
    assert KEY not in dump and not any(KEY in error for error in report.errors)
    assert KEY not in repr(services[0])


def test_one_archive_down_does_not_stop_the_other(perma: ArchiveServer, db: sqlite3.Connection,
                                                  tmp_path: Path) -> None:
    with ArchiveServer(SavePageNow("ia-access", "ia-secret-value")) as spn2:
        wayback = WaybackConfig(access_key="ia-access", secret="ia-secret-value",
                                base_url=spn2.url)
        services: list[PermaConfig | WaybackConfig] = [config(perma), wayback]
        [revision] = queue(db, services)
        spn2.queue(Answer.text(500, "Internal Server Error"))
        report = run(db, services, tmp_path)
    assert row(db, revision, "perma")["status"] == "done"
    assert row(db, revision, "wayback")["status"] == "pending"
    assert report.archived == 1 and report.retrying == 1
