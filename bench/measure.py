"""Run one command and measure its whole process tree: wall, CPU, peak memory.

    python -m bench.measure OUT.json -- COMMAND [ARG...]

This process makes itself a child subreaper, so every descendant of COMMAND
(monitor's forkserver and pool workers too, which outlive their parent by a
moment) is reparented here and reaped; ``getrusage(RUSAGE_CHILDREN)`` then
holds the CPU time of the whole tree. Memory is reported two ways:
``ru_maxrss`` (the largest single process, what ``/usr/bin/time -v`` shows)
and the peak of the tree's summed PSS (proportional set size, so pages shared
between forked workers are not counted twice), sampled every 250 ms. The CPU
that the rest of the machine used meanwhile (the web server, and whatever
else runs) is recorded too, to show when a figure was disturbed.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
SAMPLE_EVERY = 0.25
LEFTOVER_GRACE = 30.0
RESCAN_EVERY = 1.0


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def parents() -> dict[int, int]:
    """Every live process id and its parent's."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def descendants(root: int) -> list[int]:
    tree = parents()
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in tree.items() if ppid == parent]
        found += children
        frontier += children
    return found


def pss_kb(pid: int) -> int:
    """Proportional set size of one process, in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class Sampler(threading.Thread):
    """Keeps the peak of the summed PSS of this process's descendants.

    Cheap, so as not to disturb what it measures: the process tree is
    rediscovered (a scan of /proc) every RESCAN_EVERY seconds, and only the
    known descendants are read in between.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.processes = 0
        self._halt = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        pids: list[int] = []
        rescan_at = 0.0
        while not self._halt.wait(SAMPLE_EVERY):
            if time.monotonic() >= rescan_at:
                pids = descendants(me)
                rescan_at = time.monotonic() + RESCAN_EVERY
                self.processes = max(self.processes, len(pids))
            self.peak_kb = max(self.peak_kb, sum(pss_kb(pid) for pid in pids))

    def stop(self) -> None:
        self._halt.set()
        self.join()


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (every core), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def reap_all(grace: float = LEFTOVER_GRACE) -> int:
    """Reap every remaining descendant (orphans reparented to this subreaper).

    Descendants still alive ``grace`` seconds after the command exited (a
    worker pool that outlives its parent) are killed; return how many.
    """
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid == 0:
            time.sleep(0.05)
    leftovers = descendants(os.getpid())
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return len(leftovers)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    out, command = Path(argv[0]), argv[2:]
    become_subreaper()
    sampler = Sampler()
    sampler.start()
    started, busy = time.monotonic(), busy_seconds()
    process = subprocess.Popen(command)
    code = process.wait()
    wall = time.monotonic() - started
    sampler.stop()
    leftovers = reap_all()
    machine_busy = busy_seconds() - busy
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.write_text(json.dumps({
        "returncode": code, "wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime,
        "maxrss_kb": usage.ru_maxrss, "tree_pss_kb": sampler.peak_kb,
        "processes": sampler.processes,
        "leftover_processes": leftovers,  # still alive long after the command exited
        # CPU that other processes used meanwhile (the server, and anything else running)
        "others_cpu": max(machine_busy - usage.ru_utime - usage.ru_stime, 0.0),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
