"""Snapshots in git, per-source state and the alert outbox in SQLite.

Git is the history and the truth: every new version of an article is one
commit in ``snapshots/`` whose trailers name the source, the event and the
alert. Commits are written with ``git fast-import`` (no shared index, no hooks,
no signing, an explicit committer) and only then is the database told, in one
transaction. A crash between the two is repaired on the next open by replaying
the commits the database has not seen, so an alert of a committed change is
never lost.

One writer at a time: ``Store.lock`` takes an exclusive ``flock`` that the
kernel releases if the holder dies, so a ``kill -9`` leaves no stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import sqlite3
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.core.decide import State
from monitor.core.document import Snapshot
from monitor.core.ids import valid_source_id
from monitor.core.safe_text import strip_controls
from monitor.core.timestamps import stamp

BRANCH = "refs/heads/main"
COMMITTER = "monitor <monitor@localhost>"
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "monitor",
    "GIT_AUTHOR_EMAIL": "monitor@localhost",
    "GIT_COMMITTER_NAME": "monitor",
    "GIT_COMMITTER_EMAIL": "monitor@localhost",
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
}
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
    last_outcome TEXT,
    last_error TEXT,
    last_event TEXT,
    last_event_at TEXT,
    last_changed_at TEXT,
    deferred_until TEXT,
    scope TEXT,
    recent_changes TEXT,
    storm_since TEXT
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
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class StoreLocked(Exception):
    """Another monitor process holds the store for longer than we may wait."""


class GitError(Exception):
    pass


class UnknownRevision(Exception):
    """A revision that is not in the history, or not a version of the named source."""


class StoreDamaged(Exception):
    """The state database is not a database any more; git can rebuild it."""


def damaged(path: Path, exc: sqlite3.DatabaseError) -> StoreDamaged:
    return StoreDamaged(
        f"the state database {path} is damaged ({exc}). Move it aside "
        f"(mv {path} {path}.damaged) and run `monitor check`: the state is rebuilt from "
        "the snapshot history and no alert is sent twice")


def is_damage(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "corrupt" in text)


class StoreUnavailable(Exception):
    """The store cannot be written (full or read-only disk); nothing was changed."""


def why_unwritable(path: Path, exc: BaseException) -> str:
    """The error, with the likely cause when the file system says so."""
    hint = ""
    try:
        stats = os.statvfs(path if path.exists() else path.parent)
        if stats.f_flag & os.ST_RDONLY:
            hint = " (the file system is read-only)"
        elif stats.f_bavail * stats.f_frsize < 1_000_000:
            hint = " (the disk is full)"
    except OSError:
        pass
    return f"cannot write the store in {path}: {exc}{hint}"


@dataclass(frozen=True)
class SourceRecord:
    """A source's row in the state database."""

    id: str
    state: State = field(default_factory=State)
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    final_url: str | None = None
    tracking_url: str | None = None  # where a moved article is fetched now
    tracked_from: str | None = None  # the configured URL it moved from
    revision: str | None = None
    last_checked: str | None = None
    last_outcome: str | None = None
    last_error: str | None = None
    last_event: str | None = None
    last_event_at: str | None = None
    last_changed_at: str | None = None  # the last new wording: drives adaptive schedules
    deferred_until: str | None = None
    scope: str | None = None  # the selector/ignore rules the snapshot was extracted with
    recent_changes: str | None = None  # times of the changed alerts of the last 6 h
    storm_since: str | None = None  # changing constantly since then: alerts held back


@dataclass(frozen=True)
class Change:
    """A new version of one snapshot file, to become one commit."""

    source_id: str
    event: str  # baseline, changed, removed, restored
    snapshot: Snapshot
    trailers: dict[str, str]
    summary: str = ""
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (event, alert id)

    @property
    def path(self) -> str:
        return f"{self.source_id}.md"

    def message(self) -> str:
        subject = f"{self.event}: {self.source_id}"
        body = [strip_controls(self.snapshot.document.title)]
        if self.summary:
            body.append(self.summary)
        trailers = [f"{key}: {value}" for key, value in
                    {"Source": self.source_id, "Event": self.event, **self.trailers}.items()]
        trailers += [f"Alert: {event} {alert_id}" for event, alert_id in self.alerts]
        return "\n\n".join([subject, "\n".join(body), "\n".join(trailers)]) + "\n"


@dataclass(frozen=True)
class LogEntry:
    revision: str
    date: str
    subject: str
    trailers: dict[str, str]
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (event, alert id)


