"""Web archives: committed pages submitted to Save Page Now 2 and Perma.cc, durably.

``enqueue`` (in the writer's transaction) -> ``submit_pending`` (once a pass)
-> ``mementos`` (for history and alerts' ``archive_urls``). Each memento is
also kept in ``<evidence>/archives.jsonl``, which outlives the state database.
"""

from __future__ import annotations

from monitor.archive.mementos import (
    ArchiveUrl,
    MementoLine,
    mementos_file,
    read_mementos_file,
    restore_mementos,
)
from monitor.archive.queue import Job, enqueue, jobs, mementos
from monitor.archive.submit import ArchiveReport, submit_pending

__all__ = [
    "ArchiveReport",
    "ArchiveUrl",
    "Job",
    "MementoLine",
    "enqueue",
    "jobs",
    "mementos",
    "mementos_file",
    "read_mementos_file",
    "restore_mementos",
    "submit_pending",
]
