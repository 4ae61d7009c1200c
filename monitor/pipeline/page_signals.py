"""A check's noindex and canonical: what the page says now, against its last check.

The page's own part (``<meta name="robots">``, ``<link rel=canonical>``) is read
by the extraction worker from the bytes it extracts; a check that got the same
bytes as last time reuses the stored part. The headers' part (``X-Robots-Tag``,
``Link: rel=canonical``) comes with every answer and is read here. The state
keeps both, as JSON in the source's ``signals`` column: the first check, and the
first after an upgrade, only records them (a baseline, no alert).

A 304 Not Modified says the body is the same, and may carry the headers (nginx
and Apache repeat what they add), or may not. So on a 304 a header that says
``noindex`` or names a canonical counts, and a header left out keeps what the
last full answer said: a way back is only ever read from a 200.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from monitor.discover.signals import (
    LINK_CANONICAL,
    PageSignals,
    SignalEvent,
    header_noindex,
    signal_events,
)
from monitor.discover.urls import canonical_url


@dataclass(frozen=True)
class Observed:
    """The signals as this check saw them, and what to keep for the next check."""

    stored: str  # the JSON for the signals column
    events: tuple[SignalEvent, ...]


def observe(previous: str | None, page: PageSignals | None, headers: Mapping[str, str],
            url: str, *, not_modified: bool = False) -> Observed | None:
    """The signals of one answered check; None when nothing can be said (no page part).

    ``not_modified``: a 304, whose headers may leave out what a 200 sends.
    """
    before = _load(previous)
    if not_modified and before is None:
        return None
    if page is None:
        if before is None:
            return None
        page = PageSignals("meta" if before.get("page_noindex") else None,
                           _text(before.get("page_canonical")))
    lower = {k.lower(): v for k, v in headers.items()}
    by_header = header_noindex(lower.get("x-robots-tag", ""))
    linked = LINK_CANONICAL.search(lower.get("link", ""))
    canonical = canonical_url(linked.group(1), url) if linked else page.canonical
    if not_modified and before is not None:
        by_header = by_header or before.get("noindex") == "header"
        canonical = canonical_url(linked.group(1), url) if linked \
            else _text(before.get("canonical"))
    now = PageSignals("header" if by_header else page.noindex, canonical)
    stored = json.dumps({"noindex": now.noindex, "canonical": now.canonical,
                         "page_noindex": page.noindex is not None,
                         "page_canonical": page.canonical}, separators=(",", ":"))
    last = None
    if before is not None:
        was = before.get("noindex")
        last = PageSignals("header" if was == "header" else "meta" if was else None,
                           _text(before.get("canonical")))
    return Observed(stored, signal_events(last, now, url))


def _load(text: str | None) -> dict[str, str | bool | None] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
