"""What a fetch and an extraction say about a page: an Observation.

A page can be the article, unchanged, gone (a 404, a soft 404, a redirect to the
home page), a wall in front of the article, a collapsed remnant, or an error.
Pure: the fetch is read through the few fields it needs (``Fetched``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from monitor.core.diff import Diff
from monitor.core.document import Document, Snapshot
from monitor.core.not_found import body_size, says_not_found, title_says_not_found


class Fetched(Protocol):
    """What classifying needs of a fetch (``monitor.fetch.FetchResult`` has it all)."""

    @property
    def ok(self) -> bool: ...
    @property
    def error(self) -> str | None: ...
    @property
    def status(self) -> int | None: ...
    @property
    def final_url(self) -> str: ...
    @property
    def redirects(self) -> tuple[str, ...]: ...
    @property
    def headers(self) -> Mapping[str, str]: ...


TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml",
              "text/xml", "application/pdf", "application/x-pdf")


def is_text(result: Fetched) -> bool:
    content_type = result.headers.get("content-type", "text/html").split(";")[0].strip()
    return not content_type or content_type.lower() in TEXT_TYPES


GONE_STATUSES = {404: "gone-404", 410: "gone-410", 451: "gone-451"}
GONE_WORDS = {"gone-404": "HTTP 404", "gone-410": "HTTP 410", "gone-451": "HTTP 451",
              "soft-404": "the page says it is not found",
              "redirect-home": "it redirects to the site's home or a section page",
              "": "gone"}
BLOCKED_STATUSES = {401, 403, 429}  # the site refuses us: a failure, never a removal
WALL = re.compile(
    r"captcha|are\s+you\s+a\s+(robot|human)|verify\s+(that\s+)?you\s+are\s+(a\s+)?human"
    r"|unusual\s+traffic|enable\s+javascript|checking\s+your\s+browser|access\s+denied"
    r"|\bcookies?\b|\bconsent\b|subscribe\s+to\s+(continue|read)", re.IGNORECASE)
COLLAPSE_RATIO = 5  # a body under a fifth of the stored one has collapsed
COLLAPSE_MIN = 400  # characters: shorter stored bodies are too small to judge
SHORT_PAGE = 400  # characters: a wall's wording only counts on a page this thin


def collapsed(old: Document, new: Document) -> bool:
    """Whether the new text is a small remnant of the old: a bad extraction or a wall."""
    before = body_size(old)
    return before >= COLLAPSE_MIN and body_size(new) * COLLAPSE_RATIO < before


def is_wall(document: Document) -> bool:
    """A thin page that is a captcha, consent or paywall in front of the article."""
    if body_size(document) > SHORT_PAGE:
        return False
    return bool(WALL.search(" ".join([document.title, *document.paragraphs])))


@dataclass(frozen=True)
class Observation:
    """What one check saw, after fetch and extraction."""

    kind: str  # document | unchanged | collapsed | gone | error
    reason: str | None = None  # gone-404, redirect-home, soft-404, or the error in words
    document: Document | None = None
    diff: Diff | None = None  # against the stored snapshot, when the wording differs
    moved_to: str | None = None  # a redirect to another article: the URL now tracked


def _segments(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return host, [p for p in parts.path.split("/") if p]


def redirect_home(original: str, final: str) -> bool:
    """Whether a redirect took an article to the site root or a section index above it."""
    _, before = _segments(original)
    _, after = _segments(final)
    return len(after) < len(before) and before[: len(after)] == after


def redirect_keeps_article(original: str, final: str) -> bool:
    """http→https, www, a trailing slash, a query, or the same path with a slug added."""
    host_a, before = _segments(original)
    host_b, after = _segments(final)
    if host_a != host_b:
        return False
    if before == after:
        return True
    if len(before) != len(after) or not before or before[:-1] != after[:-1]:
        return False
    short, long = sorted((before[-1], after[-1]), key=len)
    return long.startswith(short) and long[len(short)] in "-_."


def classify(result: Fetched, fetched: str) -> Observation | None:
    """What a fetch says before any extraction; None when the page needs extracting."""
    if not result.ok:
        return Observation("error", reason=result.error)
    status = result.status or 0
    if status in GONE_STATUSES:
        return Observation("gone", reason=GONE_STATUSES[status])
    if status in BLOCKED_STATUSES:
        return Observation("error", reason=f"blocked: HTTP {status} (not a removal)")
    if not (200 <= status < 300 or status == 304):
        return Observation("error", reason=f"HTTP {status}")
    if result.redirects and redirect_home(fetched, result.final_url):
        return Observation("gone", reason="redirect-home")
    if status == 304:
        return Observation("unchanged")
    if not is_text(result):
        content_type = result.headers.get("content-type", "").split(";")[0]
        return Observation("error", reason=f"unsupported content type {content_type}")
    return None


def judge(document: Document, diff: Diff | None, page_title: str,
          stored: Snapshot | None) -> Observation:
    """What an extracted page is: the article, a soft 404, a wall, or a collapsed text."""
    if document.is_empty:
        if title_says_not_found(page_title):
            return Observation("gone", reason="soft-404")
        return Observation("error", reason="no article text found in the page")
    if says_not_found(document, page_title, stored.document if stored else None):
        return Observation("gone", reason="soft-404")
    thin = stored is None or collapsed(stored.document, document)
    if thin and is_wall(document):
        return Observation("error", reason="blocked: a captcha, consent or paywall page")
    if stored is not None and thin:
        return Observation("collapsed", reason="collapsed", document=document,
                           diff=diff)
    return Observation("document", document=document, diff=diff)
