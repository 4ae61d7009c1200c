"""Times for people: ``2026-11-25 10:00 UTC``, one way in every command's output.

JSON, trailers and logs keep RFC 3339 (``2026-11-25T10:00:00Z``, see
``monitor.core.timestamps``); what a person reads in a terminal is shorter and
says its zone in words. Pure: it formats the text it is given.
"""

from __future__ import annotations

from datetime import UTC, datetime


def for_people(moment: str | None) -> str:
    """``2026-11-25T10:00:00Z`` (or git's ``2026-11-25T11:00:00+01:00``) as
    ``2026-11-25 10:00 UTC``; "" for none, and text it cannot read as it is."""
    if not moment:
        return ""
    try:
        parsed = datetime.fromisoformat(moment.strip())
    except ValueError:
        return moment
    if parsed.tzinfo is None:  # the store writes UTC; a naive time is taken as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
