"""What the writer asks of the evidence: captures before a commit, a checkpoint after.

The order is the promise. A capture is written and fsynced before the commit
that names it, so no commit ever names a missing file; a checkpoint is signed
after the commits and the state are durable, so a checkpoint never names a
commit that is not there. A crash between the two leaves commits that the
next checkpoint covers (its ``head`` is their descendant), which ``monitor
verify`` reports as "not yet checkpointed", not as broken.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monitor.core.model import Settings
from monitor.evidence import log
from monitor.evidence.capture import Capture, build_capture, capture_path, store_captures
from monitor.evidence.keys import KeyProblem, load_signing_key
from monitor.fetch.exchange import Hop

CAPTURE = "Capture"  # the trailer naming a commit's capture: sha256:<hex of the .warc.gz>
SKIPPED = "Capture-Skipped"  # why a commit has no capture: captures off, no HTTP answer


@dataclass(frozen=True)
class ToCapture:
    """One committing check's exchange, and how its secrets are hidden."""

    exchange: tuple[Hop, ...]
    shown: Callable[[str], str] = str


class EvidenceKeeper:
    """The evidence folder of one project: ``captures/`` and the signed ``log/``."""

    def __init__(self, settings: Settings, environ: Mapping[str, str] | None = None):
        self.root = settings.evidence
        self.enabled = settings.captures
        self.key_path = settings.signing_key
        self.captures = self.root / "captures"
        self.log_dir = self.root / "log"
        self._environ = os.environ if environ is None else environ
        self._key: Ed25519PrivateKey | None = None
        self.problems: list[str] = []  # for the pass report; never stops a commit

    def capture(self, batch: Sequence[ToCapture]) -> list[dict[str, str]]:
        """Store the captures of a batch; the trailers each commit gains, in order."""
        trailers: list[dict[str, str]] = []
        stored: list[Capture] = []
        for item in batch:
            if not self.enabled:
                trailers.append({SKIPPED: "captures off (settings.captures)"})
            elif not item.exchange:
                trailers.append({SKIPPED: "no HTTP answer"})
            else:
                capture = build_capture(item.exchange, shown=item.shown)
                stored.append(capture)
                trailers.append({CAPTURE: capture.trailer})
        store_captures(self.captures, stored)
        return trailers

    def checkpoint(self, *, head: str | None, commits: Sequence[str],
                   captures: Sequence[str] = (), kind: str = "batch",
                   details: dict[str, str] | None = None,
                   now: datetime | None = None) -> log.Checkpoint | None:
        """Sign and append the next checkpoint; a key or disk problem is reported, not raised:
        the snapshots are already safe, and verify will show the gap."""
        try:
            return log.append(self.log_dir, self.key(), kind=kind, head=head,
                              commits=list(commits), captures=list(captures),
                              details=details, now=now)
        except (KeyProblem, log.LogError, OSError) as exc:
            self.problems.append(f"evidence log: no checkpoint written: {exc}")
            return None

    def key(self) -> Ed25519PrivateKey:
        if self._key is None:
            self._key = load_signing_key(self.key_path, self._environ)
        return self._key


def capture_digest(trailers: Mapping[str, str]) -> str | None:
    """The capture's SHA-256 a commit names, if any."""
    value = trailers.get(CAPTURE, "")
    return value.removeprefix("sha256:") if value.startswith("sha256:") else None


def capture_file(evidence: Path, digest: str) -> Path:
    return capture_path(evidence / "captures", digest)
