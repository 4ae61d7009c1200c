"""Why the store refused: each error says what happened and what to do."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class StoreLocked(Exception):
    """Another monitor process holds the store for longer than we may wait."""


class GitError(Exception):
    pass


class UnknownRevision(Exception):
    """A revision that is not in the history, or not a version of the named source."""


class StoreDamaged(Exception):
    """The state database is not a database any more; git can rebuild it."""


def damaged(path: Path, exc: sqlite3.Error) -> StoreDamaged:
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
