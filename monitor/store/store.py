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

import sqlite3
from pathlib import Path
from typing import Any

from monitor.core.model import Settings
from monitor.store.errors import (
    GitError,
    StoreUnavailable,
    damaged,
    is_damage,
    why_unwritable,
)
from monitor.store.git import SnapshotRepo
from monitor.store.lock import WriterLock
from monitor.store.outbox import Outbox
from monitor.store.records import now_iso
from monitor.store.state import SCHEMA, RenameRefused


class Store(WriterLock, SnapshotRepo, Outbox):
    """One project's store: its snapshot repository, state database and alerts folder.

    Each part is a module of its own (lock, git, state, outbox); this class opens
    and closes them together.
    """

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

    @classmethod
    def of(cls, settings: Settings) -> Store:
        """The store that a config's settings name: snapshots, state database, alerts."""
        return cls(settings.snapshots, settings.state, settings.alerts)

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

    def rename(self, old: str, new: str) -> str | None:
        """Rename a source in git and in state, under the caller's writer lock; return the
        rename commit (None when ``old`` has no snapshot yet).

        Git first, then the database: a crash between the two is finished by
        running the same rename again, which finds the commit already made.
        """
        self.sync_worktree()
        head = self.head()
        has_old = self.has_snapshot_file(old)
        last = self.log(new)[:1] if not has_old and self.has_snapshot_file(new) else []
        resumed = bool(last) and last[0].trailers.get("Renamed-From") == old
        if self.has_snapshot_file(new) and not resumed:
            raise RenameRefused(f"snapshots/{new}.md already exists (a source removed or "
                                "renamed away had that id): choose another new id")
        if self._db().execute("SELECT 1 FROM sources WHERE id = ?", (new,)).fetchone():
            raise RenameRefused(f"'{new}' has a state of its own (a source removed or "
                                "renamed away): choose another new id")
        revision = self.rename_snapshot(old, new) if has_old else None
        with self.transaction() as db:
            self.rekey(db, old, new)
            if revision and self.ingested_head() == head:
                self.set_ingested_head(db, revision)
        return revision

    def remove(self, source_id: str) -> bool:
        """Archive a source's state row (``monitor remove``); its snapshot history stays."""
        with self.transaction() as db:
            return self.archive(db, source_id, now_iso())
