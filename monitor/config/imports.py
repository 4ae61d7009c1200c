"""Watch lists from elsewhere, read into sources: ``monitor import FILE``.

Four formats, told apart by their content unless one is named:

- ``plain``: one URL a line (text after it on the line is its name; ``#`` lines
  and blank lines are passed over);
- ``urlwatch``: urlwatch's ``urls.yaml``, one YAML document per job; a url job
  keeps its ``name``, while ``command:`` (a shell command) and ``navigate:`` (a
  browser script) jobs have no page to watch and are listed as skipped;
- ``changedetection``: a changedetection.io backup's ``url-watches.json``; a
  watch's title becomes its name, and a paused watch stays paused;
- ``opml``: a feed reader's subscription list; each ``<outline xmlUrl=...>``
  (in folders too) becomes a ``discover: feed`` listing named after its
  ``title`` (or ``text``), so the articles each feed names are watched; an
  outline with no ``xmlUrl`` (a link, not a feed) is listed as skipped. It is
  read as plain XML: no DTD, entities or network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from monitor.config.edit import NewSource
from monitor.config.yaml_limits import alias_bomb, too_deep

FORMATS = ("plain", "urlwatch", "changedetection", "opml")
URLWATCH_KEYS = ("url", "command", "navigate")


class ImportRefused(Exception):
    """A file that cannot be imported; the text says why and what to do instead."""


@dataclass(frozen=True)
class Skipped:
    what: str  # the entry, as the file names it
    why: str


@dataclass(frozen=True)
class WatchList:
    """What a file asks to watch, and the entries that cannot be."""

    format: str
    sources: tuple[NewSource, ...]
    skipped: tuple[Skipped, ...] = ()


def read_watch_list(path: Path, format: str | None = None) -> WatchList:
    """Read ``path`` in ``format`` (detected from its content when None)."""
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise ImportRefused(f"{path} is a zip archive: unzip the changedetection.io backup "
                            "and import its url-watches.json")
    text = data.decode("utf-8-sig", errors="replace")
    format = format or detect(text)
    if format == "opml":
        return _opml(data)
    reader = {"plain": _plain, "urlwatch": _urlwatch, "changedetection": _changedetection}
    return reader[format](text)


def detect(text: str) -> str:
    head = text.lstrip()[:2000].lower()
    if head.startswith("<") and "<opml" in head:
        return "opml"
    if head.startswith("{"):
        return "changedetection"
    documents = _yaml_documents(text, quiet=True)
    if documents and all(isinstance(d, dict) and any(k in d for k in URLWATCH_KEYS)
                         for d in documents if d is not None):
        return "urlwatch"
    return "plain"


def _plain(text: str) -> WatchList:
    sources, skipped = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        url, _, name = line.partition(" ")
        if url.lower().startswith(("http://", "https://")):
            sources.append(NewSource(url, name=name.strip() or None))
        else:
            skipped.append(Skipped(line[:120], "not an http:// or https:// address"))
    return WatchList("plain", tuple(sources), tuple(skipped))


def _urlwatch(text: str) -> WatchList:
    sources, skipped = [], []
    for job in _yaml_documents(text):
        if job is None:
            continue
        if not isinstance(job, dict):
            skipped.append(Skipped(str(job)[:120], "not a urlwatch job (a mapping)"))
            continue
        name = _text(job.get("name"))
        what = name or str(job.get("url") or job.get("command") or job.get("navigate"))[:120]
        if "command" in job:
            skipped.append(Skipped(what, "a command job: it runs a program, there is no "
                                         "page to watch"))
        elif "navigate" in job:
            skipped.append(Skipped(what, "a navigate job: it needs a browser script"))
        elif not isinstance(job.get("url"), str):
            skipped.append(Skipped(what, "no url"))
        elif job.get("method", "GET").upper() != "GET" or job.get("data") is not None:
            skipped.append(Skipped(what, "it sends a form (method/data): monitor only reads "
                                         "pages"))
        else:
            sources.append(NewSource(job["url"].strip(), name=name))
    return WatchList("urlwatch", tuple(sources), tuple(skipped))


def _changedetection(text: str) -> WatchList:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"not valid JSON (line {exc.lineno}): {exc.msg}; give the "
                            "url-watches.json of a changedetection.io backup") from None
    watches = data.get("watching") if isinstance(data, dict) else None
    if not isinstance(watches, dict):
        raise ImportRefused("no 'watching' in this JSON: give the url-watches.json of a "
                            "changedetection.io backup")
    sources, skipped = [], []
    for uuid, watch in watches.items():
        url = watch.get("url") if isinstance(watch, dict) else None
        if not isinstance(url, str):
            skipped.append(Skipped(str(uuid), "no url"))
            continue
        if url.startswith("source:"):
            url = url.removeprefix("source:")  # "view source" watches: the page itself
        sources.append(NewSource(url.strip(), name=_text(watch.get("title")),
                                 enabled=not watch.get("paused", False)))
    return WatchList("changedetection", tuple(sources), tuple(skipped))


def _opml(data: bytes) -> WatchList:
    # No DTD, no entities, no network: an OPML file from elsewhere is only read.
    if b"<!entity" in data.lower():
        raise ImportRefused("the file declares XML entities (<!ENTITY>), which OPML never "
                            "needs: export the subscriptions again from the feed reader")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImportRefused(f"not valid OPML (line {exc.lineno}): {exc.msg}; give the "
                            "subscriptions file as the feed reader exported it") from None
    if etree.QName(root).localname.lower() != "opml":
        raise ImportRefused(f"not OPML: the document is <{etree.QName(root).localname}>, "
                            "not <opml>; name the format with --format")
    sources, skipped = [], []
    for outline in root.iter("{*}outline"):
        name = _text(outline.get("title")) or _text(outline.get("text"))
        url = _text(outline.get("xmlUrl"))
        if url is not None:
            sources.append(NewSource(url, name=name, discover="feed"))
        elif not len(outline):  # a folder of feeds is no entry: its feeds are
            what = name or _text(outline.get("htmlUrl") or outline.get("url")) or "(outline)"
            skipped.append(Skipped(what[:120], "no xmlUrl: a link, not a feed"))
    return WatchList("opml", tuple(sources), tuple(skipped))


def _yaml_documents(text: str, *, quiet: bool = False) -> list[Any]:
    hostile = too_deep(text) or alias_bomb(text)
    if hostile:
        if quiet:
            return []
        raise ImportRefused(f"line {hostile[0]}: {hostile[1]}")
    try:
        return list(YAML(typ="safe", pure=True).load_all(text))
    except YAMLError as exc:
        if quiet:
            return []
        raise ImportRefused(f"not valid YAML: {exc}".splitlines()[0]) from None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
