"""The daemon's own lock: one `monitor run` per folder, and no stale lock after a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import child_env

from monitor.store.lock import AlreadyRunning, daemon_lock


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    path = tmp_path / ".monitor" / "daemon.lock"
    with daemon_lock(path):
        assert path.read_text().startswith(f"pid {os.getpid()} since ")
        with pytest.raises(AlreadyRunning, match=rf"already running here \(pid {os.getpid()}\)"
                                                 rf".*`kill {os.getpid()}`"), daemon_lock(path):
            pass
    with daemon_lock(path):  # released on the way out
        pass


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "daemon.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from monitor.store.lock import daemon_lock\n"
         f"with daemon_lock(Path({str(path)!r})):\n print('held', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True, env=child_env())
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(AlreadyRunning, match=f"pid {holder.pid}"), daemon_lock(path):
            pass
    finally:
        holder.kill()
        holder.wait()
    with daemon_lock(path):  # the kernel let go of it with the process
        assert path.read_text().startswith(f"pid {os.getpid()} ")
