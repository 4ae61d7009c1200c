"""The values a config is written in: durations, sizes, schedules, URLs, header values.

Each parser raises ``ValueError`` (or ``TypeError``) for input it refuses, so
the loader can name the line and say what would be accepted.
"""

from __future__ import annotations

import difflib
import ipaddress
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


def bare_seconds(value: Any) -> str | None:
    """For a duration written as a bare number (read as seconds), the way to write it
    with its unit (``3600`` -> ``"1h"``); None when it has a unit or is 0."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", value):
        value = float(value)
    if not isinstance(value, int | float) or value <= 0:
        return None
    return duration_text(float(value))


def duration_text(seconds: float) -> str:
    """Seconds as the config writes them: the largest unit that gives a whole number."""
    for unit in ("w", "d", "h", "m", "s"):
        count = seconds / DURATION_UNITS[unit]
        if count >= 1 and count == int(count):
            return f"{int(count)}{unit}"
    if seconds < 1 and (seconds * 1000) == int(seconds * 1000):
        return f"{int(seconds * 1000)}ms"
    return f"{seconds:g}s"


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
    """An http(s) address that the fetcher can request (``url_problem`` says why not)."""
    return url_problem(url) is None


def url_problem(url: Any) -> str | None:
    """Why ``url`` is not an http(s) address the fetcher can request, in words with
    the fix; None when it is one. No spaces or control characters (a CR/LF would
    split the request), a host name that DNS could hold, a real port, a sane length."""
    if not isinstance(url, str):
        return "it must be text, such as https://example.org/news/1"
    if not url.strip():
        return "it is empty: write the page's address, such as https://example.org/news/1"
    if len(url) > MAX_URL:
        return f"it is longer than {MAX_URL:,} characters, more than servers accept"
    if has_control_characters(url):
        return "it holds a line break or another control character: write it on one line"
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "its host in [ ] is not an IPv6 address"
    try:
        port = parts.port
    except ValueError:
        return "its port (after the host's ':') is not a number from 1 to 65535"
    if parts.scheme.lower() not in ("http", "https"):
        return "it must start with http:// or https://"
    host = parts.hostname or ""
    problem = host_problem(host) if host else "it has no host name after the '//'"
    if problem:
        return problem
    if port == 0:
        return "its port (after the host's ':') is not a number from 1 to 65535"
    if " " in url.strip():
        return "it holds a space: write it as %20, or copy the address from the browser again"
    if "\\" in url:
        return "it holds a backslash (\\): write '/' instead"
    return None


HOST_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")


def host_problem(host: str) -> str | None:
    """Why ``host`` is not a name or address a URL can reach; None when it is one."""
    if ":" in host:  # an IPv6 address: urlsplit took it from inside [ ]
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            return f"its host [{host}] is not an IPv6 address"
        return None
    bad = sorted({c for c in host if not (c.isalnum() or c in ".-_")})
    if bad:
        shown = " ".join("a space" if c == " " else repr(c) for c in bad)
        return (f"its host name '{host}' holds {shown}, which no host name can: "
                "check the address for a typo")
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return f"its host name '{host}' is not a valid international domain name"
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(HOST_LABEL.match(label) for label in labels):
        return (f"its host name '{host}' is not a valid name (each part between dots "
                "is 1 to 63 letters, digits or '-', not starting or ending with '-')")
    return None


def slug_from_url(url: str) -> str:
    """A readable source id from a URL: host and last path segment."""
    parts = urlsplit(url)
    host = (parts.hostname or "page").removeprefix("www.").split(".")[0]
    tail = [p for p in parts.path.split("/") if p][-1:] or [""]
    slug = re.sub(r"\.(html?|php|aspx?)$", "", tail[0])
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{host}-{slug}").strip("-").lower()
    return slug[:80] or "source"
