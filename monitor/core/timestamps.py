"""The one timestamp format of state, alerts and commit trailers: UTC, to the second.

``2026-03-01T09:30:00Z``. Written as text so that SQLite, JSON and git all
sort it the same way; read back as an aware datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime

STAMP = "%Y-%m-%dT%H:%M:%SZ"


def stamp(moment: datetime) -> str:
    """``moment`` as a timestamp; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(STAMP)


def parse_stamp(text: str | None) -> datetime | None:
    """The aware datetime of a timestamp; None for None or ""."""
    if not text:
        return None
    return datetime.strptime(text, STAMP).replace(tzinfo=UTC)
