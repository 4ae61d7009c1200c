"""Per-source state in SQLite: one row per source, the versions seen, and what git held.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

from monitor.store.access import ACCESS_SCHEMA
from monitor.store.found import FOUND_SCHEMA
from monitor.store.records import RecordSummary, RecordUpdate, SourceRecord, _record

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'new',
    gone_count INTEGER NOT NULL DEFAULT 0,
    collapse_count INTEGER NOT NULL DEFAULT 0,
    failure_count INTEGER NOT NULL DEFAULT 0,
    failing INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    body_sha256 TEXT,
    final_url TEXT,
    tracking_url TEXT,
    tracked_from TEXT,
    revision TEXT,
    last_checked TEXT,
    last_seen_at TEXT,
    last_outcome TEXT,
    last_error TEXT,
    last_event TEXT,
    last_event_at TEXT,
    last_changed_at TEXT,
    deferred_until TEXT,
    scope TEXT,
    extractor TEXT,
    page_modified TEXT,
    recent_changes TEXT,
    storm_since TEXT,
    removed_at TEXT,
    signals TEXT
);
CREATE TABLE IF NOT EXISTS versions (
    source_id TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    revision TEXT NOT NULL,
    PRIMARY KEY (source_id, revision)
);
CREATE INDEX IF NOT EXISTS versions_by_text ON versions (source_id, text_sha256);
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL,
    event TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    file_written INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_attempt_at TEXT,
    delivered_at TEXT,
    next_attempt_at TEXT,
    digest_id TEXT,
    first_failed_at TEXT,
    PRIMARY KEY (alert_id, channel)
);
CREATE INDEX IF NOT EXISTS pending_deliveries ON deliveries (status);
CREATE TABLE IF NOT EXISTS attempts (
    alert_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    attempted_at TEXT NOT NULL,
    error TEXT
);
CREATE TABLE IF NOT EXISTS digests (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
"""
#: web archive submissions (monitor.archive): one job per (revision, service), the
#: submissions of the last day (the rate limit), and services told to wait
ARCHIVE_SCHEMA = """
CREATE TABLE IF NOT EXISTS archive_jobs (
    revision TEXT NOT NULL,
    service TEXT NOT NULL,
    source_id TEXT NOT NULL,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    job_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT,
    submitted_at TEXT,
    next_attempt_at TEXT,
    last_error TEXT,
    memento_url TEXT,
    archived_at TEXT,
    PRIMARY KEY (revision, service)
);
CREATE INDEX IF NOT EXISTS archive_jobs_by_status ON archive_jobs (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS archive_jobs_by_source ON archive_jobs (source_id);
CREATE TABLE IF NOT EXISTS archive_submissions (
    service TEXT NOT NULL,
    submitted_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS archive_submissions_by_time ON archive_submissions
    (service, submitted_at);
CREATE TABLE IF NOT EXISTS archive_holds (
    service TEXT PRIMARY KEY,
    until TEXT NOT NULL,
    reason TEXT
);
"""
# meta stays last: a one-line table, which _add_missing_columns must not read on into the next
SCHEMA += ARCHIVE_SCHEMA + FOUND_SCHEMA + ACCESS_SCHEMA
SCHEMA += "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);\n"


class RenameRefused(Exception):
    """A rename that would mix two histories; the text says what to do instead."""


