"""``monitor verify``: re-check everything the evidence claims, and name what does not hold.

Three things vouch for each other. A capture's name is the SHA-256 of its
bytes, and its records carry their own digests. A commit names its capture
in a trailer, and says the SHA-256 of the body it decoded. The signed log
names the commits (by their heads) and the captures of each batch. So an
edited snapshot commit, a flipped byte, a deleted capture, an edited or
re-signed checkpoint each break one of these links, and the link says where.

Gaps that are no one's fault (commits from before captures began, captures
turned off, commits newer than the last checkpoint, captures pruned on
purpose) are reported as such and do not fail.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from monitor.core.model import TimestampAuthority
from monitor.evidence import log
from monitor.evidence.capture import capture_path
from monitor.evidence.cdxj import CaptureError, read_capture
from monitor.evidence.keeper import CAPTURE, SKIPPED
from monitor.store.records import LogEntry

CAPTURE_NAME_LENGTH = 64 + len(".warc.gz")


@dataclass
class Verdict:
    """What verify found: broken items fail it, gaps are said and pass."""

    broken: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    captures: int = 0
    commits: int = 0
    checkpoints: int = 0
    key: str | None = None  # fingerprint of the log's current key

    @property
    def ok(self) -> bool:
        return not self.broken

    def summary(self) -> str:
        signed = f", signed by {self.key}" if self.key else ""
        counts = (f"{self.captures} capture(s), {self.commits} commit(s), "
                  f"{self.checkpoints} checkpoint(s){signed}")
        if self.ok:
            return f"verified: {counts}" + (f"; {len(self.gaps)} gap(s) noted"
                                            if self.gaps else "")
        return f"NOT verified: {len(self.broken)} broken item(s) among {counts}"


@dataclass(frozen=True)
class History:
    """The snapshot history as verify needs it, read by the caller from git."""

    commits: Sequence[LogEntry]  # newest first, the ones to check
    reachable: frozenset[str]  # every commit in the history of HEAD
    # a commit -> every commit in its history (asked once, of the newest checkpoint that holds)
    ancestors: Callable[[str], frozenset[str]] = lambda _: frozenset()


def verify(evidence: Path, history: History, *, trusted_key: str | None = None,
           authorities: Sequence[TimestampAuthority] = (), whole_store: bool = True) -> Verdict:
    """Check captures, commits, the log and its timestamps. ``whole_store`` false (one
    source) checks only the captures its commits name."""
    verdict = Verdict()
    log_dir = evidence / "log"
    checkpoints = log.read_log(log_dir)
    verdict.checkpoints = len(checkpoints)
    problems = log.verify_log(log_dir, trusted_key=trusted_key)
    verdict.broken += [f"checkpoint {p}" for p in problems]
    # A checkpoint that does not verify vouches for nothing: not even a pruning.
    doubtful = {p.checkpoint for p in problems if "not the key this monitor holds"
                not in p.message}
    sound = [c for c in checkpoints if c.name not in doubtful]
    current = log.current_key(checkpoints)
    if current:
        from monitor.evidence.keys import fingerprint
        verdict.key = fingerprint(current)
    pruned = log.pruned_captures(sound)
    named = _check_commits(evidence, history, pruned, verdict)
    _check_checkpoints(checkpoints, sound, history, verdict)
    stored = _stored_captures(evidence / "captures")
    to_read = stored if whole_store else {d: p for d, p in stored.items() if d in named}
    for digest, path in sorted(to_read.items()):
        verdict.captures += 1
        problem = capture_problem(path, digest, named.get(digest))
        if problem:
            verdict.broken.append(f"{_shown(evidence, path)}: {problem}")
    if authorities and checkpoints:
        from monitor.evidence.tsa import verify_tokens
        verdict.broken += [f"timestamp {p}" for p in verify_tokens(log_dir, authorities)]
    return verdict


def capture_problem(path: Path, digest: str, content_sha256: str | None = None) -> str | None:
    """Why the capture at ``path`` is not the one named ``digest``, or None if it is."""
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        return f"its contents hash to {actual[:16]}…, not its name: altered after it was stored"
    try:
        reading = read_capture(data, path.name)
    except CaptureError as exc:
        return str(exc)
    for response in reading.responses:
        payload = "sha256:" + hashlib.sha256(response.payload).hexdigest()
        if response.payload_digest != payload:
            return f"the response record of {response.url} does not match its payload digest"
    if content_sha256:
        decoded = _decoded(reading.final.payload, _final_encoding(data))
        if decoded is not None and hashlib.sha256(decoded).hexdigest() != content_sha256:
            return "the page it holds is not the one its commit read (Content-SHA256 differs)"
    return None


def _check_commits(evidence: Path, history: History, pruned: dict[str, int],
                   verdict: Verdict) -> dict[str, str | None]:
    """Each commit's capture trailer against the captures stored; the digests named."""
    named: dict[str, str | None] = {}
    gaps: Counter[str] = Counter()
    for entry in history.commits:
        verdict.commits += 1
        trailers = entry.trailers
        value = trailers.get(CAPTURE)
        if value is None:
            why = trailers.get(SKIPPED)
            gaps["not captured (before captures began)" if why is None else
                 "captures off" if why.startswith("captures off") else f"not captured ({why})"] \
                += 1
            continue
        digest = value.removeprefix("sha256:")
        named[digest] = trailers.get("Content-SHA256")
        if capture_path(evidence / "captures", digest).exists():
            continue
        if digest in pruned:
            gaps[f"pruned (checkpoint {pruned[digest]})"] += 1
        else:
            verdict.broken.append(f"commit {entry.revision[:10]} ({entry.subject}): its "
                                  f"capture {value} is missing")
    verdict.gaps += [f"{count} commit(s): {why}" for why, count in sorted(gaps.items())]
    return named


