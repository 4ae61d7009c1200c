"""Times for people: one short form, always in UTC, whatever zone git or a store wrote."""

from __future__ import annotations

from monitor.core.people_time import for_people


def test_an_rfc3339_stamp_reads_as_minutes_in_utc() -> None:
    assert for_people("2026-11-25T10:00:59Z") == "2026-11-25 10:00 UTC"


def test_git_offsets_are_turned_into_utc() -> None:
    assert for_people("2026-11-25T11:30:00+01:00") == "2026-11-25 10:30 UTC"
    assert for_people("2026-01-01T00:15:00-02:00") == "2026-01-01 02:15 UTC"


def test_naive_times_are_utc_and_unreadable_text_stays_as_it_is() -> None:
    assert for_people("2026-11-25T10:00:00") == "2026-11-25 10:00 UTC"
    assert for_people("last Tuesday") == "last Tuesday"
    assert for_people(None) == "" and for_people("") == ""