def now_iso() -> str:
    return stamp(datetime.now(UTC))


class Store:
    def __init__(self, snapshots: Path, state_path: Path, alerts: Path):
        self.snapshots = snapshots
        self.state_path = state_path
        self.alerts_dir = alerts
        self.lock_path = state_path.parent / "lock"
        self.db: sqlite3.Connection | None = None
        # Inside the repository's .git, so every project that uses it shares the lock.
        self.repo_lock_path = snapshots / ".git" / "monitor.lock"
        self._lock_files: list[Any] = []
        self._synced_head: str | None = None
        self._index_stale = False  # our commits' files are written, git's index not yet

    # --- lifecycle ---------------------------------------------------------

    def acquire(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the single-writer lock; wait at most ``timeout`` seconds for it.

        Two locks, always in this order: the state folder's (a cron run and a
        daemon of one project) and the snapshot repository's own, so that two
        projects pointed at one snapshots/ never write it at once either.
        """
        if self.snapshots.is_symlink() and not self.snapshots.exists():
            raise StoreUnavailable(
                f"{self.snapshots} is a symbolic link to {os.readlink(self.snapshots)}, which "
                "does not exist: mount or restore the snapshot repository there, or point "
                "settings.snapshots at it")
        deadline = time.monotonic() + timeout
        handles = []
        try:
            for path in (self.lock_path, self.repo_lock_path):
                handles.append(self._take(path, deadline, timeout, on_wait))
        except BaseException:
            for handle in handles:
                handle.close()
            raise
        self._lock_files = handles

    def _take(self, path: Path, deadline: float, timeout: float,
              on_wait: Callable[[str], None] | None) -> Any:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a+")  # noqa: SIM115  (held until release)
        except OSError as exc:
            raise StoreUnavailable(why_unwritable(path.parent, exc)) from exc
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _read_holder(path)
                if time.monotonic() >= deadline:
                    handle.close()
                    raise StoreLocked(
                        f"another monitor process ({holder}) is using {path.parent}"
                        f"; gave up after waiting {timeout:g}s (settings.lock_timeout)"
                    ) from None
                if on_wait and not told:
                    on_wait(f"waiting for the store lock held by {holder}…")
                    told = True
                time.sleep(0.05)
        with contextlib.suppress(OSError):  # who holds it is a courtesy, not a need
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {now_iso()}\n")
            handle.flush()
        return handle

    def release(self) -> None:
        for handle in self._lock_files:
            handle.close()  # closing releases the flock
        self._lock_files = []

    @contextlib.contextmanager
    def lock(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        self.acquire(timeout, on_wait)
        try:
            yield
        finally:
            self.release()

    def open(self) -> None:
        """Create what is missing and connect; StoreUnavailable if the disk refuses."""
        if self.db is not None:
            return
        try:
            self._open()
        except sqlite3.Error as exc:
            self.close()
            if is_damage(exc):
                raise damaged(self.state_path, exc) from exc
            raise StoreUnavailable(why_unwritable(self.state_path.parent, exc)) from exc
        except (OSError, GitError) as exc:
            self.close()
            raise StoreUnavailable(why_unwritable(self.state_path.parent, exc)) from exc

    def _open(self) -> None:
        self.snapshots.mkdir(parents=True, exist_ok=True)
        self.alerts_dir.mkdir(parents=True, exist_ok=True)
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        if not (self.snapshots / ".git" / "HEAD").exists():  # .git may hold just our lock
            self.git("init", "-q", "-b", "main")
            info = self.snapshots / ".git" / "info"
            info.mkdir(exist_ok=True)
            (info / "exclude").write_text(".gitkeep\n")
        self._clear_stale_git_locks()
        self.db = sqlite3.connect(self.state_path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives any crash of the process; a power cut may drop
        # the last transactions, which recover() re-derives from git's commits.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._add_missing_columns()

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

    def _clear_stale_git_locks(self) -> None:
        """Remove lock files a killed git left behind; safe, as we hold the writer lock."""
        git_dir = self.snapshots / ".git"
        for name in ("index.lock", "HEAD.lock", "packed-refs.lock"):
            (git_dir / name).unlink(missing_ok=True)
        for path in (git_dir / "refs").rglob("*.lock"):
            path.unlink(missing_ok=True)

    def open_readonly(self) -> bool:
        """Connect for reading (list, history) without creating anything."""
        if not self.state_path.exists():
            return False
        self.db = sqlite3.connect(f"file:{self.state_path}?mode=ro", uri=True, timeout=30)
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            self.close()
            if is_damage(exc):
                raise damaged(self.state_path, exc) from exc
            raise
        return True

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    # --- git ---------------------------------------------------------------

    def git(self, *args: str, input: bytes | None = None, check: bool = True) -> str:
        """Run git in the snapshots repository, with no user config, hooks or prompts."""
        command = ["git", "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false",
                   "-c", "core.quotepath=false", *args]
        done = subprocess.run(command, cwd=self.snapshots, input=input, capture_output=True,
                              env={**os.environ, **GIT_ENV})
        if check and done.returncode != 0:
            raise GitError(f"git {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout.decode("utf-8", errors="replace")

    def head(self) -> str | None:
        """The branch's commit, read from the ref files: no git process per pass."""
        git_dir = self.snapshots / ".git"
        try:
            return (git_dir / BRANCH).read_text().strip() or None
        except FileNotFoundError:
            pass
        try:
            packed = (git_dir / "packed-refs").read_text().splitlines()
        except FileNotFoundError:
            return None
        return next((line.split()[0] for line in packed if line.endswith(f" {BRANCH}")), None)

    def sync_worktree(self) -> None:
        """Make the snapshot files and git's index match the last commit exactly.

        Done once per process and again whenever another process has committed
        (or a crash left files half-written): the files are a view of git.
        """
        head = self.head()
        if head and head != self._synced_head:
            self.git("reset", "-q", "--hard", BRANCH)
            self._index_stale = False
        self._synced_head = head

    def pack(self) -> None:
        """Merge the packs that group commits leave once there are many (git gc --auto).

        In the foreground, under our lock: a detached gc would outlive the run.
        """
        if self.head():
            # One delta-search thread with a bounded window: at 10,000 sources the
            # default (a thread per core) was the largest process of a pass.
            self.git("-c", "gc.autoDetach=false", "-c", "pack.threads=1",
                     "-c", "pack.windowMemory=64m", "gc", "--auto", "--quiet")

    def refresh_index(self) -> None:
        """Bring git's index up to the files our commits wrote (once, at the end of a pass).

        Only for people who run ``git status`` in snapshots/: monitor itself
        reads the files, and a new process resets everything to the branch anyway.
        """
        if self._index_stale and self.head():
            self.git("reset", "-q", BRANCH)
            self._index_stale = False

    def read_snapshot(self, source_id: str) -> Snapshot | None:
        """The snapshot file as it is in the working tree; None if missing or not a file.

        Never through a symbolic link: one committed into snapshots/ could point
        anywhere on the machine (/etc/passwd), and its contents would reach an alert.
        """
        try:
            fd = os.open(self.snapshots / f"{source_id}.md", os.O_RDONLY | os.O_NOFOLLOW)
        except (FileNotFoundError, OSError):
            return None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return Snapshot.parse(handle.read().decode("utf-8", errors="replace"))

    def has_snapshot_file(self, source_id: str) -> bool:
        """Whether snapshots/<id>.md is there as a plain file (a symlink does not count)."""
        try:
            return stat.S_ISREG(os.lstat(self.snapshots / f"{source_id}.md").st_mode)
        except OSError:
            return False

    def _write_snapshot_file(self, name: str, content: bytes) -> None:
        """Write a file of the tree in place of whatever is there, a symlink included."""
        path = self.snapshots / name
        if path.is_symlink():
            path.unlink()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)

    def snapshot_at(self, revision: str, source_id: str) -> Snapshot | None:
        text = self.git("show", f"{revision}:{source_id}.md", check=False)
        return Snapshot.parse(text) if text else None

    def commit(self, changes: list[Change]) -> list[str]:
        """Write one commit per change in a single fast-import run; return their ids.

        fast-import refuses to move the branch unless it is a fast-forward, so a
        second writer can never rewrite history.
        """
        if not changes:
            return []
        for change in changes:  # a newline in a path would break the whole stream
            if not valid_source_id(change.source_id):
                raise ValueError(f"not a valid source id: {change.source_id!r}")
        parent = self.head()
        stream = bytearray()
        stamp = int(time.time())
        contents = [change.snapshot.render().encode() for change in changes]
        for mark, (change, content) in enumerate(zip(changes, contents, strict=True), start=1):
            message = change.message().encode()
            stream += f"commit {BRANCH}\nmark :{mark}\n".encode()
            stream += f"committer {COMMITTER} {stamp} +0000\n".encode()
            stream += b"data %d\n%s\n" % (len(message), message)
            if mark == 1 and parent:
                stream += f"from {parent}\n".encode()
            stream += f"M 100644 inline {change.path}\n".encode()
            stream += b"data %d\n%s\n" % (len(content), content)
        stream += b"done\n"
        with tempfile.NamedTemporaryFile(dir=self.snapshots / ".git", suffix=".marks") as marks:
            # Keep the pack even for a few commits: unpacked, each commit's tree (every
            # source's entry, ~500 kB at 10,000 sources) would be a loose object of its
            # own, compressed whole instead of stored as a small delta.
            self.git("-c", "fastimport.unpackLimit=0", "fast-import", "--quiet", "--done",
                     f"--export-marks={marks.name}", input=bytes(stream))
            ids = dict(line.split() for line in Path(marks.name).read_text().splitlines())
        # The files are a view of the branch: write the new versions ourselves, because
        # a reset per batch re-reads and rewrites the index of every snapshot (36 ms at
        # 10,000 sources). A crash before this is repaired by the next sync_worktree().
        for change, content in zip(changes, contents, strict=True):
            self._write_snapshot_file(change.path, content)
        self._synced_head = ids[f":{len(changes)}"]
        self._index_stale = True
        return [ids[f":{mark}"] for mark in range(1, len(changes) + 1)]

    def log(self, source_id: str | None = None, since: str | None = None) -> list[LogEntry]:
        """Commits newest first (oldest first with ``since``), with their trailers."""
        if not self.head():
            return []
        args = ["log", "--format=%H%x1f%aI%x1f%s%x1f%(trailers:only,unfold)%x1e"]
        if since:
            args += ["--reverse", f"{since}..{BRANCH}"]
        else:
            args.append(BRANCH)
        if source_id:
            args += ["--", f"{source_id}.md"]
        entries = []
        for record in self.git(*args).split("\x1e"):
            if not record.strip():
                continue
            revision, date, subject, trailers = record.strip("\n").split("\x1f")
            pairs = [line.split(": ", 1) for line in trailers.splitlines() if ": " in line]
            alerts = [tuple(value.split(" ", 1)) for key, value in pairs
                      if key == "Alert" and " " in value]
            entries.append(LogEntry(revision, date, subject,
                                    {k: v for k, v in pairs if k != "Alert"},
                                    alerts))  # type: ignore[arg-type]
        return entries

    def version_of(self, revision: str, source_id: str) -> str:
        """The full commit id of ``revision``, which must be a version of ``source_id``.

        UnknownRevision, in words, when it is not in the history or changed
        another source: a history must never call either "the first version".
        """
        if not revision or revision.startswith("-"):  # never an option to git
            raise UnknownRevision(f"no revision {revision!r}")
        commit = self.git("rev-parse", "--verify", "--quiet", "--end-of-options",
                          f"{revision}^{{commit}}", check=False).strip()
        if not commit:
            raise UnknownRevision(f"no revision {revision}")
        touched = self.git("log", "-1", "--format=%H", commit, "--", f"{source_id}.md",
                           check=False).strip()
        if touched != commit:
            raise UnknownRevision(f"{revision} is not a version of {source_id}")
        return commit

    def is_ancestor(self, revision: str, of: str) -> bool:
        """Whether ``revision`` is in the history of ``of`` (False if it is not in the repo)."""
        done = subprocess.run(["git", "merge-base", "--is-ancestor", revision, of],
                              cwd=self.snapshots, capture_output=True,
                              env={**os.environ, **GIT_ENV})
        return done.returncode == 0

    def snapshots_at(self, versions: list[tuple[str, str]]) -> list[Snapshot | None]:
        """The snapshot of each (revision, source id), read by one git process."""
        if not versions:
            return []
        names = "".join(f"{revision}:{source_id}.md\n" for revision, source_id in versions)
        out = subprocess.run(["git", "cat-file", "--batch"], cwd=self.snapshots,
                             input=names.encode(), capture_output=True, check=True,
                             env={**os.environ, **GIT_ENV}).stdout
        snapshots: list[Snapshot | None] = []
        at = 0
        for _ in versions:
            end = out.index(b"\n", at)
            header = out[at:end].split()
            at = end + 1
            if len(header) != 3:  # "<name> missing"
                snapshots.append(None)
                continue
            size = int(header[2])
            snapshots.append(Snapshot.parse(out[at:at + size].decode("utf-8", "replace")))
            at += size + 1
        return snapshots

    def previous_revision(self, revision: str, source_id: str) -> str | None:
        out = self.git("rev-list", "-1", f"{revision}^", "--", f"{source_id}.md", check=False)
        return out.strip() or None

    # --- state -------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        if self.db is None:
            raise RuntimeError("store is not open")
        return self.db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def record(self, source_id: str) -> SourceRecord:
        row = self._db().execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone()
        return SourceRecord(id=source_id) if row is None else _record(row)

    def records(self) -> dict[str, SourceRecord]:
        return {row["id"]: _record(row) for row in self._db().execute("SELECT * FROM sources")}

    def save(self, db: sqlite3.Connection, source_id: str, state: State | None = None,
             **values: Any) -> None:
        """Upsert a source's row inside the caller's transaction."""
        if state is not None:
            values.update(status=state.status, gone_count=state.gone_count,
                          collapse_count=state.collapse_count,
                          failure_count=state.failure_count, failing=int(state.failing))
        db.execute("INSERT OR IGNORE INTO sources (id) VALUES (?)", (source_id,))
        if values:
            assignments = ", ".join(f"{key} = ?" for key in values)
            db.execute(f"UPDATE sources SET {assignments} WHERE id = ?",
                       (*values.values(), source_id))

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

    # --- outbox ------------------------------------------------------------

    def add_alert(self, db: sqlite3.Connection, alert: dict[str, Any],
                  channels: list[str]) -> None:
        db.execute("INSERT OR IGNORE INTO alerts (id, source_id, event, created_at, body) "
                   "VALUES (?, ?, ?, ?, ?)",
                   (alert["id"], alert["source_id"], alert["event"], alert["detected_at"],
                    json.dumps(alert, ensure_ascii=False)))
        db.executemany("INSERT OR IGNORE INTO deliveries (alert_id, channel) VALUES (?, ?)",
                       [(alert["id"], channel) for channel in channels])

    def add_rebuilt_alerts(self, db: sqlite3.Connection, alerts: list[dict[str, Any]]) -> None:
        """Alerts known only from commits' trailers: recorded as made, never sent again."""
        db.executemany("INSERT OR IGNORE INTO alerts (id, source_id, event, created_at, body, "
                       "file_written) VALUES (?, ?, ?, ?, ?, 1)",
                       [(a["id"], a["source_id"], a["event"], a["detected_at"],
                         json.dumps(a, ensure_ascii=False)) for a in alerts])

    def has_alert(self, alert_id: str) -> bool:
        return self._db().execute("SELECT 1 FROM alerts WHERE id = ?",
                                  (alert_id,)).fetchone() is not None

    def alerts_without_file(self) -> list[dict[str, Any]]:
        rows = self._db().execute("SELECT body FROM alerts WHERE file_written = 0 ORDER BY id")
        return [json.loads(row[0]) for row in rows]

    def write_alert_files(self, alerts: list[dict[str, Any]]) -> list[Path]:
        """Write each ``alerts/<id>-<source>-<event>.json`` atomically, then mark them written.

        One directory fsync and one transaction for the lot: a crash before the
        mark leaves files that the next run writes again, byte for byte the same.
        """
        files = {self.alerts_dir / f"{alert['id']}-{alert['source_id']}-{alert['event']}.json":
                 json.dumps(alert, ensure_ascii=False, indent=2).encode() + b"\n"
                 for alert in alerts}
        if not files:
            return []
        atomic_write_many(files)
        with self.transaction() as db:
            db.executemany("UPDATE alerts SET file_written = 1 WHERE id = ?",
                           [(alert["id"],) for alert in alerts])
        return list(files)

    def pending_deliveries(self) -> list[Delivery]:
        rows = self._db().execute(
            "SELECT a.body, d.channel, d.attempts, d.next_attempt_at, d.digest_id, "
            "a.created_at, d.first_failed_at, d.last_error "
            "FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE d.status = 'pending' ORDER BY a.id, d.channel")
        return [Delivery(json.loads(body), *rest) for body, *rest in rows]

    def record_attempt(self, alert_ids: list[str], channel: str, *, error: str | None,
                       next_attempt_at: str | None = None, dead: bool = False) -> None:
        """Log one delivery attempt of these alerts to a channel, and its result.

        The first failure starts the delivery's give-up clock (``first_failed_at``):
        a dead letter is a delivery that kept failing, never one that waited.
        """
        now = now_iso()
        with self.transaction() as db:
            db.executemany("INSERT INTO attempts VALUES (?, ?, ?, ?)",
                           [(alert_id, channel, now, error) for alert_id in alert_ids])
            status = "delivered" if error is None else "dead" if dead else "pending"
            db.executemany(
                "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_error = ?, "
                "last_attempt_at = ?, delivered_at = ?, next_attempt_at = ?, "
                "first_failed_at = CASE WHEN ? THEN first_failed_at "
                "ELSE coalesce(first_failed_at, ?) END "
                "WHERE alert_id = ? AND channel = ?",
                [(status, error, now, now if error is None else None, next_attempt_at,
                  error is None, now, alert_id, channel) for alert_id in alert_ids])

    def give_up(self, channel: str, reasons: dict[str, str]) -> None:
        """Make these alerts' deliveries to ``channel`` dead letters, each with its reason."""
        with self.transaction() as db:
            db.executemany("UPDATE deliveries SET status = 'dead', last_error = ? "
                           "WHERE alert_id = ? AND channel = ?",
                           [(reason, alert_id, channel) for alert_id, reason in reasons.items()])

    def save_digest(self, digest: dict[str, Any], channel: str, alert_ids: list[str]) -> None:
        """Fix a digest's id and content before sending, so every retry is the same message."""
        with self.transaction() as db:
            db.execute("INSERT INTO digests VALUES (?, ?, ?, ?)",
                       (digest["id"], channel, now_iso(), json.dumps(digest, ensure_ascii=False)))
            db.executemany("UPDATE deliveries SET digest_id = ? WHERE alert_id = ? AND channel = ?",
                           [(digest["id"], alert_id, channel) for alert_id in alert_ids])

    def digest(self, digest_id: str) -> dict[str, Any]:
        row = self._db().execute("SELECT body FROM digests WHERE id = ?", (digest_id,)).fetchone()
        return json.loads(row[0])

    def delivery_counts(self) -> dict[str, int]:
        rows = self._db().execute("SELECT status, count(*) FROM deliveries GROUP BY status")
        return {status: count for status, count in rows}

    def recent_alerts(self, limit: int) -> list[tuple[dict[str, Any], list[sqlite3.Row]]]:
        """The newest alerts with their delivery rows, for ``monitor alerts``."""
        alerts = self._db().execute("SELECT id, body FROM alerts ORDER BY id DESC LIMIT ?",
                                    (limit,)).fetchall()
        return [(json.loads(body), self._db().execute(
            "SELECT channel, status, attempts, last_error, delivered_at, next_attempt_at "
            "FROM deliveries WHERE alert_id = ? ORDER BY channel", (alert_id,)).fetchall())
                for alert_id, body in alerts]