def _check_checkpoints(checkpoints: Sequence[log.Checkpoint], sound: Sequence[log.Checkpoint],
                       history: History, verdict: Verdict) -> None:
    """Every commit a checkpoint names must still be in the history; newer ones are a gap."""
    for checkpoint in checkpoints:
        if checkpoint.kind == "discontinuity":
            verdict.broken.append(f"checkpoint {checkpoint.name}: the snapshot history was "
                                  f"rewritten and accepted: "
                                  f"{checkpoint.details.get('reason', 'no reason given')}")
        for commit in (*checkpoint.commits, *([checkpoint.head] if checkpoint.head else [])):
            if commit not in history.reachable:
                verdict.broken.append(f"checkpoint {checkpoint.name}: names commit {commit[:10]}"
                                      ", which the snapshot history no longer holds "
                                      "(rewritten or reset)")
                break
    heads = [c for c in sound if c.head in history.reachable]
    if not heads:
        if history.commits:
            why = "no checkpoint yet" if not checkpoints else "no sound checkpoint holds them"
            verdict.gaps.append(f"{len(history.commits)} commit(s): not yet checkpointed "
                                f"({why})")
        return
    last = heads[-1]
    covered = history.ancestors(last.head or "")
    newer = [e for e in history.commits if e.revision not in covered]
    if newer:
        verdict.gaps.append(f"{len(newer)} commit(s): not yet checkpointed (newer than "
                            f"checkpoint {last.name})")


def _stored_captures(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for path in folder.glob("*/*.warc.gz"):
        if len(path.name) == CAPTURE_NAME_LENGTH:
            found[path.name.removesuffix(".warc.gz")] = path
    return found


def _decoded(payload: bytes, encoding: str) -> bytes | None:
    """The body a commit hashed: the payload without its content-encoding (None: unknown)."""
    try:
        if encoding in ("", "identity"):
            return payload
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(payload)
        if encoding == "deflate":
            try:
                return zlib.decompress(payload)
            except zlib.error:
                return zlib.decompress(payload, -zlib.MAX_WBITS)
        if encoding == "br":
            import brotli
            return bytes(brotli.decompress(payload))
    except Exception:
        return None
    return None


def _final_encoding(data: bytes) -> str:
    """The Content-Encoding of the capture's last response, as the server sent it."""
    encoding = ""
    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type == "response" and record.http_headers is not None:
            encoding = (record.http_headers.get_header("Content-Encoding") or "").strip().lower()
    return encoding


def _shown(evidence: Path, path: Path) -> str:
    return str(path.relative_to(evidence.parent)) if path.is_relative_to(evidence.parent) \
        else str(path)
