"""The Retry-After header (RFC 9110 §10.2.3), read once for pages and channels alike.

A server may ask for any wait; one that asks for ten years must not silence a
source, or crash a run converting it into a date. Every wait is capped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

MAX_RETRY_AFTER = 86_400.0  # seconds: one day, the longest wait a server gets


def parse_retry_after(header: str, now: datetime | None = None,
                      cap: float = MAX_RETRY_AFTER) -> float | None:
    """Seconds to wait, from delay-seconds or an HTTP date; None when absent or unreadable."""
    header = header.strip()
    if not header:
        return None
    if header.isdigit():
        return min(float(header), cap)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), cap)


def bounded(seconds: float | None, cap: float = MAX_RETRY_AFTER) -> float | None:
    """A wait from elsewhere (a JSON body's retry_after), within 0 and the cap."""
    if seconds is None or seconds != seconds:  # None or NaN
        return None
    return min(max(seconds, 0.0), cap)
