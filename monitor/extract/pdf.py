"""PDF documents (reports, statements) as articles: text by page and paragraph.

A PDF is watched like a page: the same snapshot, the same events. Each page
starts with a line ``[page N]``, so that a changed figure says which page it
is on. The text comes from pypdf (BSD-licensed); the title from the
document's info, or else its first line.

A PDF is a container of compressed streams, so it can be a bomb: every stream
is capped where pypdf inflates it (``STREAM_CAP``), pages beyond
``pdf_max_pages`` are not read, and a document whose text passes
``MAX_TEXT`` is refused like an HTML page with too many elements.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO

from pypdf import PdfReader, apply_configuration
from pypdf.errors import PyPdfError

from monitor.core.document import Document, normalise

PDF_MAGIC = b"%PDF-"
DEFAULT_MAX_PAGES = 500
STREAM_CAP = 20_000_000  # bytes one stream may inflate to
MAX_TEXT = 5_000_000  # characters of text in one document
HEADING_SHARE = 0.5  # a line alone, this much shorter than the page's longest, is a heading
SENTENCE_END = re.compile(r"[.!?:;。！？»”\"')\]]$")
# pypdf's own limits, each at most STREAM_CAP: what one stream may declare and inflate to.
LIMITS = {name: STREAM_CAP for name in (
    "maximum_declared_stream_length", "array_based_stream_maximum_output_length",
    "jbig2_maximum_output_length", "lzw_maximum_output_length",
    "run_length_maximum_output_length", "zlib_maximum_output_length",
    "brotli_maximum_output_length")}
logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken PDF is one error, not a log


class BadPdf(Exception):
    """A PDF that cannot be read, or is too big to be a document: that source's error."""


def is_pdf(body: bytes) -> bool:
    return body.lstrip()[:5] == PDF_MAGIC


def extract_pdf(body: bytes, max_pages: int = DEFAULT_MAX_PAGES) -> Document:
    """The document's title and its text, a ``[page N]`` line before each page."""
    with apply_configuration(None, **LIMITS):
        return _extract(body, max_pages)


def _extract(body: bytes, max_pages: int) -> Document:
    try:
        reader = PdfReader(BytesIO(body))
        if reader.is_encrypted:
            reader.decrypt("")  # most "encrypted" reports only forbid printing
        paragraphs: list[str] = []
        size = 0
        for number, page in enumerate(reader.pages, start=1):
            if number > max_pages:
                break
            text = page.extract_text() or ""
            size += len(text)
            if size > MAX_TEXT:
                raise BadPdf(f"the PDF holds more than {MAX_TEXT:,} characters of text by "
                             f"page {number}: not extracted")
            paragraphs.append(f"[page {number}]")
            paragraphs += page_paragraphs(text)
        info = reader.metadata
        stated = normalise(str(info.title)) if info is not None and info.title else ""
    except BadPdf:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError, MemoryError) as exc:
        raise BadPdf(f"the PDF cannot be read: {type(exc).__name__}: {str(exc)[:200]}") \
            from None
    written = [p for p in paragraphs if not p.startswith("[page ")]
    if not written:
        return Document(title=stated)  # a scan without a text layer: nothing to compare
    title = stated or written[0][:300]
    return Document(title=title, paragraphs=tuple(paragraphs))


def page_paragraphs(text: str) -> list[str]:
    """One page's lines as paragraphs: a blank line ends one, and so does a line that
    ends a sentence, or a short line alone (a heading), before one that starts
    anew; a hyphen at a line's end joins the word."""
    paragraphs: list[str] = []
    current = ""
    lines = [line.strip() for line in text.splitlines()]
    width = max((len(line) for line in lines), default=0)  # of the page's longest line
    for index, line in enumerate(lines):
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current.endswith("-") and current[-2:-1].isalpha():
            current = current[:-1] + line
        else:
            current = f"{current} {line}" if current else line
        following = lines[index + 1] if index + 1 < len(lines) else ""
        starts_anew = not following or not following[0].islower()
        heading = len(line) < HEADING_SHARE * width and current == line
        if starts_anew and (SENTENCE_END.search(line) or heading):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return [normalise(p) for p in paragraphs if normalise(p)]
