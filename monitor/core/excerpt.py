"""The last text seen of a page, short enough for an alert: its ``excerpt``.

A removal alert is often all a reader gets before the page is gone for good,
so it carries what the page said: the title, the standfirst (lede) and the
first paragraphs, cut at a paragraph or a word so it reads as a quote.
Pure: from a Document.
"""

from __future__ import annotations

from monitor.core.document import Document
from monitor.core.safe_text import strip_controls

MAX_PARAGRAPHS = 3  # after the title and the standfirst
MAX_CHARS = 1200


def excerpt(document: Document, *, paragraphs: int = MAX_PARAGRAPHS,
            limit: int = MAX_CHARS) -> str:
    """Title, lede and the first paragraphs, a blank line apart, within ``limit`` characters.

    A paragraph that does not fit whole is cut at a word and ends with "…"; the
    ones after it are left out. "" for an empty document.
    """
    parts = [document.shown_headline, document.standfirst, *document.paragraphs[:paragraphs]]
    kept: list[str] = []
    cut = len(document.paragraphs) > paragraphs
    for part in (" ".join(strip_controls(p).split()) for p in parts):
        if not part:
            continue
        room = limit - len("\n\n".join(kept)) - (2 if kept else 0)
        if len(part) > room:
            if room > 40:
                kept.append(_cut(part, room))
            cut = True
            break
        kept.append(part)
    if kept and cut and not kept[-1].endswith("…"):
        kept.append("…")
    return "\n\n".join(kept)


def _cut(text: str, room: int) -> str:
    """``text`` cut at the last word that fits in ``room`` characters, with "…"."""
    head = text[:room - 1]
    if " " in head[room // 2:]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:") + "…"
