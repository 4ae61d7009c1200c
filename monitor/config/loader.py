"""Load and validate ``sources.yaml`` into typed objects.

Every problem is collected (not just the first) and reported as
``FILE:LINE: message`` with the fix, because a typo in a monitoring config
must never silently stop a page from being watched.
"""

from __future__ import annotations

import os
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from monitor.config.channel_types import CHANNEL_TYPES, ChannelKind, channel_kind
from monitor.config.mapped_settings import missing_extra, timestamp_authorities, web_settings
from monitor.config.problems import Checker, ConfigError, Problem
from monitor.config.sources import parse_sources
from monitor.config.values import (
    bare_seconds,
    header_value,
    parse_duration,
    parse_schedule,
    parse_size,
    strict_bool,
    strict_int,
    suggest,
)
from monitor.config.yaml_errors import explain
from monitor.config.yaml_limits import alias_bomb, too_deep
from monitor.core.changes import FIELDS, KINDS
from monitor.core.events import ALERT_EVENTS
from monitor.core.model import (
    ARCHIVE_EVENTS,
    ArchiveConfig,
    ChannelConfig,
    Config,
    PermaConfig,
    Settings,
    WaybackConfig,
)

#: how each kind of setting (monitor.core.model.setting) is read from YAML
PARSERS: dict[str, Any] = {
    "path": str, "int": lambda value: strict_int(value), "bool": lambda value: strict_bool(value),
    "duration": parse_duration, "size": parse_size, "schedule": parse_schedule,
    "header": lambda value: header_value(value),
    "authorities": lambda value: timestamp_authorities(value),
    "web": lambda value: web_settings(value),
}
SETTINGS = {f.name: f.metadata for f in fields(Settings)}
TOP_KEYS = ["settings", "channels", "sources", "archives"]
#: each web archive's keys: (required, optional); the required ones are secrets but 'folder'
ARCHIVE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "wayback": (("access_key", "secret"), ("base_url", "events", "per_minute")),
    "perma": (("api_key",), ("folder", "base_url", "events", "per_minute")),
}
ARCHIVE_HELP = {"wayback": "{access_key: ${IA_ACCESS}, secret: ${IA_SECRET}} "
                           "(keys from https://archive.org/account/s3.php)",
                "perma": "{api_key: ${PERMA_KEY}, folder: 123} "
                         "(the key from https://perma.cc/settings/tools)"}


