"""One writer at a time: an exclusive ``flock`` that the kernel releases if the holder dies.

A ``kill -9`` leaves no stale lock. Two locks, always in one order: the state
folder's and the snapshot repository's own. A third, held for a daemon's whole
life, keeps a second ``monitor run`` off the same folder (a cron run still
takes turns with it through the writer lock).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from monitor.store.errors import (
    StoreLocked,
    StoreUnavailable,
    why_unwritable,
)
from monitor.store.records import now_iso


class WriterLock:
    """The single-writer lock of a Store (a part of it, not used alone)."""

    snapshots: Path
    lock_path: Path
    repo_lock_path: Path
    _lock_files: list[Any]

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


def _read_holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "unknown pid"
    except OSError:
        return "unknown pid"


class AlreadyRunning(StoreLocked):
    """A daemon already runs on this folder: two would check every source twice."""


@contextlib.contextmanager
def daemon_lock(path: Path) -> Iterator[None]:
    """Hold ``path`` for as long as the daemon runs; refuse at once if another holds it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")  # noqa: SIM115  (held while the daemon runs)
    except OSError as exc:
        raise StoreUnavailable(why_unwritable(path.parent, exc)) from exc
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(path).split(" since ")[0]
            kill = f"`kill {holder[4:]}`" if holder.startswith("pid ") else "`monitor status`"
            raise AlreadyRunning(
                f"monitor is already running here ({holder}), on {path.parent}: one daemon "
                f"per folder. Stop that one first (`systemctl stop monitor`, or {kill}), or "
                "give this one a folder of its own (settings.state)") from None
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {now_iso()}\n")
            handle.flush()
        yield
    finally:
        handle.close()
