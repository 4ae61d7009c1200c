"""The value parsers a config is written in: durations, sizes, schedules, URLs."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.config import values
from monitor.core.schedule import Schedule


@pytest.mark.parametrize(("text", "seconds"), [
    ("30s", 30.0), ("15m", 900.0), ("6h", 21600.0), ("1d", 86400.0), ("2w", 1209600.0),
    ("250ms", 0.25), ("1.5h", 5400.0), ("90", 90.0), (" 2 m ", 120.0), ("0s", 0.0),
    (45, 45.0), (2.5, 2.5),
])
def test_parse_duration(text: Any, seconds: float) -> None:
    assert values.parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "fast", "-1s", "1e3", "5 min", "1h30m", "s", True,
                                  False, None])
def test_parse_duration_rejects(text: Any) -> None:
    with pytest.raises(ValueError):
        values.parse_duration(text)


@pytest.mark.parametrize(("text", "size"), [
    ("10MB", 10_000_000), ("512KiB", 524_288), ("1GiB", 2**30), ("2 KB", 2000),
    ("10mb", 10_000_000), ("3MiB", 3 * 2**20), ("1.5KB", 1500), ("1GB", 10**9),
    ("1234", 1234), (1234, 1234), ("7B", 7),
])
def test_parse_size(text: Any, size: int) -> None:
    assert values.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "huge", "10 TB", "-1MB", "MB", True, None])
def test_parse_size_rejects(text: Any) -> None:
    with pytest.raises(ValueError):
        values.parse_size(text)


@pytest.mark.parametrize(("value", "schedule"), [
    ("1h", Schedule(every=3600)),
    (90, Schedule(every=90)),
    ("250ms", Schedule(every=0.25)),
    ("adaptive", Schedule(adaptive=True)),
    ("  adaptive ", Schedule(adaptive=True)),
    ("cron: 0 * * * *", Schedule(cron="0 * * * *")),
    ("cron:*/15 9-17 * * mon-fri", Schedule(cron="*/15 9-17 * * mon-fri")),
])
def test_parse_schedule(value: Any, schedule: Schedule) -> None:
    assert values.parse_schedule(value) == schedule


@pytest.mark.parametrize("value", ["0s", 0, -60, "-1h", "weekly", "cron:", "cron: 61 * * * *",
                                   "cron: * * * *", "cron: every day", "Adaptive", True])
def test_parse_schedule_rejects(value: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        values.parse_schedule(value)


@pytest.mark.parametrize(("url", "ok"), [
    ("https://example.org/a", True), ("http://example.org:8080/a?b=c", True),
    ("ftp://example.org/a", False), ("https://example.org/a b", False),
    ("https://example.org/\r\nHost: x", False), ("https://example.org:99999/", False),
    ("https:///nohost", False), ("https://e.org/" + "a" * values.MAX_URL, False), (42, False),
])
def test_valid_url_refuses_what_would_break_a_request(url: Any, ok: bool) -> None:
    assert values.valid_url(url) is ok


@pytest.mark.parametrize(("url", "words"), [
    ("https://exa mple.org/", "its host name 'exa mple.org' holds a space"),
    ("https://exa%20mple.org/", "its host name 'exa%20mple.org' holds '%'"),
    ("https://ex|ample.org/", "holds '|'"),
    ("https://-example.org/", "is not a valid name"),
    ("https://" + "a" * 64 + ".org/", "is not a valid name"),
    ("https://[::g]/", "its host in [ ] is not an IPv6 address"),
    ("https://example.org:0/", "its port"),
    ("https://example.org\\news", "holds '\\\\'"),
    ("https://example.org/a\\b", "it holds a backslash"),
    ("example.org/news", "it must start with http:// or https://"),
    ("", "it is empty"), (None, "it must be text"),
])
def test_url_problem_says_why_in_words(url: Any, words: str) -> None:
    problem = values.url_problem(url)
    assert problem is not None and words in problem


@pytest.mark.parametrize("url", ["https://bücher.example/buch", "https://my_blog.example.org/",
                                 "https://[::1]:8080/a", "http://127.0.0.1:8321/",
                                 "https://example.org./a", "https://u:p@example.org/a"])
def test_url_problem_accepts_real_addresses(url: str) -> None:
    assert values.url_problem(url) is None


@pytest.mark.parametrize(("value", "written"), [
    (3600, "1h"), ("3600", "1h"), (90, "90s"), (5400, "90m"), (86400, "1d"), (604800, "1w"),
    (0.25, "250ms"), (1.25, "1.25s"), (0, None), ("1h", None), (True, None), ("soon", None),
])
def test_a_bare_number_of_seconds_and_how_to_write_it(value: Any, written: str | None) -> None:
    assert values.bare_seconds(value) == written


def test_header_values_refuse_control_characters_and_blanks() -> None:
    assert values.header_value("monitor/1.0 (+https://e.org)") == "monitor/1.0 (+https://e.org)"
    for bad in ("a\r\nX-Injected: 1", "   ", 7):
        with pytest.raises(ValueError):
            values.header_value(bad)


def test_a_url_gives_a_readable_source_id() -> None:
    assert values.slug_from_url("https://www.bbc.co.uk/news/world-123.html") == "bbc-world-123"
    assert values.slug_from_url("https://example.org/") == "example"
    assert values.suggest("intervall", ["interval", "cron"]) == " (did you mean 'interval'?)"
    assert values.suggest("zzz", ["interval"]) == ""
