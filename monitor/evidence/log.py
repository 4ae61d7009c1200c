"""The evidence log: signed checkpoints, each chaining the file before it.

``evidence/log/00000001.json``, ``00000002.json``, ...: one JSON object per
file, written once and never changed. Each names the sha256 of the previous
file's bytes, so editing, removing or reordering any of them breaks the chain
after it; each is signed with Ed25519, so a new chain cannot be forged
without the key. The signature covers the canonical JSON of every other
field (``canonical``), so anyone can check it with any JSON library and any
Ed25519 implementation.

Kinds, and what their ``details`` hold (all values are strings):

- ``batch``: a writer batch committed; ``head``, its ``commits`` and the
  ``captures`` (sha256 of each ``.warc.gz``). ``details`` is empty.
- ``rotate``: ``{"new_key": <public key text>}``, signed by the old key; the
  checkpoints after it are signed by the new one.
- ``prune``: ``captures`` lists the captures deleted; ``{"before": DATE}``.
- ``discontinuity``: the snapshot history was rewritten and recovery accepted
  it: ``{"reason": ...}`` and, when known, ``{"previous_head": <sha>}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monitor.core.timestamps import stamp
from monitor.evidence.keys import (
    KeyProblem,
    fingerprint,
    public_from_text,
    public_key_text,
    write_once,
)

KINDS = ("batch", "rotate", "prune", "discontinuity")
NAME = re.compile(r"^(\d{8,})\.json$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")  # git's SHA-1 or SHA-256
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
_FIELDS = ("number", "kind", "time", "previous", "head", "commits", "captures", "key",
           "details", "signature")


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint as written; ``signature`` covers ``canonical(self)``."""

    number: int
    kind: str
    time: str
    previous: str | None
    head: str | None
    commits: tuple[str, ...]
    captures: tuple[str, ...]
    key: str
    details: dict[str, str]
    signature: str

    @property
    def name(self) -> str:
        return checkpoint_name(self.number)


@dataclass(frozen=True)
class LogFile:
    """A file of the log as found: its checkpoint, or why it is not one."""

    path: Path
    number: int
    digest: str  # sha256 hex of the file's bytes: what the next checkpoint's ``previous`` names
    checkpoint: Checkpoint | None
    error: str | None


@dataclass(frozen=True)
class LogProblem:
    """A broken item of the log, named by its file."""

    checkpoint: str
    message: str

    def __str__(self) -> str:
        return f"{self.checkpoint}: {self.message}"


class LogError(Exception):
    """A checkpoint that cannot be written as asked."""


def checkpoint_name(number: int) -> str:
    return f"{number:08d}.json"


