"""Values of one ``sources:`` entry (or a listing's ``follow:`` block), each checked.

Shared by ``sources.py`` and ``discovery.py``: a ``follow:`` block takes the
same schedule, tag, channel and selector keys as a source, with the same errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from monitor.config.problems import Checker
from monitor.config.values import (
    bare_seconds,
    cron_schedule,
    parse_duration,
    parse_schedule,
    suggest,
)
from monitor.core.model import ChannelConfig
from monitor.core.schedule import Schedule

#: a source's schedule keys: how each is read, and what to say when it cannot be
SCHEDULE_KEYS: tuple[tuple[str, Callable[[Any], Schedule], str], ...] = (
    ("cron", cron_schedule, "is not a crontab line such as \"0 * * * *\" "
                            "(minute hour day month weekday)"),
    ("interval", parse_schedule, "is not valid: use 30s, 15m, 6h, 1d or adaptive "
                                 "(or a separate key: cron: \"0 * * * *\")"),
)



def entry_schedule(checker: Checker, entry: dict[str, Any], source_id: Any,
                   default: Schedule) -> Schedule:
    """The schedule an entry's ``interval``/``cron`` (and ``min``/``max``) give it."""
    schedule = default
    if "interval" in entry and "cron" in entry:
        checker.error(checker.key_line(entry, "cron"),
                      "a source takes 'interval' or 'cron', not both: remove one")
    else:
        for key, parse, hint in SCHEDULE_KEYS:
            if key in entry:
                bare_seconds_warning(checker, checker.key_line(entry, key), source_id, key,
                                     entry[key])
                try:
                    schedule = parse(entry[key])
                except (ValueError, TypeError):
                    checker.error(checker.key_line(entry, key), f"{key} {entry[key]!r} {hint}")
    return _adaptive_bounds(checker, entry, schedule)


def bare_seconds_warning(checker: Checker, line: int, source_id: Any, key: str, value: Any) -> None:
    """``interval: 3600`` is still an hour, but reads as nothing: name the unit."""
    written = bare_seconds(value)
    if written:
        checker.warn(line, f"source {source_id}: {key} {value} without a unit is read as "
                           f"seconds: write '{key}: {written}'")


def text_value(checker: Checker, entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        checker.error(checker.key_line(entry, key), f"'{key}' must be some text")
        return None
    return value.strip()


def _adaptive_bounds(checker: Checker, entry: dict[str, Any], schedule: Schedule) -> Schedule:
    bounds: dict[str, Any] = {}
    for key in ("min", "max"):
        if key not in entry:
            continue
        line = checker.key_line(entry, key)
        if not schedule.adaptive:
            checker.error(line, f"'{key}' bounds an adaptive schedule: add "
                                "'interval: adaptive' or remove it")
            continue
        bare_seconds_warning(checker, line, entry.get("id"), key, entry[key])
        try:
            bounds[f"{key}_every"] = parse_duration(entry[key])
        except (ValueError, TypeError):
            checker.error(line, f"'{key}' must be a duration such as 15m or 1d")
    schedule = replace(schedule, **bounds)
    if schedule.min_every > schedule.max_every:
        checker.error(checker.key_line(entry, "min"), "'min' is longer than 'max'")
    return schedule


def string_list(checker: Checker, entry: dict[str, Any], key: str) -> list[str]:
    value = entry.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        checker.error(checker.key_line(entry, key), f"'{key}' must be a list of names, "
                                                    f"such as [{key[:-1]}-a, {key[:-1]}-b]")
        return []
    return [str(v) for v in value]


def css_list(checker: Checker, entry: dict[str, Any], key: str,
              single: bool = False) -> list[str]:
    """CSS selectors, each checked now so that a typo is a config error, not a silent miss."""
    value = entry.get(key)
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values) \
            or (single and len(values) != 1):
        shape = "a CSS selector" if single else "a CSS selector or a list of them"
        checker.error(checker.key_line(entry, key), f"'{key}' must be {shape}, "
                                                    "such as \"article .body\"")
        return []
    for css in values:
        try:
            CSSSelector(css, translator="html")
        except SelectorError as exc:
            checker.error(checker.key_line(entry, key),
                          f"'{key}': {css!r} is not a CSS selector ({exc}); "
                          "write it as in a stylesheet, such as \"div.article-body\"")
            return []
    return values


def channel_names(checker: Checker, entry: dict[str, Any], owner: str,
                  channels: dict[str, ChannelConfig]) -> list[str]:
    """An entry's ``channels:``, each one defined under ``channels:``."""
    names = string_list(checker, entry, "channels")
    for name in names:
        if name not in channels:
            checker.error(checker.key_line(entry, "channels"),
                          f"{owner}: unknown channel '{name}'"
                          f"{suggest(name, list(channels))}; define it under 'channels:'")
    return names
