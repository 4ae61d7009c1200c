"""Load and validate ``sources.yaml`` into typed objects.

Every problem is collected (not just the first) and reported as
``FILE:LINE: message`` with the fix, because a typo in a monitoring config
must never silently stop a page from being watched.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, fields, replace
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from monitor.config.channel_types import CHANNEL_TYPES, ChannelKind, channel_kind
from monitor.config.yaml_limits import alias_bomb, too_deep
from monitor.core.events import ALERT_EVENTS
from monitor.core.ids import valid_source_id
from monitor.core.model import ChannelConfig, Config, Settings, Source
from monitor.core.schedule import Schedule, cron_trigger

MAX_URL = 8192  # characters: past this servers refuse, and httpx refuses 64 kB
ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$")
SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$", re.IGNORECASE)
DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
SIZE_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20,
              "gib": 2**30}


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ConfigError(Exception):
    """The config cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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


class _Checker:
    """Collects problems while walking the parsed YAML with its line numbers."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    # Both give 0 (unknown) for the C parser's plain dicts and lists.
    @staticmethod
    def key_line(mapping: Any, key: Any) -> int:
        try:
            return int(mapping.lc.key(key)[0]) + 1
        except (AttributeError, KeyError, TypeError):
            return mapping.lc.line + 1 if hasattr(mapping, "lc") else 0

    @staticmethod
    def item_line(seq: Any, index: int) -> int:
        try:
            return int(seq.lc.item(index)[0]) + 1
        except (AttributeError, KeyError, TypeError):
            return seq.lc.line + 1 if hasattr(seq, "lc") else 0

    def expand_env(self, value: Any, line: int) -> Any:
        if isinstance(value, dict):
            return {k: self.expand_env(v, line) for k, v in value.items()}
        if isinstance(value, list):
            return [self.expand_env(v, line) for v in value]
        if not isinstance(value, str):
            return value

        def replace(match: re.Match[str]) -> str:
            name = match[1]
            if name not in os.environ:
                self.error(line, f"environment variable {name} is not set: export it "
                                 f"before running monitor (secrets live in the environment)")
                return ""
            return os.environ[name]

        return ENV_REF.sub(replace, value)


def has_control_characters(text: str) -> bool:
    return any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)


def _header_value(value: Any) -> str:
    """A string that may go into an HTTP header: no CR, LF or other control character."""
    if not isinstance(value, str) or has_control_characters(value) or not value.strip():
        raise ValueError
    return value


#: how each kind of setting (monitor.core.model.setting) is read from YAML
PARSERS: dict[str, Any] = {
    "path": str, "int": lambda value: _strict_int(value), "bool": lambda value: _strict_bool(value),
    "duration": parse_duration, "size": parse_size, "schedule": parse_schedule,
    "header": lambda value: _header_value(value),
}
SETTINGS = {f.name: f.metadata for f in fields(Settings)}
SOURCE_KEYS = ["id", "url", "interval", "cron", "min", "max", "channels", "tags", "selector",
               "ignore"]
TOP_KEYS = ["settings", "channels", "sources"]


def _strict_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError
    return value


def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def load(path: str | Path, *, locate: bool = False) -> Config:
    """Read, validate and expand a config file; raise ConfigError listing every problem.

    The file is parsed with the C parser, which keeps no line numbers but reads
    10,000 sources in a fraction of a second; only when there is a problem to
    report (or ``locate`` asks for each source's line) is it parsed again with
    the round-trip parser, whose line numbers every message then names.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(path, 0, "no such file: create it (see README.md), "
                                   "or point --config at your sources.yaml")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(path, 0, f"cannot read: {exc}")]) from None
    refused = alias_bomb(text) or too_deep(text)
    if refused:
        line, message = refused
        raise ConfigError([Problem(path, line, message)])
    try:
        return _load(path, text, locate)
    except RecursionError:
        raise ConfigError([Problem(path, 0, "nested too deeply to be a sources file: "
                                            "check the brackets and indentation")]) from None


def _load(path: Path, text: str, locate: bool) -> Config:
    if not locate:
        try:
            return _validate(path, YAML(typ="safe", pure=False).load(text))
        except (ConfigError, MarkedYAMLError):
            pass  # parse again below, to say where
    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ConfigError([Problem(path, line, f"not valid YAML: {exc.problem}; "
                                   "check indentation and quoting")]) from None
    return _validate(path, data)


