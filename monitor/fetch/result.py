"""What a fetch gives back: a FetchResult, never an exception.

Every failure is a result with an ``error`` in words and an ``error_kind`` the
checks can act on (transient faults are retried and never read as a removal).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.fetch.exchange import Hop

TRANSIENT_STATUSES = {500, 502, 503, 504, 520, 521, 522, 523, 524}


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int | None = None  # None when no HTTP answer came back
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    redirects: tuple[str, ...] = ()  # every URL passed through before final_url
    error: str | None = None  # why the fetch failed, in words, naming no secret
    error_kind: str | None = None  # timeout, connect, tls, too-large, redirects, type, ...
    elapsed: float = 0.0
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    retry_after: float | None = None
    # Of the body as fetched. A fetch process leaves out a body whose hash is the one
    # the caller already has (``known_sha256``), so ``body`` may then be b"".
    content_sha256: str = ""
    # Each hop as sent and received, for a capture; () when nothing was answered.
    exchange: tuple[Hop, ...] = ()

    def __post_init__(self) -> None:
        if not self.content_sha256:
            object.__setattr__(self, "content_sha256", hashlib.sha256(self.body).hexdigest())

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def transient(self) -> bool:
        return self.error_kind in {"timeout", "connect", "dns", "tls", "protocol"} or (
            self.status in TRANSIENT_STATUSES)


class FetchFailed(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