def append(log_dir: Path, key: Ed25519PrivateKey, *, kind: str = "batch", head: str | None,
           commits: tuple[str, ...] | list[str] = (), captures: tuple[str, ...] | list[str] = (),
           details: dict[str, str] | None = None, now: datetime | None = None) -> Checkpoint:
    """Sign and write the next checkpoint, chained to the last file of the log.

    Write-once: the file appears whole under its name or not at all. Should
    another writer take the number first, the next number is tried, chained
    to that writer's file."""
    fields: dict[str, Any] = {
        "kind": kind, "time": stamp(now or datetime.now(UTC)), "head": head,
        "commits": list(commits), "captures": list(captures), "key": public_key_text(key),
        "details": dict(details or {}),
    }
    problem = _field_problem({**fields, "number": 1, "previous": None, "signature": ""})
    if problem:
        raise LogError(problem)
    for _ in range(1000):
        last = last_file(log_dir)
        fields["number"] = last.number + 1 if last else 1
        fields["previous"] = last.digest if last else None
        fields["signature"] = base64.b64encode(key.sign(canonical(fields))).decode("ascii")
        data = (json.dumps(fields, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
        if write_once(log_dir / checkpoint_name(fields["number"]), data, mode=0o644):
            return _checkpoint(fields)
        del fields["signature"]
    raise LogError(f"{log_dir}: could not take a checkpoint number")


def canonical(fields: dict[str, Any] | Checkpoint) -> bytes:
    """The bytes a checkpoint's signature covers: every field but ``signature``, as compact,
    key-sorted JSON in UTF-8."""
    if isinstance(fields, Checkpoint):
        fields = asdict(fields)  # tuples are written as JSON lists, as the file has them
    signed = {name: value for name, value in fields.items() if name != "signature"}
    return json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def read_log_files(log_dir: Path) -> list[LogFile]:
    """Every ``<number>.json`` of the log, by number, parsed or with the reason it did not."""
    found: list[LogFile] = []
    for path, number in _numbered(log_dir):
        found.append(_read_file(path, number))
    return found


def read_log(log_dir: Path) -> list[Checkpoint]:
    """The checkpoints that parse, by number; ``verify_log`` names the files that do not."""
    return [file.checkpoint for file in read_log_files(log_dir) if file.checkpoint]


def last_checkpoint(log_dir: Path) -> Checkpoint | None:
    """The highest-numbered checkpoint that parses, or None for an empty log."""
    checkpoints = read_log(log_dir)
    return checkpoints[-1] if checkpoints else None


def last_file(log_dir: Path) -> LogFile | None:
    """The highest-numbered file of the log, read alone: appending and stamping stay cheap
    however long the log grows."""
    numbered = _numbered(log_dir)
    return _read_file(*numbered[-1]) if numbered else None


def checkpointed_commits(checkpoints: list[Checkpoint]) -> set[str]:
    """Every commit a checkpoint vouches for: the heads and the batches' commits."""
    commits: set[str] = set()
    for checkpoint in checkpoints:
        commits.update(checkpoint.commits)
        if checkpoint.head:
            commits.add(checkpoint.head)
    return commits


def pruned_captures(checkpoints: list[Checkpoint]) -> dict[str, int]:
    """Capture sha256 -> the number of the ``prune`` checkpoint that recorded its deletion."""
    pruned: dict[str, int] = {}
    for checkpoint in checkpoints:
        if checkpoint.kind == "prune":
            for capture in checkpoint.captures:
                pruned.setdefault(capture, checkpoint.number)
    return pruned


def current_key(checkpoints: list[Checkpoint]) -> str | None:
    """The key the log expects the next checkpoint to be signed with, following rotations."""
    key = checkpoints[0].key if checkpoints else None
    for checkpoint in checkpoints:
        if checkpoint.kind == "rotate" and checkpoint.key == key:
            key = checkpoint.details["new_key"]
    return key


def verify_log(log_dir: Path, *, trusted_key: str | None = None) -> list[LogProblem]:
    """Every way the log fails to hold: files that do not parse, gaps in the numbering,
    broken links, bad signatures and keys the log never introduced.

    The first checkpoint's key is the genesis key; only a ``rotate``
    checkpoint signed by the key of its time hands over to another. With
    ``trusted_key`` (the key the monitor holds now), a log whose current key
    differs is reported too: a log rebuilt from scratch by someone else has a
    valid chain, but not this monitor's key."""
    problems: list[LogProblem] = []
    files = read_log_files(log_dir)
    expected, previous = 1, None
    key: str | None = None
    retired: set[str] = set()
    for file in files:
        name = checkpoint_name(file.number)
        if file.number != expected:
            missing = checkpoint_name(expected)
            span = "" if file.number == expected + 1 else f" to {checkpoint_name(file.number - 1)}"
            problems.append(LogProblem(missing + span, f"missing: the log goes on at {name}"))
            previous = None
        expected = file.number + 1
        checkpoint = file.checkpoint
        if checkpoint is None:
            problems.append(LogProblem(name, f"not a checkpoint: {file.error}"))
            previous = file
            continue
        if file.number == 1 and checkpoint.previous is not None:
            problems.append(LogProblem(name, "the first checkpoint names a previous one"))
        elif previous is not None and checkpoint.previous != previous.digest:
            problems.append(LogProblem(name, f"previous is not the sha256 of {previous.path.name}"
                                             " (it was changed or replaced)"))
        previous = file
        signed = _signature_problem(checkpoint)
        if signed:
            problems.append(LogProblem(name, signed))
        if key is None:
            key = checkpoint.key
        if checkpoint.key != key:
            known = "a retired key" if checkpoint.key in retired else (
                "a key the log never introduced")
            problems.append(LogProblem(name, f"signed by {known} ({_fingerprint(checkpoint.key)})"))
        elif checkpoint.kind == "rotate" and not signed:
            retired.add(key)
            key = checkpoint.details["new_key"]
    if trusted_key is not None and key is not None and key != trusted_key and files:
        problems.append(LogProblem(
            checkpoint_name(files[-1].number),
            f"the log's current key ({_fingerprint(key)}) is not the key this monitor holds"
            f" ({_fingerprint(trusted_key)})"))
    return problems


def _signature_problem(checkpoint: Checkpoint) -> str | None:
    try:
        public = public_from_text(checkpoint.key)
        signature = base64.b64decode(checkpoint.signature.encode("ascii"), validate=True)
        public.verify(signature, canonical(checkpoint))
    except (KeyProblem, binascii.Error, ValueError, InvalidSignature):
        return "the signature does not verify (changed after signing?)"
    return None


def _fingerprint(key: str) -> str:
    try:
        return fingerprint(key)
    except KeyProblem:
        return "not a key"


def _numbered(log_dir: Path) -> list[tuple[Path, int]]:
    """The log's files by number; names not as ``checkpoint_name`` writes them are not the log's."""
    if not log_dir.is_dir():
        return []
    found = []
    for path in log_dir.iterdir():
        match = NAME.match(path.name)
        if match and path.name == checkpoint_name(int(match.group(1))):
            found.append((path, int(match.group(1))))
    return sorted(found, key=lambda item: item[1])


def _read_file(path: Path, number: int) -> LogFile:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    try:
        fields = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return LogFile(path, number, digest, None, f"not JSON ({error})")
    problem = _field_problem(fields)
    if problem is None and fields["number"] != number:
        problem = f"its number is {fields['number']}, its file name says {number}"
    if problem:
        return LogFile(path, number, digest, None, problem)
    return LogFile(path, number, digest, _checkpoint(fields), None)


def _field_problem(fields: Any) -> str | None:
    """What is wrong with a checkpoint's fields, None when they make a checkpoint."""
    if not isinstance(fields, dict):
        return "not a JSON object"
    missing = [name for name in _FIELDS if name not in fields]
    extra = sorted(set(fields) - set(_FIELDS))
    if missing or extra:
        return "fields " + ", ".join([f"missing {n}" for n in missing] +
                                     [f"unexpected {n}" for n in extra])
    number, details = fields["number"], fields["details"]
    checks = [
        (isinstance(number, int) and not isinstance(number, bool) and number >= 1, "number"),
        (fields["kind"] in KINDS, "kind"),
        (isinstance(fields["time"], str) and _TIME.match(fields["time"]), "time"),
        (fields["previous"] is None or _is(fields["previous"], _SHA256), "previous"),
        (fields["head"] is None or _is(fields["head"], _COMMIT), "head"),
        (_all(fields["commits"], _COMMIT), "commits"),
        (_all(fields["captures"], _SHA256), "captures"),
        (isinstance(fields["key"], str), "key"),
        (isinstance(details, dict) and all(isinstance(v, str) for v in details.values()),
         "details"),
        (isinstance(fields["signature"], str), "signature"),
    ]
    bad = [name for ok, name in checks if not ok]
    if bad:
        return "bad " + ", ".join(bad)
    if fields["kind"] == "rotate":
        try:
            public_from_text(details.get("new_key", ""))
        except KeyProblem:
            return "a rotate checkpoint without a new_key"
    return None


def _is(value: Any, pattern: re.Pattern[str]) -> bool:
    return isinstance(value, str) and pattern.match(value) is not None


def _all(values: Any, pattern: re.Pattern[str]) -> bool:
    return isinstance(values, list) and all(_is(value, pattern) for value in values)


def _checkpoint(fields: dict[str, Any]) -> Checkpoint:
    lists = {name: tuple(fields[name]) for name in ("commits", "captures")}
    return Checkpoint(**{**fields, **lists, "details": dict(fields["details"])})