def _validate(path: Path, data: Any) -> Config:
    checker = _Checker(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([Problem(path, 1, "expected a mapping with 'settings', "
                                   "'channels' and 'sources'")])
    for key in data:
        if key not in TOP_KEYS:
            checker.error(checker.key_line(data, key),
                          f"unknown top-level key '{key}'{suggest(str(key), TOP_KEYS)}; "
                          f"allowed: {', '.join(TOP_KEYS)}")
    settings = _settings(checker, data.get("settings"), data, path.parent)
    channels = _channels(checker, data.get("channels"), data)
    sources = _sources(checker, data.get("sources"), data, settings, channels)
    if checker.problems:
        raise ConfigError(sorted(checker.problems, key=lambda p: p.line))
    return Config(path=path, settings=settings, channels=channels, sources=sources)


def _settings(checker: _Checker, raw: Any, parent: dict[str, Any], root: Path) -> Settings:
    values: dict[str, Any] = {}
    if raw is not None and not isinstance(raw, dict):
        checker.error(checker.key_line(parent, "settings"),
                      "'settings' must be a mapping of key: value")
        raw = None
    for key, value in (raw or {}).items():
        line = checker.key_line(raw, key)
        if key not in SETTINGS:
            hint = suggest(str(key), list(SETTINGS))
            checker.error(line, f"unknown setting '{key}'{hint}")
            continue
        declared = SETTINGS[key]
        try:
            parsed = PARSERS[declared["kind"]](checker.expand_env(value, line))
        except (ValueError, TypeError):
            checker.error(line, f"setting '{key}': {value!r} is not {declared['expected']}")
            continue
        minimum = declared["minimum"]
        if minimum is not None and parsed < minimum:
            checker.error(line, f"setting '{key}' must be at least {minimum:g}")
            continue
        values[key] = parsed
    for key, declared in SETTINGS.items():
        if declared["kind"] == "path":
            # Absolute, but not through symlinks: a snapshots/ link to an unmounted disk
            # must be seen as such, not silently recreated at its target.
            relative = values.get(key, declared["folder_default"])
            values[key] = Path(os.path.abspath(root / relative))
    return Settings(**values)


def _channels(checker: _Checker, raw: Any, parent: dict[str, Any]) -> dict[str, ChannelConfig]:
    channels: dict[str, ChannelConfig] = {}
    if raw is None:
        return channels
    if not isinstance(raw, dict):
        checker.error(checker.key_line(parent, "channels"),
                      "'channels' must be a mapping: name -> settings (with a 'type')")
        return channels
    known_types = sorted(CHANNEL_TYPES)
    for name, body in raw.items():
        line = checker.key_line(raw, name)
        if not isinstance(body, dict):
            checker.error(line, f"channel '{name}' must be a mapping with at least 'type'")
            continue
        kind = body.get("type")
        if kind is None:
            checker.error(line, f"channel '{name}' has no 'type'; one of: {', '.join(known_types)}")
            continue
        if kind not in CHANNEL_TYPES:
            checker.error(checker.key_line(body, "type"),
                          f"channel '{name}': unknown type '{kind}'"
                          f"{suggest(str(kind), known_types)}; known: {', '.join(known_types)}")
            continue
        cls: ChannelKind = channel_kind(kind)
        options: dict[str, Any] = {}
        for key, value in body.items():
            if key == "type":
                continue
            key_line = checker.key_line(body, key)
            allowed = cls.all_options()
            if key not in allowed:
                checker.error(key_line, f"channel '{name}' ({kind}): unknown key '{key}'"
                                        f"{suggest(str(key), list(allowed))}; "
                                        f"allowed: {', '.join(allowed)}")
                continue
            options[key] = checker.expand_env(_plain(value), key_line)
            if key in cls.path_options and isinstance(options[key], str):
                options[key] = str((checker.path.parent / options[key]).resolve())
        problems = [*cls.check_options(options), *_common_option_problems(options)]
        for problem in problems:
            checker.error(line, f"channel '{name}' ({kind}): {problem}")
        channels[str(name)] = ChannelConfig(name=str(name), type=kind, options=options)
    return channels


def _common_option_problems(options: dict[str, Any]) -> list[str]:
    """Check (and normalise in place) the options every channel type takes."""
    problems = []
    events = options.get("events")
    if events is not None:
        events = [events] if isinstance(events, str) else events
        bad = [e for e in events or [] if e not in ALERT_EVENTS]
        if not isinstance(events, list) or bad or not events:
            problems.append(f"'events' must be a list of: {', '.join(ALERT_EVENTS)}")
        else:
            options["events"] = events
    tags = options.get("tags")
    if tags is not None:
        tags = [tags] if isinstance(tags, str) else tags
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problems.append("'tags' must be a list of tag names")
        else:
            options["tags"] = tags
    if "min_change" in options:
        value = options["min_change"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append("'min_change' must be a whole number of words, at least 1")
    for key in ("digest", "give_up_after"):
        if key in options:
            try:
                options[key] = parse_duration(options[key])
                if options[key] <= 0:
                    raise ValueError
            except (ValueError, TypeError):
                problems.append(f"'{key}' must be a duration such as 1h or 30m")
    return problems


def _plain(value: Any) -> Any:
    """ruamel's round-trip containers as plain dicts and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _sources(checker: _Checker, raw: Any, parent: dict[str, Any], settings: Settings,
             channels: dict[str, ChannelConfig]) -> list[Source]:
    sources: list[Source] = []
    if raw is None:
        return sources
    if not isinstance(raw, list):
        checker.error(checker.key_line(parent, "sources"),
                      "'sources' must be a list of entries starting with '- id: ...'")
        return sources
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        line = checker.item_line(raw, index)
        if not isinstance(entry, dict):
            checker.error(line, "each source must be a mapping with 'id' and 'url'")
            continue
        for key in entry:
            if key not in SOURCE_KEYS:
                checker.error(checker.key_line(entry, key),
                              f"unknown source key '{key}'{suggest(str(key), SOURCE_KEYS)}; "
                              f"allowed: {', '.join(SOURCE_KEYS)}")
        raw_url = entry.get("url")
        url = checker.expand_env(raw_url, checker.key_line(entry, "url"))
        source_id = entry.get("id")
        if not _valid_url(url):
            where = checker.key_line(entry, "url") if "url" in entry else line
            checker.error(where, f"source {source_id or index + 1}: 'url' must be an "
                                 f"http:// or https:// address, got {raw_url!r}")
            url = None
        if source_id is None:
            hint = f" such as 'id: {slug_from_url(url)}'" if url else ""
            checker.error(line, f"source has no 'id': add one{hint} (it names the snapshot file)")
        elif not valid_source_id(source_id):
            checker.error(checker.key_line(entry, "id"),
                          f"source id {source_id!r} must be letters, digits, '.', '_' or '-' "
                          f"(it names snapshots/<id>.md)")
            source_id = None
        elif source_id in seen:
            checker.error(checker.key_line(entry, "id"),
                          f"duplicate source id '{source_id}' (first on line {seen[source_id]}); "
                          "give each source its own id")
        else:
            seen[source_id] = checker.key_line(entry, "id")
        schedule = settings.default_interval
        if "interval" in entry and "cron" in entry:
            checker.error(checker.key_line(entry, "cron"),
                          "a source takes 'interval' or 'cron', not both: remove one")
        elif "cron" in entry:
            try:
                schedule = cron_schedule(entry["cron"])
            except (ValueError, TypeError):
                checker.error(checker.key_line(entry, "cron"),
                              f"cron {entry['cron']!r} is not a crontab line such as "
                              "\"0 * * * *\" (minute hour day month weekday)")
        elif "interval" in entry:
            try:
                schedule = parse_schedule(entry["interval"])
            except (ValueError, TypeError):
                checker.error(checker.key_line(entry, "interval"),
                              f"interval {entry['interval']!r} is not valid: use 30s, 15m, "
                              "6h, 1d or adaptive (or a separate key: cron: \"0 * * * *\")")
        schedule = _adaptive_bounds(checker, entry, schedule)
        names = _string_list(checker, entry, "channels")
        for name in names:
            if name not in channels:
                checker.error(checker.key_line(entry, "channels"),
                              f"source {source_id}: unknown channel '{name}'"
                              f"{suggest(name, list(channels))}; define it under 'channels:'")
        tags = _string_list(checker, entry, "tags")
        selector = _css_list(checker, entry, "selector", single=True)
        ignore = _css_list(checker, entry, "ignore")
        if source_id and url:
            sources.append(Source(id=source_id, url=url, schedule=schedule,
                                  channels=tuple(names), tags=tuple(tags),
                                  selector=selector[0] if selector else None,
                                  ignore=tuple(ignore), line=line,
                                  url_secrets=_secrets_in(str(raw_url))))
    return sources


def _secrets_in(raw_url: str) -> tuple[tuple[str, str], ...]:
    """The values that ${NAME} references in a URL expanded to, longest first."""
    names = dict.fromkeys(ENV_REF.findall(raw_url))
    found = [(name, os.environ[name]) for name in names if os.environ.get(name)]
    return tuple(sorted(found, key=lambda pair: len(pair[1]), reverse=True))


def _adaptive_bounds(checker: _Checker, entry: dict[str, Any], schedule: Schedule) -> Schedule:
    bounds: dict[str, Any] = {}
    for key in ("min", "max"):
        if key not in entry:
            continue
        line = checker.key_line(entry, key)
        if not schedule.adaptive:
            checker.error(line, f"'{key}' bounds an adaptive schedule: add "
                                "'interval: adaptive' or remove it")
            continue
        try:
            bounds[f"{key}_every"] = parse_duration(entry[key])
        except (ValueError, TypeError):
            checker.error(line, f"'{key}' must be a duration such as 15m or 1d")
    schedule = replace(schedule, **bounds)
    if schedule.min_every > schedule.max_every:
        checker.error(checker.key_line(entry, "min"), "'min' is longer than 'max'")
    return schedule


def _string_list(checker: _Checker, entry: dict[str, Any], key: str) -> list[str]:
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


def _css_list(checker: _Checker, entry: dict[str, Any], key: str,
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


def _valid_url(url: Any) -> bool:
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
