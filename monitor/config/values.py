"""The values a config is written in: durations, sizes, schedules, URLs, header values.

Each parser raises ``ValueError`` (or ``TypeError``) for input it refuses, so
the loader can name the line and say what would be accepted.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from monitor.core.schedule import Schedule, cron_trigger

MAX_URL = 8192  # characters: past this servers refuse, and httpx refuses 64 kB


DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$")


SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$", re.IGNORECASE)


DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


SIZE_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20,
              "gib": 2**30}


def parse_duration(text: Any) -> float:
    """``"30s"``, ``"15m"``, ``"6h"``, ``"1d"``, ``"250ms"``; a bare number is seconds."""
    if isinstance(text, bool):
        raise ValueError
    if isinstance(text, int | float):
        return float(text)
    match = DURATION.match(str(text).strip())
    if not match:
        raise ValueError
    return float(match[1]) * DURATION_UNITS[match[2] or "s"]


def parse_size(text: Any) -> int:
    """``"10MB"``, ``"512KiB"``; a bare number is bytes."""
    if isinstance(text, bool):
        raise ValueError
    if isinstance(text, int):
        return text
    match = SIZE.match(str(text).strip())
    if not match:
        raise ValueError
    return int(float(match[1]) * SIZE_UNITS[(match[2] or "b").lower()])


def parse_schedule(value: Any) -> Schedule:
    if isinstance(value, str) and value.strip() == "adaptive":
        return Schedule(adaptive=True)
    if isinstance(value, str) and value.strip().startswith("cron:"):
        return cron_schedule(value.strip()[5:])
    seconds = parse_duration(value)
    if seconds <= 0:
        raise ValueError
    return Schedule(every=seconds)


def cron_schedule(expression: Any) -> Schedule:
    if not isinstance(expression, str):
        raise ValueError
    expression = expression.strip().strip("\"'").strip()
    cron_trigger(expression, UTC)  # raises ValueError when malformed
    return Schedule(cron=expression)


def suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def has_control_characters(text: str) -> bool:
    return any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)


def header_value(value: Any) -> str:
    """A string that may go into an HTTP header: no CR, LF or other control character."""
    if not isinstance(value, str) or has_control_characters(value) or not value.strip():
        raise ValueError
    return value


def strict_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError
    return value


def strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def valid_url(url: Any) -> bool:
    """An http(s) address that the fetcher can request: no spaces or control
    characters (a CR/LF would split the request), a real port, a sane length."""
    if not isinstance(url, str) or len(url) > MAX_URL or has_control_characters(url) \
            or " " in url:
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def slug_from_url(url: str) -> str:
    """A readable source id from a URL: host and last path segment."""
    parts = urlsplit(url)
    host = (parts.hostname or "page").removeprefix("www.").split(".")[0]
    tail = [p for p in parts.path.split("/") if p][-1:] or [""]
    slug = re.sub(r"\.(html?|php|aspx?)$", "", tail[0])
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{host}-{slug}").strip("-").lower()
    return slug[:80] or "source"
