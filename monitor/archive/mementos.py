"""Mementos: the web archives' copies of a version, kept where they outlive the state.

The state database (``.monitor/``) holds only what can be rebuilt, and a
memento cannot be: asking again makes a new capture of a page that has moved
on. So each one is also appended, as one JSON line, to
``<evidence>/archives.jsonl`` and fsynced before the database is told; a
rebuilt state reads them back with ``read_mementos_file``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.store.files import fsync_directory

FILE_NAME = "archives.jsonl"


@dataclass(frozen=True)
class ArchiveUrl:
    """One memento of one version: what alerts carry as ``archive_urls`` items."""

    service: str
    revision: str
    url: str

    def to_json(self) -> dict[str, str]:
        return {"service": self.service, "revision": self.revision, "url": self.url}


@dataclass(frozen=True)
class MementoLine:
    """One line of ``archives.jsonl``: a memento and what it is a copy of."""

    source_id: str
    original_url: str
    event: str  # the outcome whose page was archived: baseline, changed, removed...
    archived_at: str
    memento: ArchiveUrl

    def to_json(self) -> dict[str, str]:
        return {**self.memento.to_json(), "source_id": self.source_id,
                "original_url": self.original_url, "event": self.event,
                "archived_at": self.archived_at}


def mementos_file(evidence: Path) -> Path:
    return evidence / FILE_NAME


def append_mementos(evidence: Path, lines: list[MementoLine]) -> None:
    """Append lines to ``archives.jsonl`` and fsync it (and, when new, its folder).

    A line that a crash cut short is left behind a newline, so it spoils only
    itself; a line written twice (a crash before the database was told) is read
    once.
    """
    if not lines:
        return
    path = mementos_file(evidence)
    evidence.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    data = "".join(json.dumps(line.to_json(), ensure_ascii=False, sort_keys=True) + "\n"
                   for line in lines).encode()
    with open(path, "a+b") as file:
        if file.tell() > 0:
            file.seek(-1, os.SEEK_END)
            if file.read(1) != b"\n":
                data = b"\n" + data
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    if new:
        fsync_directory(evidence)


def read_mementos_file(path: Path) -> list[MementoLine]:
    """Every memento in an ``archives.jsonl``, once each, in the order first written.

    Lines that are not whole (a crash mid-write) or not ours are skipped.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    seen: dict[tuple[str, str], MementoLine] = {}
    for raw in text.splitlines():
        line = _line(raw)
        if line is not None:
            seen.setdefault((line.memento.revision, line.memento.service), line)
    return list(seen.values())


def _line(raw: str) -> MementoLine | None:
    try:
        item: Any = json.loads(raw)
        return MementoLine(source_id=str(item["source_id"]),
                           original_url=str(item["original_url"]),
                           event=str(item.get("event", "")),
                           archived_at=str(item["archived_at"]),
                           memento=ArchiveUrl(str(item["service"]), str(item["revision"]),
                                              str(item["url"])))
    except (ValueError, KeyError, TypeError):
        return None


def restore_mementos(db: sqlite3.Connection, path: Path) -> int:
    """Put the mementos of ``archives.jsonl`` back into a rebuilt state; how many were missing.

    Runs inside the caller's transaction when there is one. A job still queued
    for a version that the file shows archived is marked done.
    """
    lines = read_mementos_file(path)
    before = db.total_changes
    db.executemany(
        "INSERT INTO archive_jobs (revision, service, source_id, url, event, status, "
        "created_at, memento_url, archived_at) VALUES (?, ?, ?, ?, ?, 'done', ?, ?, ?) "
        "ON CONFLICT (revision, service) DO UPDATE SET status = 'done', "
        "memento_url = excluded.memento_url, archived_at = excluded.archived_at, "
        "next_attempt_at = NULL WHERE archive_jobs.status != 'done'",
        [(line.memento.revision, line.memento.service, line.source_id, line.original_url,
          line.event, line.archived_at, line.memento.url, line.archived_at) for line in lines])
    return db.total_changes - before