@dataclass(frozen=True)
class Delivery:
    """One alert still to be delivered to one channel."""

    alert: dict[str, Any]
    channel: str
    attempts: int
    next_attempt_at: str | None
    digest_id: str | None
    created_at: str  # when the change was detected
    first_failed_at: str | None = None  # None: never failed, so never given up
    last_error: str | None = None


def _record(row: sqlite3.Row) -> SourceRecord:
    values = dict(row)
    state = State(status=values.pop("status"), gone_count=values.pop("gone_count"),
                  collapse_count=values.pop("collapse_count"),
                  failure_count=values.pop("failure_count"),
                  failing=bool(values.pop("failing")))
    return SourceRecord(state=state, **values)


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write-then-rename with fsyncs, so a crash leaves the old file or the new, never half.

    The new file has ``mode`` (default 0600, as made by mkstemp)."""
    atomic_write_many({path: data}, mode)


def atomic_write_many(files: dict[Path, bytes], mode: int | None = None) -> None:
    """``atomic_write`` for many files, with one fsync for each directory.

    All are written before any is synced, so that the disk sees them together
    and the later fsyncs find part of their work done (10,000 alert files: 3.9
    to 7.4 s against 6.2 to 9.3 s one by one, on this project's machines, where
    creating a file costs ~0.3 ms by itself). Each is still synced before its
    rename, so no name ever points at a file that is not whole.
    """
    temporary: dict[Path, str] = {}
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temporary[path] = tmp
            if mode is not None:
                os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        for tmp in temporary.values():  # opened again: 10,000 open files pass the fd limit
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        for path, tmp in temporary.items():
            os.replace(tmp, path)
    except BaseException:
        for tmp in temporary.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    for directory in {path.parent for path in files}:
        fsync_directory(directory)


def fsync_directory(path: Path) -> None:
    directory = os.open(path, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _read_holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "unknown pid"
    except OSError:
        return "unknown pid"