def load(path: str | Path, *, locate: bool = False, strict_secrets: bool = False) -> Config:
    """Read, validate and expand a config file; raise ConfigError listing every problem.

    The file is parsed with the C parser, which keeps no line numbers but reads
    10,000 sources in a fraction of a second; only when there is a problem or a
    warning to report (or ``locate`` asks for each source's line) is it parsed
    again with the round-trip parser, whose line numbers every message then names.

    An unset ``${NAME}`` is a problem only with ``strict_secrets`` (``monitor
    validate``); otherwise it is a warning, and only what needs it goes without:
    that source's checks fail, that channel's alerts wait, that archive is off.
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
        return _load(path, text, locate, strict_secrets)
    except RecursionError:
        raise ConfigError([Problem(path, 0, "nested too deeply to be a sources file: "
                                            "check the brackets and indentation")]) from None


def _load(path: Path, text: str, locate: bool, strict_secrets: bool) -> Config:
    if not locate:
        try:
            config = _validate(path, YAML(typ="safe", pure=False).load(text), strict_secrets)
            if not config.warnings:
                return config
        except (ConfigError, MarkedYAMLError):
            pass  # parse again below, to say where
    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        line, message = explain(text, exc)
        raise ConfigError([Problem(path, line, message)]) from None
    return _validate(path, data, strict_secrets)


def _validate(path: Path, data: Any, strict_secrets: bool = False) -> Config:
    checker = Checker(path, strict_secrets=strict_secrets)
    if data is None:
        checker.warn(1, "the file is empty: add the pages to watch, one by one with "
                        "`monitor add URL`, or under 'sources:' (see README.md)")
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
    sources = parse_sources(checker, data.get("sources"), data, settings, channels)
    archives = _archives(checker, data.get("archives"), data)
    if data and not data.get("sources"):
        checker.warn(checker.key_line(data, "sources") if "sources" in data else 1,
                     "no sources: nothing is watched; add a page with `monitor add URL`, "
                     "or under 'sources:' as '- id: ...' and 'url: ...'")
    if checker.problems:
        raise ConfigError(sorted(checker.problems, key=lambda p: p.line))
    warnings = sorted(checker.warnings, key=lambda p: p.line)
    return Config(path=path, settings=settings, channels=channels, sources=sources,
                  archives=archives, warnings=tuple(str(w) for w in warnings))


def _settings(checker: Checker, raw: Any, parent: dict[str, Any], root: Path) -> Settings:
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
        if checker.unset(line, value, f"setting '{key}' keeps its default"):
            if checker.strict_secrets:
                checker.expand_env(value, line)  # says which
            continue
        if declared["kind"] in ("duration", "schedule"):
            _bare_seconds(checker, line, f"setting '{key}'", value)
        try:
            parsed = PARSERS[declared["kind"]](checker.expand_env(value, line))
        except (ValueError, TypeError):
            checker.error(line, f"setting '{key}': {value!r} is not {declared['expected']}")
            continue
        minimum = declared["minimum"]
        if minimum is not None and parsed < minimum:
            checker.error(line, f"setting '{key}' must be at least {minimum:g}")
            continue
        if (problem := missing_extra(key, parsed)) is not None:
            checker.error(line, problem)
        values[key] = parsed
    for key, declared in SETTINGS.items():
        if declared["kind"] == "path":
            # Absolute, but not through symlinks: a snapshots/ link to an unmounted disk
            # must be seen as such, not silently recreated at its target.
            relative = values.get(key, declared["folder_default"])
            values[key] = Path(os.path.abspath(root / relative))
    values["timestamp_authorities"] = tuple(
        replace(tsa, ca_file=Path(os.path.abspath(root / tsa.ca_file))) if tsa.ca_file else tsa
        for tsa in values.get("timestamp_authorities", ()))
    return Settings(**values)


def _channels(checker: Checker, raw: Any, parent: dict[str, Any]) -> dict[str, ChannelConfig]:
    channels: dict[str, ChannelConfig] = {}
    if not checker.has_section(raw, dict, parent, "channels",
                               "'channels' must be a mapping: name -> settings (with a 'type')"):
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
        missing = checker.unset(line, _plain(body), f"channel '{name}' keeps its alerts "
                                                    "pending", " (not sent, and not given up)")
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
        for key in ("digest", "give_up_after"):
            if key in options:
                _bare_seconds(checker, checker.key_line(body, key),
                              f"channel '{name}': '{key}'", options[key])
        # Without its secrets a channel's own checks would only repeat "is not set".
        problems = [*(() if missing else cls.check_options(options)),
                    *_common_option_problems(options)]
        for problem in problems:
            checker.error(line, f"channel '{name}' ({kind}): {problem}")
        channels[str(name)] = ChannelConfig(name=str(name), type=kind, options=options,
                                            missing_secrets=missing)
    return channels


def _archives(checker: Checker, raw: Any, parent: dict[str, Any]) -> tuple[ArchiveConfig, ...]:
    """``archives:``: service -> settings. A secret written into the file itself is refused:
    sources.yaml is shared and committed, so keys come from the environment."""
    if not checker.has_section(raw, dict, parent, "archives", "'archives' must be a mapping: "
                               f"service -> settings, e.g. wayback: {ARCHIVE_HELP['wayback']}"):
        return ()
    archives: list[ArchiveConfig] = []
    for name, body in raw.items():
        line = checker.key_line(raw, name)
        if name not in ARCHIVE_KEYS:
            checker.error(line, f"unknown archive '{name}'{suggest(str(name), list(ARCHIVE_KEYS))}"
                                f"; known: {', '.join(ARCHIVE_KEYS)}")
            continue
        if not isinstance(body, dict):
            checker.error(line, f"archive '{name}' must be a mapping: {ARCHIVE_HELP[name]}")
            continue
        required, optional = ARCHIVE_KEYS[name]
        if checker.unset(line, _plain(body), f"web archive '{name}' is off") \
                and not checker.strict_secrets:
            continue
        values: dict[str, Any] = {"line": line}
        for key, value in body.items():
            key_line = checker.key_line(body, key)
            allowed = [*required, *optional]
            if key not in allowed:
                checker.error(key_line, f"archive '{name}': unknown key '{key}'"
                                        f"{suggest(str(key), allowed)}; "
                                        f"allowed: {', '.join(allowed)}")
            elif key in required and not (isinstance(value, str) and "${" in value):
                checker.error(key_line, f"archive '{name}': '{key}' must come from the "
                                        f"environment, as {key}: ${{{name.upper()}_{key.upper()}}}"
                                        " (sources.yaml is shared; secrets are not kept in it)")
            else:
                expanded = checker.expand_env(_plain(value), key_line)
                problem = _archive_value(values, key, expanded)
                if problem and expanded != "":  # "": the unset variable is named already
                    checker.error(key_line, f"archive '{name}': {problem}")
        missing = [key for key in required if key not in body]
        if missing:
            checker.error(line, f"archive '{name}' needs {' and '.join(map(repr, missing))}: "
                                f"{ARCHIVE_HELP[name]}")
        if any(key not in values for key in required):
            continue
        archives.append(WaybackConfig(**values) if name == "wayback" else PermaConfig(**values))
    return tuple(archives)


def _bare_seconds(checker: Checker, line: int, what: str, value: Any) -> None:
    """A duration without its unit is read as seconds; say how to write it."""
    written = bare_seconds(value)
    if written:
        checker.warn(line, f"{what}: {value} without a unit is read as seconds: write "
                           f"{written}")


def _archive_value(values: dict[str, Any], key: str, value: Any) -> str | None:
    """Check one archive setting and put it into ``values``; the problem, if any."""
    if key == "events":
        events = [value] if isinstance(value, str) else value
        if not isinstance(events, list) or not events or \
                any(event not in ARCHIVE_EVENTS for event in events):
            return f"'events' must be a list of: {', '.join(ARCHIVE_EVENTS)}"
        value = tuple(events)
    elif key == "base_url":
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            return "'base_url' must be an http:// or https:// URL"
        value = value.rstrip("/")
    elif key in ("per_minute", "folder"):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return f"'{key}' must be a whole number, at least 1"
    elif not isinstance(value, str) or not value:
        return f"'{key}' is empty: is its environment variable set to the value?"
    values[key] = value
    return None


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
    for key, allowed in (("fields", FIELDS), ("kinds", KINDS)):
        chosen = options.get(key)
        if chosen is None:
            continue
        chosen = [chosen] if isinstance(chosen, str) else chosen
        bad = [c for c in chosen or [] if c not in allowed]
        if not isinstance(chosen, list) or bad or not chosen:
            wrong = f" ({', '.join(map(str, bad))} is not one)" if bad else ""
            problems.append(f"'{key}' must be a list of: {', '.join(allowed)}{wrong}")
        else:
            options[key] = chosen
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