@contextlib.contextmanager
def immediate_transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class StateTables:
    """The state database of a Store (a part of it, not used alone)."""

    db: sqlite3.Connection | None

    def _add_missing_columns(self) -> None:
        """Bring a database made by an older monitor up to the current schema."""
        db = self._db()
        for table, body in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);",
                                      SCHEMA, re.S):
            have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for line in body.strip().splitlines():
                column = line.strip().rstrip(",")
                name = column.split()[0]
                if name not in have and name.upper() not in ("PRIMARY", "FOREIGN"):
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")

    def _db(self) -> sqlite3.Connection:
        if self.db is None:
            raise RuntimeError("store is not open")
        return self.db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with immediate_transaction(self._db()) as db:
            yield db

    def record(self, source_id: str) -> SourceRecord:
        row = self._db().execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone()
        return SourceRecord(id=source_id) if row is None else _record(row)

    def records(self) -> dict[str, SourceRecord]:
        return {row["id"]: _record(row) for row in self._db().execute("SELECT * FROM sources")}

    def save(self, db: sqlite3.Connection, source_id: str, *updates: RecordUpdate) -> None:
        """Upsert a source's row inside the caller's transaction (later updates win)."""
        values: dict[str, Any] = {}
        for update in updates:
            values.update(update.columns())
        # A check of a source is its return: a source removed and added again continues.
        values.setdefault("removed_at", None)
        db.execute("INSERT OR IGNORE INTO sources (id) VALUES (?)", (source_id,))
        if values:
            assignments = ", ".join(f"{key} = ?" for key in values)
            db.execute(f"UPDATE sources SET {assignments} WHERE id = ?",
                       (*values.values(), source_id))

    def archive(self, db: sqlite3.Connection, source_id: str, when: str) -> bool:
        """Mark a source's row removed (``monitor remove``): kept, not deleted, so that
        adding the id again continues its history. False when it has no row."""
        done = db.execute("UPDATE sources SET removed_at = ? WHERE id = ?", (when, source_id))
        return done.rowcount > 0

    def rekey(self, db: sqlite3.Connection, old: str, new: str) -> None:
        """Move a source's state, versions and archive jobs to a new id (``rename``).

        Its alerts keep the id they were sent with: they are a record of what went out.
        """
        if db.execute("SELECT 1 FROM sources WHERE id = ?", (new,)).fetchone():
            raise RenameRefused(f"'{new}' has a state of its own (a source removed or "
                                "renamed away): choose another new id")
        db.execute("UPDATE sources SET id = ? WHERE id = ?", (new, old))
        db.execute("UPDATE versions SET source_id = ? WHERE source_id = ?", (new, old))
        db.execute("UPDATE archive_jobs SET source_id = ? WHERE source_id = ?", (new, old))

    def forget_history(self, db: sqlite3.Connection) -> None:
        """Drop what the database knows of git (revisions, versions, validators), keeping
        schedules and the outbox: the first step of rebuilding state from git."""
        db.execute("DELETE FROM versions")
        db.execute("UPDATE sources SET status = 'new', gone_count = 0, collapse_count = 0, "
                   "revision = NULL, etag = NULL, last_modified = NULL, body_sha256 = NULL, "
                   "tracking_url = NULL, tracked_from = NULL")

    def add_version(self, db: sqlite3.Connection, source_id: str, text_hash: str,
                    revision: str) -> None:
        db.execute("INSERT OR IGNORE INTO versions VALUES (?, ?, ?)",
                   (source_id, text_hash, revision))

    def text_hash_at(self, source_id: str, revision: str) -> str | None:
        """The hash of the wording that ``revision`` of the source holds, if recorded."""
        row = self._db().execute("SELECT text_sha256 FROM versions WHERE source_id = ? "
                                 "AND revision = ?", (source_id, revision)).fetchone()
        return row[0] if row else None

    def revisions_of(self, source_id: str) -> list[str]:
        """The source's versions as this database recorded them, oldest first: one
        indexed query where ``git log -- <id>.md`` would walk every source's commits."""
        rows = self._db().execute("SELECT revision FROM versions WHERE source_id = ? "
                                  "ORDER BY rowid", (source_id,))
        return [row[0] for row in rows]

    def record_summaries(self) -> dict[str, RecordSummary]:
        """What a list of sources shows of each row, without building whole records."""
        rows = self._db().execute(
            "SELECT id, status, failing, revision, last_checked, last_outcome, last_error, "
            "last_event, last_event_at, last_changed_at FROM sources")
        return {row[0]: RecordSummary(row[1], bool(row[2]), *row[3:]) for row in rows}

    def earlier_revision_with(self, source_id: str, text_hash: str,
                              exclude: str | None) -> str | None:
        """The newest earlier revision whose wording hashed to ``text_hash``."""
        row = self._db().execute(
            "SELECT revision FROM versions WHERE source_id = ? AND text_sha256 = ? "
            "AND revision IS NOT ? ORDER BY rowid DESC LIMIT 1",
            (source_id, text_hash, exclude)).fetchone()
        return row[0] if row else None

    def ingested_head(self) -> str | None:
        row = self._db().execute("SELECT value FROM meta WHERE key = 'git_head'").fetchone()
        return row[0] if row else None

    def set_ingested_head(self, db: sqlite3.Connection, revision: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('git_head', ?)", (revision,))
