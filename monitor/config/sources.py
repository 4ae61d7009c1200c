"""The ``sources:`` list: each entry checked and turned into a ``core.model.Source``."""

from __future__ import annotations

import re
from typing import Any

from monitor.config.discovery import DISCOVERY_KEYS, check_namespaces, parse_discovery
from monitor.config.entries import (
    channel_names,
    css_list,
    entry_schedule,
    string_list,
    text_value,
)
from monitor.config.problems import Checker, secrets_in
from monitor.config.values import (
    has_control_characters,
    slug_from_url,
    suggest,
    url_problem,
)
from monitor.core.ids import valid_source_id
from monitor.core.model import ChannelConfig, Settings, Source

HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 9110 token
SOURCE_KEYS = ["id", "url", "interval", "cron", "min", "max", "channels", "tags", "selector",
               "ignore", "enabled", "name", "notes", "user_agent", "headers", *DISCOVERY_KEYS]


def parse_sources(checker: Checker, raw: Any, parent: dict[str, Any], settings: Settings,
                  channels: dict[str, ChannelConfig]) -> list[Source]:
    sources: list[Source] = []
    if not checker.has_section(raw, list, parent, "sources",
                               "'sources' must be a list of entries starting with '- id: ...'"):
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
        source_id = entry.get("id")
        url_line = checker.key_line(entry, "url") if "url" in entry else line
        missing = checker.unset(url_line, [raw_url, entry.get("headers"),
                                           entry.get("user_agent")],
                                f"source {source_id} is not checked",
                                " (its checks are errors; the other sources are checked)")
        url = checker.expand_env(raw_url, url_line)
        if missing:
            url = raw_url  # kept as written: never requested while a value is missing
        elif "url" not in entry:
            checker.error(line, f"source {source_id or index + 1} has no 'url': add the "
                                "page's address, such as 'url: https://example.org/news/1'")
            url = None
        elif problem := url_problem(url):
            why = "" if problem.startswith("it must start with") else f" ({problem})"
            checker.error(url_line, f"source {source_id or index + 1}: 'url' must be an "
                                    f"http:// or https:// address{why}, got {raw_url!r}")
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
        schedule = entry_schedule(checker, entry, source_id, settings.default_interval)
        names = channel_names(checker, entry, f"source {source_id}", channels)
        tags = string_list(checker, entry, "tags")
        selector = css_list(checker, entry, "selector", single=True)
        ignore = css_list(checker, entry, "ignore")
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            checker.error(checker.key_line(entry, "enabled"),
                          "'enabled' must be true or false (false pauses the source)")
            enabled = True
        label, notes, user_agent = (text_value(checker, entry, key)
                                   for key in ("name", "notes", "user_agent"))
        user_agent_raw = user_agent or ""
        if user_agent:
            agent_line = checker.key_line(entry, "user_agent")
            user_agent = str(checker.expand_env(user_agent, agent_line))
            if has_control_characters(user_agent):
                checker.error(agent_line, "'user_agent' must be one line of text (it is sent "
                                          "as a header)")
                user_agent = None
        headers, raw_headers = _headers(checker, entry)
        discover = parse_discovery(checker, entry, source_id, channels)
        if source_id and url:
            sources.append(Source(id=source_id, url=url, schedule=schedule,
                                  channels=tuple(names), tags=tuple(tags),
                                  selector=selector[0] if selector else None,
                                  ignore=tuple(ignore), line=line,
                                  url_secrets=secrets_in(" ".join([str(raw_url),
                                                                   *raw_headers,
                                                                   str(user_agent_raw)])),
                                  enabled=enabled, name=label, notes=notes,
                                  user_agent=user_agent, headers=headers,
                                  missing_secrets=missing, discover=discover))
    check_namespaces(checker, sources)
    return sources


def _headers(checker: Checker, entry: dict[str, Any]
             ) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """A source's ``headers:`` mapping, values expanded; and the raw values (for secrets)."""
    value = entry.get("headers")
    if value is None:
        return (), []
    line = checker.key_line(entry, "headers")
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        checker.error(line, "'headers' must map header names to text, such as "
                            "{Accept-Language: en}")
        return (), []
    headers = []
    for header, raw in value.items():
        if not HEADER_NAME.fullmatch(header) or "\n" in raw or "\r" in raw:
            checker.error(line, f"header {header!r} is not a valid HTTP header name and value")
            continue
        headers.append((header, str(checker.expand_env(raw, line))))
    return tuple(headers), [str(v) for v in value.values()]
