"""Questions to the evidence, answered from git and the evidence folder, read only.

``monitor verify``, ``monitor export`` and ``monitor captures prune`` print
these answers, and the web view will serve the same ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.core.events import COMMIT_EVENTS
from monitor.core.timestamps import parse_stamp
from monitor.evidence import log
from monitor.evidence.capture import capture_path
from monitor.evidence.keeper import CAPTURE, capture_digest
from monitor.evidence.keys import ENVIRONMENT, fingerprint, load_signing_key, public_key_text
from monitor.evidence.packet import PacketRequest, PacketVersion
from monitor.evidence.verify import History
from monitor.store.history import History as SnapshotHistory
from monitor.store.history import HistoryError
from monitor.store.records import LogEntry


class EvidenceError(HistoryError):
    """A question the evidence cannot answer, in words that say what to do."""


def held_key(key_path: Path) -> str | None:
    """The public key this monitor signs with now, without making one: None if it has none."""
    if ENVIRONMENT not in os.environ and not key_path.exists():
        return None
    return public_key_text(load_signing_key(key_path))


def verify_history(snapshots: SnapshotHistory, evidence: Path,
                   source_id: str | None = None) -> History:
    """The commits verify checks (all, or one source's), and what HEAD's history holds."""
    repo = snapshots.repo
    reachable = frozenset(repo.git("rev-list", "HEAD").split()) if repo.head() else frozenset()
    return History(commits=repo.log(source_id), reachable=reachable,
                   ancestors=lambda head: frozenset(repo.git("rev-list", head).split()))


@dataclass(frozen=True)
class Exportable:
    """One version to put in a packet, with the one before it."""

    request: PacketRequest
    revision: str


def export_request(snapshots: SnapshotHistory, evidence: Path, source_id: str,
                   revision: str | None = None) -> Exportable:
    """The packet of a change: REV, or the source's latest change (a baseline alone when
    it has no other version)."""
    entries = snapshots.repo.log(source_id)
    if not entries:
        raise EvidenceError(f"no versions of '{source_id}' yet "
                            "(`monitor list` shows the source ids)")
    if revision is None:
        after = next((e for e in entries if e.trailers.get("Event") in COMMIT_EVENTS
                      and e.trailers.get("Event") != "baseline"), entries[-1])
    else:
        try:
            commit = snapshots.repo.version_of(revision, source_id)
        except Exception as exc:
            raise EvidenceError(f"{exc} (`monitor history {source_id}` lists its versions)") \
                from None
        after = next(e for e in entries if e.revision == commit)
    at = entries.index(after)
    before = entries[at + 1] if at + 1 < len(entries) and \
        after.trailers.get("Event") != "baseline" else None
    if capture_digest(after.trailers) is None:
        why = after.trailers.get("Capture-Skipped", "it was recorded before captures began")
        raise EvidenceError(f"{source_id} {after.revision[:7]} has no capture ({why}): "
                            "there is no page as served to put in a packet")
    for version in [v for v in (after, before) if v is not None]:
        digest = capture_digest(version.trailers)
        if digest and not capture_path(evidence / "captures", digest).exists():
            pruned = log.pruned_captures(log.read_log(evidence / "log")).get(digest)
            why = (f"pruned by `monitor captures prune` (checkpoint {pruned})" if pruned
                   else "missing from evidence/captures: `monitor verify` says more")
            raise EvidenceError(f"{source_id} {version.revision[:7]}: its capture is {why}")
    checkpoint = covering_checkpoint(snapshots, evidence, after.revision)
    facts: dict[str, Any] = {
        "alert_ids": [alert_id for _, alert_id in after.alerts],
        "commit_trailers": {k: v for k, v in after.trailers.items()},
        "checkpoint": None if checkpoint is None else {
            "file": f"evidence/log/{checkpoint.name}", "number": checkpoint.number,
            "time": checkpoint.time, "head": checkpoint.head,
            "key": checkpoint.key, "key_fingerprint": fingerprint(checkpoint.key),
            "signature": checkpoint.signature},
    }
    texts = snapshots.repo.snapshots_at([(e.revision, source_id)
                                         for e in (after, before) if e is not None])
    title = texts[0].document.title if texts and texts[0] else source_id
    request = PacketRequest(
        source_id=source_id, url=after.trailers.get("URL", ""), title=title,
        before=_version(evidence, before, texts[1]) if before is not None else None,
        after=_version(evidence, after, texts[0]), facts=facts)
    return Exportable(request=request, revision=after.revision)


def covering_checkpoint(snapshots: SnapshotHistory, evidence: Path,
                        revision: str) -> log.Checkpoint | None:
    """The first checkpoint whose head has ``revision`` in its history."""
    for checkpoint in log.read_log(evidence / "log"):
        if revision in checkpoint.commits or (
                checkpoint.head and snapshots.repo.is_ancestor(revision, checkpoint.head)):
            return checkpoint
    return None


def captures_before(snapshots: SnapshotHistory, evidence: Path,
                    before: datetime) -> list[tuple[str, Path]]:
    """(digest, file) of every stored capture whose every commit was fetched before
    ``before``: what ``monitor captures prune --before`` deletes."""
    keep: set[str] = set()
    old: dict[str, Path] = {}
    for entry in snapshots.repo.log():
        digest = capture_digest(entry.trailers)
        if digest is None:
            continue
        fetched = parse_stamp(entry.trailers.get("Fetched-At")) or _commit_time(entry)
        path = capture_path(evidence / "captures", digest)
        if fetched >= before:
            keep.add(digest)
        elif path.exists():
            old[digest] = path
    return sorted((d, p) for d, p in old.items() if d not in keep)


def evidence_size(evidence: Path) -> tuple[int, int]:
    """(captures, bytes) under the evidence folder."""
    count = size = 0
    for folder, _, names in os.walk(evidence):
        for name in names:
            size += os.path.getsize(os.path.join(folder, name))
            count += name.endswith(".warc.gz")
    return count, size


def _version(evidence: Path, entry: LogEntry, snapshot: Any) -> PacketVersion:
    digest = capture_digest(entry.trailers)
    return PacketVersion(
        revision=entry.revision, event=entry.trailers.get("Event", ""),
        detected_at=entry.trailers.get("Fetched-At", entry.date),
        capture=capture_path(evidence / "captures", digest) if digest else None,
        text=snapshot.render() if snapshot is not None else "",
        content_sha256=entry.trailers.get("Content-SHA256"))


def _commit_time(entry: LogEntry) -> datetime:
    return datetime.fromisoformat(entry.date)


__all__ = ["CAPTURE", "EvidenceError", "Exportable", "captures_before", "covering_checkpoint",
           "evidence_size", "export_request", "held_key", "verify_history"]
