"""A listing's keys in ``sources:``: ``discover:`` and what it gives the articles it finds.

    - id: ministry-press
      url: https://ministry.example/press/
      discover: links          # feed | sitemap | links
      match: "/press/\\d{4}/"  # optional: a regex searched in each found URL
      max_new: 50              # new articles watched per check; the rest wait
      baseline_watch: 20       # on the first check, the newest this many are watched
      follow: {interval: 1h, tags: [press], channels: [team], keep: 90d}
      exclude: [ministry-press.old-statement-1a2b3c]   # written by pause/remove

Every mistake names its line and the fix; nothing here fetches or parses a
listing (that is the discover stage, which the config never imports).
"""

from __future__ import annotations

import re
from typing import Any, cast

from monitor.config.entries import channel_names, css_list, entry_schedule, string_list
from monitor.config.problems import Checker
from monitor.config.values import parse_duration, suggest
from monitor.core.ids import listing_id_problem, listing_namespace_clash, valid_source_id
from monitor.core.model import (
    DISCOVERY_KINDS,
    KEEP_FOUND,
    ChannelConfig,
    Discovery,
    DiscoveryKind,
    Follow,
    Source,
)
from monitor.core.schedule import Schedule

DISCOVERY_KEYS = ["discover", "match", "max_new", "baseline_watch", "follow", "exclude"]
FOLLOW_KEYS = ["interval", "cron", "min", "max", "tags", "channels", "selector", "ignore",
               "keep"]
DEFAULTS = Discovery(kind="feed")


def parse_discovery(checker: Checker, entry: dict[str, Any], source_id: Any,
                    channels: dict[str, ChannelConfig]) -> Discovery | None:
    """The entry's ``Discovery``, or None when it is a plain source (or ``discover`` is wrong)."""
    if "discover" not in entry:
        for key in DISCOVERY_KEYS[1:]:
            if key in entry:
                checker.error(checker.key_line(entry, key),
                              f"'{key}' is for a listing: add 'discover: feed', 'discover: "
                              f"sitemap' or 'discover: links' to source {source_id}, or "
                              f"remove '{key}'")
        return None
    line = checker.key_line(entry, "discover")
    kind = entry["discover"]
    if kind not in DISCOVERY_KINDS:
        checker.error(line, f"'discover' must be one of {', '.join(DISCOVERY_KINDS)} (an RSS or "
                            f"Atom feed, a sitemap, or a section page's links), got {kind!r}"
                            f"{suggest(str(kind), list(DISCOVERY_KINDS))}")
        return None
    if isinstance(source_id, str) and (problem := listing_id_problem(source_id)):
        checker.error(checker.key_line(entry, "id"), problem)
    for key in ("selector", "ignore"):
        if key in entry:
            checker.error(checker.key_line(entry, key),
                          f"a listing's '{key}' would apply to the articles it finds: move it "
                          f"under 'follow:', such as 'follow: {{{key}: \"article\"}}'")
    match = _match(checker, entry)
    max_new = _count(checker, entry, "max_new", DEFAULTS.max_new)
    baseline_watch = _count(checker, entry, "baseline_watch", DEFAULTS.baseline_watch,
                            minimum=0)
    follow = _follow(checker, entry, source_id, channels)
    exclude = _exclude(checker, entry, source_id)
    return Discovery(kind=cast(DiscoveryKind, kind), match=match, max_new=max_new,
                     baseline_watch=baseline_watch, follow=follow, exclude=exclude)


def check_namespaces(checker: Checker, sources: list[Source]) -> None:
    """No configured id may look like one of a listing's articles (``<listing-id>.…``)."""
    listing_ids = [s.id for s in sources if s.discover]
    for source in sources:
        clash = listing_namespace_clash(source.id, [i for i in listing_ids if i != source.id])
        if clash:
            checker.error(source.line, f"source id '{source.id}' begins with '{clash}.', the "
                                       f"prefix of the articles listing '{clash}' finds: "
                                       "rename it (for example with '-' instead of '.')")


def _match(checker: Checker, entry: dict[str, Any]) -> str | None:
    value = entry.get("match")
    if value is None:
        return None
    line = checker.key_line(entry, "match")
    if not isinstance(value, str) or not value:
        checker.error(line, "'match' must be a regular expression searched in each found URL, "
                            "such as \"/news/\\\\d{4}/\"")
        return None
    try:
        re.compile(value)
    except re.error as exc:
        checker.error(line, f"'match' {value!r} is not a regular expression ({exc}): in YAML, "
                            "quote it and double each backslash")
        return None
    return value


def _count(checker: Checker, entry: dict[str, Any], key: str, default: int,
           minimum: int = 1) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        checker.error(checker.key_line(entry, key),
                      f"'{key}' must be a whole number of at least {minimum}, such as "
                      f"{default}")
        return default
    return value


def _follow(checker: Checker, entry: dict[str, Any], source_id: Any,
            channels: dict[str, ChannelConfig]) -> Follow:
    block = entry.get("follow")
    if block is None:
        return Follow()
    line = checker.key_line(entry, "follow")
    if not isinstance(block, dict):
        checker.error(line, "'follow' must be a mapping, such as 'follow: {interval: 1h, "
                            "tags: [press]}'")
        return Follow()
    for key in block:
        if key not in FOLLOW_KEYS:
            checker.error(checker.key_line(block, key),
                          f"unknown 'follow' key '{key}'{suggest(str(key), FOLLOW_KEYS)}; "
                          f"allowed: {', '.join(FOLLOW_KEYS)}")
    schedule = None
    if any(key in block for key in ("interval", "cron", "min", "max")):
        # min/max alone bound nothing: entry_schedule says so against a fixed default.
        schedule = entry_schedule(checker, block, source_id, Schedule(every=6 * 3600))
    names = channel_names(checker, block, f"follow of {source_id}", channels)
    selector = css_list(checker, block, "selector", single=True)
    keep = KEEP_FOUND
    if "keep" in block:
        try:
            keep = parse_duration(block["keep"])
        except (ValueError, TypeError):
            checker.error(checker.key_line(block, "keep"),
                          "'keep' must be a duration such as 90d (how long an article that "
                          "never changed is checked after it was found; 0s: always)")
    return Follow(schedule=schedule, tags=tuple(string_list(checker, block, "tags")),
                  channels=tuple(names), selector=selector[0] if selector else None,
                  ignore=tuple(css_list(checker, block, "ignore")), keep=keep)


def _exclude(checker: Checker, entry: dict[str, Any], source_id: Any) -> tuple[str, ...]:
    value = entry.get("exclude")
    if value is None:
        return ()
    line = checker.key_line(entry, "exclude")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        checker.error(line, "'exclude' must be a list of found articles' ids, such as "
                            f"[{source_id}.some-article-1a2b3c]")
        return ()
    kept = []
    for found_id in value:
        if not valid_source_id(found_id) or not found_id.startswith(f"{source_id}."):
            checker.error(line, f"'exclude' names {found_id!r}, which is not an article of "
                                f"this listing: its ids begin with '{source_id}.' (see "
                                "'monitor list')")
            continue
        kept.append(found_id)
    return tuple(kept)
