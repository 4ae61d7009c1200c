"""monitor/archive/queue.py, mementos.py and outcome.py: the durable queue and its records."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.archive import (
    ArchiveUrl,
    MementoLine,
    enqueue,
    jobs,
    mementos,
    read_mementos_file,
    restore_mementos,
)
from monitor.archive.mementos import append_mementos
from monitor.archive.outcome import Kind, Step, backoff, next_attempt, tomorrow
from monitor.archive.queue import allowance, due, record_poll, record_submission
from monitor.core.model import PermaConfig, WaybackConfig
from monitor.core.timestamps import stamp
from monitor.store.state import ARCHIVE_SCHEMA, SCHEMA
from monitor.store.store import Store

T = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
WAYBACK = WaybackConfig(access_key="access", secret="secret-value")
PERMA = PermaConfig(api_key="perma-key", folder=1, events=("removed",))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
    connection.executescript(SCHEMA)
    yield connection
    connection.close()


def add(db: sqlite3.Connection, revision: str, event: str = "changed",
        url: str = "https://example.org/a") -> None:
    enqueue(db, source_id="a", url=url, revision=revision, event=event,
            services=[WAYBACK, PERMA], now=T)


def test_a_job_per_service_that_takes_the_event(db: sqlite3.Connection) -> None:
    add(db, "r1", "changed")
    add(db, "r2", "removed")
    add(db, "r3", "moved")
    got = {(j.revision, j.service) for j in jobs(db, "a")}
    assert got == {("r1", "wayback"), ("r2", "wayback"), ("r2", "perma")}
    job = jobs(db, "a")[0]
    assert (job.status, job.attempts, job.created_at, job.job_id) == ("pending", 0, stamp(T),
                                                                      None)


def test_queued_again_is_queued_once_and_keeps_its_progress(db: sqlite3.Connection) -> None:
    add(db, "r1")
    db.execute("UPDATE archive_jobs SET status = 'done', memento_url = 'm'")
    add(db, "r1")
    [job] = jobs(db, "a")
    assert (job.status, job.memento_url) == ("done", "m")


def test_a_url_with_a_secret_in_it_is_never_queued(db: sqlite3.Connection) -> None:
    add(db, "r1", url="https://example.org/a?token=${PAYWALL_TOKEN}")
    assert jobs(db, "a") == []


def test_queued_in_the_callers_transaction_so_a_rollback_takes_it_back(
        db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    add(db, "r1")
    db.execute("ROLLBACK")
    assert jobs(db, "a") == []


def test_mementos_by_revision_only_of_done_jobs(db: sqlite3.Connection) -> None:
    add(db, "r1", "removed")
    add(db, "r2")
    db.execute("UPDATE archive_jobs SET status = 'done', memento_url = 'https://perma.cc/X', "
               "archived_at = ? WHERE revision = 'r1' AND service = 'perma'", (stamp(T),))
    db.execute("UPDATE archive_jobs SET status = 'done', memento_url = 'https://w/1', "
               "archived_at = ? WHERE revision = 'r1' AND service = 'wayback'",
               (stamp(T + timedelta(minutes=1)),))
    found = mementos(db, "a")
    assert found == {"r1": [ArchiveUrl("perma", "r1", "https://perma.cc/X"),
                            ArchiveUrl("wayback", "r1", "https://w/1")]}
    assert found["r1"][0].to_json() == {
        "service": "perma", "revision": "r1", "url": "https://perma.cc/X"}
    assert mementos(db, "other") == {}


def test_submissions_and_polls_move_a_job_along(db: sqlite3.Connection) -> None:
    add(db, "r1")
    [job] = due(db, "wayback", "pending", T)
    assert record_submission(db, job, Step(Kind.STARTED, job_id="j1"), T) == "polling"
    [job] = due(db, "wayback", "polling", T)
    assert (job.job_id, job.attempts, job.submitted_at) == ("j1", 1, stamp(T))
    assert record_poll(db, job, Step(Kind.CAPTURING, job_id="j1"), T) == "polling"
    # a service fault while polling keeps the job, polled again after a wait
    assert record_poll(db, job, Step(Kind.LATER, error="timed out", whole_service=True),
                       T) == "polling"
    assert due(db, "wayback", "polling", T) == []
    [job] = due(db, "wayback", "polling", T + timedelta(seconds=60))
    assert job.job_id == "j1" and job.last_error == "timed out"
    assert record_poll(db, job, Step(Kind.ARCHIVED, memento="https://w/1"), T) == "done"
    assert mementos(db, "a") == {"r1": [ArchiveUrl("wayback", "r1", "https://w/1")]}


def test_the_rate_limit_counts_the_last_minute_of_submissions(db: sqlite3.Connection) -> None:
    add(db, "r1")
    [job] = due(db, "wayback", "pending", T)
    assert allowance(db, WAYBACK, T) == 7
    for n in range(5):
        record_submission(db, job, Step(Kind.STARTED, job_id=f"j{n}"),
                          T + timedelta(seconds=10 * n))
    assert allowance(db, WAYBACK, T + timedelta(seconds=40)) == 2
    assert allowance(db, WAYBACK, T + timedelta(seconds=61)) == 3
    assert allowance(db, PERMA, T) == 10  # each account has its own


def test_waits_double_up_to_a_cap_and_honour_retry_after() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(30) == 6 * 3600
    assert backoff(1, retry_after=900) == 900
    assert backoff(1, retry_after=10**9) == 24 * 3600
    assert tomorrow(datetime(2026, 3, 1, 23, 59, tzinfo=UTC)) == datetime(2026, 3, 2, 0, 5,
                                                                          tzinfo=UTC)
    assert next_attempt(Step(Kind.TOMORROW), 1, T) == datetime(2026, 3, 2, 0, 5, tzinfo=UTC)
    assert next_attempt(Step(Kind.LATER), 2, T) == T + timedelta(seconds=120)


def line(revision: str, service: str = "wayback") -> MementoLine:
    return MementoLine(source_id="a", original_url="https://example.org/a", event="changed",
                       archived_at=stamp(T), memento=ArchiveUrl(service, revision,
                                                                f"https://m/{revision}"))


def test_the_mementos_file_survives_a_torn_line_and_a_repeat(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    append_mementos(evidence, [line("r1")])
    with open(evidence / "archives.jsonl", "ab") as file:
        file.write(b'{"service": "wayback", "revi')  # a crash mid-write
    append_mementos(evidence, [line("r2"), line("r1")])
    text = (evidence / "archives.jsonl").read_text()
    assert text.count("\n") == 4 and text.endswith("\n")
    assert read_mementos_file(evidence / "archives.jsonl") == [line("r1"), line("r2")]
    assert read_mementos_file(tmp_path / "missing.jsonl") == []
    first = json.loads(text.splitlines()[0])
    assert first["url"] == "https://m/r1" and first["source_id"] == "a"


def test_a_rebuilt_state_gets_its_mementos_back(db: sqlite3.Connection,
                                                tmp_path: Path) -> None:
    append_mementos(tmp_path, [line("r1"), line("r2", "perma")])
    add(db, "r1")  # queued again by a rebuild, still pending
    assert restore_mementos(db, tmp_path / "archives.jsonl") == 2
    assert mementos(db, "a") == {"r1": [ArchiveUrl("wayback", "r1", "https://m/r1")],
                                 "r2": [ArchiveUrl("perma", "r2", "https://m/r2")]}
    assert restore_mementos(db, tmp_path / "archives.jsonl") == 0
    assert due(db, "wayback", "pending", T) == []


def test_an_older_state_database_gains_the_tables_when_opened(tmp_path: Path) -> None:
    state = tmp_path / ".monitor" / "state.db"
    state.parent.mkdir()
    old = sqlite3.connect(state)
    old.executescript(SCHEMA.replace(ARCHIVE_SCHEMA, ""))
    old.close()
    subprocess.run(["git", "init", "-q", str(tmp_path / "snapshots")], check=True)
    store = Store(tmp_path / "snapshots", state, tmp_path / "alerts")
    store.open()
    try:
        assert store.db is not None
        enqueue(store.db, source_id="a", url="https://example.org/a", revision="r1",
                event="baseline", services=[WAYBACK])
        assert [j.revision for j in jobs(store.db, "a")] == ["r1"]
    finally:
        store.close()
