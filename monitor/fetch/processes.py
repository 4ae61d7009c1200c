"""Child processes of monitor: the forkserver they start from, and their tie to the parent.

Both pools (fetch processes and extraction workers) use the forkserver start
method, preloaded with what they import, so a new process costs a fork.
"""

from __future__ import annotations

import os
import select
import threading
import time

# What the forkserver imports once, so a new worker or fetch process costs a fork.
PRELOAD = ["monitor.pipeline.analyser", "monitor.fetch.pool"]


def exit_with(parent: int) -> None:
    """Make this worker exit when the monitor process that started it dies.

    A pool worker waits on a queue whose write end it holds itself, so it would
    never notice a ``kill -9`` of the parent; it also keeps the forkserver
    alive. A thread waits on the parent's pidfd (Linux) and ends the worker.
    """

    def wait() -> None:
        try:
            fd = os.pidfd_open(parent)
            select.select([fd], [], [])
        except (AttributeError, OSError):  # no pidfd here: look once a second
            while True:
                time.sleep(1)
                try:
                    os.kill(parent, 0)
                except ProcessLookupError:
                    break
        os._exit(0)

    threading.Thread(target=wait, name="exit-with-parent", daemon=True).start()
