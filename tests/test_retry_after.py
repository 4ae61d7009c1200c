"""Retry-After read as seconds or an HTTP date, and capped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from monitor.fetch.retry_after import parse_retry_after


def test_retry_after_is_read_as_seconds_or_a_date_and_capped_at_a_day() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("315360000", now) == 86400.0
    assert parse_retry_after("Wed, 25 Nov 2026 12:05:00 GMT", now) == 300.0
    assert parse_retry_after("Fri, 01 Jan 9999 00:00:00 GMT", now) == 86400.0
    assert parse_retry_after("Wed, 25 Nov 2020 12:05:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("", now) is None


def test_a_date_is_read_against_the_wall_clock_by_default() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after("") is None and parse_retry_after("soon") is None
    in_ten_minutes = format_datetime(datetime.now(UTC) + timedelta(minutes=10), usegmt=True)
    assert 590 <= (parse_retry_after(in_ten_minutes) or 0) <= 600
