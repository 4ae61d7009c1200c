"""Edits to ``sources.yaml`` that keep the user's comments, quotes and layout.

``monitor add``, ``import``, ``remove``, ``rename``, ``pause`` and ``resume``
(of a configured source, or of a listing's found article: its listing's
``exclude:``) all edit through ``_rewrite``: it takes a lock beside the file, reads it afresh,
writes a temporary file, syncs it and renames it over the old one, then loads
the result and puts the old file back if the config would refuse it. A write
that fails part-way (a full disk, a file size limit) leaves the old file whole,
a running daemon never reloads half a file, and two concurrent edits both land.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from monitor.config import loader as config_module
from monitor.config.problems import ConfigError, Problem
from monitor.config.tracking import page_key
from monitor.config.values import slug_from_url, suggest, valid_url
from monitor.core.ids import MAX_ID, MAX_LISTING_ID, listing_id_problem, valid_source_id
from monitor.core.model import Config
from monitor.store.files import atomic_write

T = TypeVar("T")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the edit lock of a sources file (``.<name>.lock`` beside it)."""
    with open(path.with_name(f".{path.name}.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def round_trip_yaml() -> YAML:
    """A YAML that writes back what it read: comments, quotes, and long URLs unfolded."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.width = sys.maxsize  # a folded URL would still load, but reads as two lines
    return yaml


@dataclass(frozen=True)
class NewSource:
    """A source to add: what ``add`` is given, or what ``import`` read from a file."""

    url: str
    id: str | None = None
    name: str | None = None
    every: str | None = None
    selector: str | None = None
    enabled: bool = True
    discover: str | None = None  # a listing: feed, sitemap or links (an OPML feed: feed)
    tags: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()  # CSS selectors of elements that are never the article
    channels: tuple[str, ...] = ()  # empty: every channel
    notes: str | None = None


@dataclass(frozen=True)
class Added:
    """What became of one NewSource: its id and line, or why it was skipped."""

    source: NewSource
    id: str | None = None
    line: int = 0
    skipped: str | None = None  # in words: "already watched as bbc-1"


def add_source(path: Path, url: str, *, source_id: str | None = None,
               every: str | None = None) -> int:
    """Append a source and return its line; refuses anything the config would reject,
    a URL already watched (tracking parameters aside) and an id already taken."""
    outcome = add_sources(path, [NewSource(url, source_id, every=every)], strict=True)[0]
    return outcome.line


def add_sources(path: Path, new: list[NewSource], *, strict: bool = False) -> list[Added]:
    """Append each source not watched yet. ``strict`` (one ``add``): a duplicate or a
    taken id is a ConfigError; else (``import``) it is skipped and said so."""

    def change(config: Config | None, sources: CommentedSeq) -> list[Added]:
        watched = {page_key(s.url): s.id for s in config.sources} if config else {}
        taken = {str(e.get("id")) for e in sources if isinstance(e, dict)}
        outcomes = []
        for item in new:
            outcome = _plan(item, watched, taken, strict, path)
            if outcome.id is not None:
                watched[page_key(item.url)] = outcome.id
                taken.add(outcome.id)
                sources.append(_entry(outcome.id, item))
            outcomes.append(outcome)
        return outcomes

    outcomes, config = _rewrite(path, change)
    return [o if o.id is None else Added(o.source, o.id, config.source(o.id).line)
            for o in outcomes]


def _plan(item: NewSource, watched: dict[str, str], taken: set[str], strict: bool,
          path: Path) -> Added:
    def refuse(why: str) -> Added:
        if strict:
            raise ConfigError([Problem(path, 0, why)])
        return Added(item, skipped=why)

    if not valid_url(item.url):
        return refuse(f"{item.url!r} is not an http:// or https:// address")
    if page_key(item.url) in watched:
        return refuse(f"{item.url} is already watched as {watched[page_key(item.url)]}")
    if item.id and not valid_source_id(item.id):
        return refuse(f"id {item.id!r} must be letters, digits, '.', '_' or '-'")
    if item.id and item.discover and (problem := listing_id_problem(item.id)):
        return refuse(problem)
    # A listing's id leaves room for its articles' ids (<id>.<slug>-<hash>).
    limit = MAX_LISTING_ID if item.discover else MAX_ID
    source_id = item.id or _cut(slug_from_url(item.url), limit)

    def clash(candidate: str) -> bool:
        # A listing may not take an id whose '<id>.' namespace a source already uses.
        return candidate in taken or (bool(item.discover) and any(
            other.startswith(f"{candidate}.") for other in taken))

    if clash(source_id):
        if strict or item.id:
            return refuse(f"a source with id '{source_id}' already exists: choose another "
                          "with --id")
        source_id = next(numbered for n in range(2, len(taken) + 3)
                         if not clash(numbered := _cut(source_id, limit - len(f"-{n}"))
                                      + f"-{n}"))
    return Added(item, source_id)


def _cut(source_id: str, limit: int) -> str:
    """``source_id`` cut to ``limit`` characters, never ending in a separator."""
    return source_id[:limit].rstrip("-._") or "source"


def _entry(source_id: str, item: NewSource) -> CommentedMap:
    entry = CommentedMap(id=source_id, url=item.url)
    if item.discover:
        entry["discover"] = item.discover
    if not item.enabled:
        entry["enabled"] = False
    if item.name:
        entry["name"] = item.name
    if item.every:
        entry["interval"] = item.every
    if item.selector:
        entry["selector"] = item.selector
    for key in ("ignore", "tags", "channels"):
        values: tuple[str, ...] = getattr(item, key)
        if values:
            listed = CommentedSeq(values)
            listed.fa.set_flow_style()
            entry[key] = listed
    if item.notes:
        entry["notes"] = item.notes
    return entry


def remove_source(path: Path, source_id: str) -> None:
    """Take a source's entry out of the file (its history is the store's to keep)."""

    def change(config: Config | None, sources: CommentedSeq) -> None:
        del sources[_index(path, sources, source_id)]

    _rewrite(path, change)


def rename_source(path: Path, old: str, new: str) -> None:
    """Give a source a new id; refuses an id that is taken or not valid."""

    def change(config: Config | None, sources: CommentedSeq) -> None:
        if not valid_source_id(new):
            raise ConfigError([Problem(path, 0, f"id {new!r} must be letters, digits, '.', "
                                                "'_' or '-' (it names snapshots/<id>.md)")])
        if any(isinstance(e, dict) and e.get("id") == new for e in sources):
            raise ConfigError([Problem(path, 0, f"a source with id '{new}' already exists: "
                                                "choose another new id")])
        sources[_index(path, sources, old)]["id"] = new

    _rewrite(path, change)


def set_enabled(path: Path, source_id: str, enabled: bool) -> bool:
    """Pause (``enabled: false``) or resume (the key removed) a source; False when it
    already was so."""

    def change(config: Config | None, sources: CommentedSeq) -> bool:
        with _trailing_comments_kept(sources[_index(path, sources, source_id)]) as entry:
            return _set_enabled(entry)

    def _set_enabled(entry: CommentedMap) -> bool:
        if enabled:
            if entry.get("enabled", True) is not False:
                return False
            del entry["enabled"]
            return True
        if entry.get("enabled") is False:
            return False
        if "enabled" in entry:
            entry["enabled"] = False
        else:
            entry.insert(list(entry).index("url") + 1 if "url" in entry else len(entry),
                         "enabled", False)
        return True

    return _rewrite(path, change)[0]


def set_excluded(path: Path, listing_id: str, article_id: str, excluded: bool) -> bool:
    """Add a found article's id to its listing's ``exclude:`` list (pause, remove), or
    take it out (resume; the key goes with its last id); False when it already was so."""

    def change(config: Config | None, sources: CommentedSeq) -> bool:
        with _trailing_comments_kept(sources[_index(path, sources, listing_id)]) as entry:
            return _set_excluded(entry)

    def _set_excluded(entry: CommentedMap) -> bool:
        listed = entry.get("exclude")
        ids = [str(found) for found in listed] if listed else []
        if excluded:
            if article_id in ids:
                return False
            if listed is None:
                entry["exclude"] = CommentedSeq([article_id])
            else:
                listed.append(article_id)
            return True
        if article_id not in ids:
            return False
        if len(ids) == 1:
            del entry["exclude"]
        else:
            del listed[ids.index(article_id)]
        return True

    return _rewrite(path, change)[0]


@contextlib.contextmanager
def _trailing_comments_kept(entry: CommentedMap) -> Iterator[CommentedMap]:
    """Keep the comment lines that follow an entry after it while a key is added to
    its end, an item to its last list or its last key is deleted.

    The YAML parser hangs them on the entry's last value ("# --- ngos ---" under
    it): left there, they would end up above a key appended after it, or go with
    the key deleted.
    """
    before = _last_comment(entry)
    following = ""
    if before is not None and "\n" in before.value.rstrip("\n"):
        eol, following = before.value.split("\n", 1)
        before.value = eol + "\n"
    yield entry
    if not following:
        return
    after = _last_comment(entry, create=True)
    if after is not None:
        after.value = after.value.rstrip("\n") + "\n" + following


def _last_comment(node: Any, create: bool = False) -> CommentToken | None:
    """The comment after the last value in ``node`` (its end-of-line comment and the
    comment lines after it), found or made; None when there is no place for one."""
    while True:
        if isinstance(node, CommentedMap) and node:
            key: Any = list(node)[-1]
            slot = 2  # a mapping value's comment: [.., .., after the value, ..]
        elif isinstance(node, CommentedSeq) and node:
            key, slot = len(node) - 1, 0  # an item's: [after the item, before it]
        else:
            return None
        value = node[key]
        if (isinstance(value, (CommentedMap, CommentedSeq)) and value
                and not value.fa.flow_style()):
            node = value
            continue
        comments = node.ca.items.get(key)
        if comments is None:
            if not create:
                return None
            comments = node.ca.items[key] = [None, None, None, None]
        if comments[slot] is None and create:
            comments[slot] = CommentToken("\n", CommentMark(0), None)
        token = comments[slot]
        return token if isinstance(token, CommentToken) else None


def _index(path: Path, sources: CommentedSeq, source_id: str) -> int:
    ids = [e.get("id") if isinstance(e, dict) else None for e in sources]
    if source_id not in ids:
        known = [str(i) for i in ids if i is not None]
        raise ConfigError([Problem(path, 0, f"no source with id '{source_id}'"
                                            f"{suggest(source_id, known)}")])
    return ids.index(source_id)


def _rewrite(path: Path, change: Callable[[Config | None, CommentedSeq], T]) -> tuple[T, Config]:
    """Apply ``change`` to the ``sources:`` list under the lock; write only what loads."""
    with locked(path):
        config = config_module.load(path) if path.exists() else None  # never edit a broken file
        yaml = round_trip_yaml()
        original = path.read_bytes() if path.exists() else None
        mode = stat.S_IMODE(path.stat().st_mode) if original is not None else 0o644
        data: Any = yaml.load(original.decode("utf-8")) if original else None
        if data is None:
            data = CommentedMap()
        sources = data.get("sources")
        if sources is None:
            sources = data["sources"] = CommentedSeq()
        result = change(config, sources)
        if not sources:  # the comments of its items go with them; left, they break the file
            data["sources"] = CommentedSeq()
        text = io.StringIO()
        yaml.dump(data, text)
        atomic_write(path, text.getvalue().encode("utf-8"), mode)
        try:
            loaded = config_module.load(path, locate=True)
        except ConfigError:
            if original is None:
                path.unlink()
            else:
                atomic_write(path, original, mode)
            raise
    return result, loaded
