"""What a check would store of a page, before it is watched: one fetch, cut by the
very extraction a check uses, with warnings when it looks like the wrong part.

Wrong scoping means silent misses (a check that keeps only the standfirst
never sees the paragraph that changes). ``monitor preview`` prints a Preview;
the web view's ``/preview`` shows one (``preview_page`` in its event loop).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from lxml import html as lxml_html

from monitor.core.document import Document, normalise
from monitor.core.model import Settings, Source
from monitor.extract.pdf import is_pdf
from monitor.fetch.client import Fetcher
from monitor.fetch.result import FetchResult
from monitor.pipeline.analyser import Analysis, analyse

SHORT_WORDS = 80  # fewer words than a short news item: most likely not the article
LINKED_SHARE = 0.5  # more of the words than this inside links: a list of links


@dataclass(frozen=True)
class Preview:
    """One fetch of a page, cut as a check would cut it."""

    url: str
    result: FetchResult
    analysis: Analysis | None  # None: the fetch brought no page to extract
    warnings: tuple[str, ...] = ()
    selector: str | None = None

    @property
    def failed(self) -> str | None:
        """Why there is nothing to store, in words; None when there is an article."""
        if self.result.error:
            return f"could not fetch it: {self.result.error}"
        if self.result.status is None or not 200 <= self.result.status < 300:
            return f"the page answers HTTP {self.result.status}"
        if self.analysis is None or self.analysis.error:
            return self.analysis.error if self.analysis else "nothing to extract"
        if self.analysis.document.is_empty and self.selector:
            return (f"nothing found at the selector {self.selector!r}: check it against the "
                    "page's HTML")
        if self.analysis.document.is_empty:
            return "no article text found: give a CSS --selector for the part that is it"
        return None


async def preview_page(url: str, settings: Settings, *, selector: str | None = None,
                       source: Source | None = None) -> Preview:
    """Fetch ``url`` once (with a watched source's headers and rules) and extract it;
    the extraction runs in a thread, so the caller's event loop keeps serving."""
    ignore = source.ignore if source else ()
    headers = source.request_headers() if source else {}
    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(url, headers=headers or None)
    if result.error or result.status is None or not 200 <= result.status < 300:
        return Preview(url, result, None)
    analysis = await asyncio.to_thread(analyse, result.body, result.final_url, None, selector,
                                       ignore, settings.pdf_max_pages)
    return Preview(url, result, analysis, tuple(warnings(analysis.document, result.body)),
                   selector)


def fetch_preview(url: str, settings: Settings, *, selector: str | None = None,
                  source: Source | None = None) -> Preview:
    """``preview_page`` for a caller without an event loop (the command line)."""
    return asyncio.run(preview_page(url, settings, selector=selector, source=source))


def warnings(document: Document, body: bytes) -> list[str]:
    """What suggests that extraction took the wrong part of the page."""
    if document.is_empty:
        return []
    found = []
    words = word_count(document)
    if words < SHORT_WORDS:
        found.append(f"only {words} words: is this the whole article? If not, give a "
                     "CSS --selector for the element that holds it")
    linked = linked_share(document, body)
    if linked > LINKED_SHARE:
        found.append(f"{linked:.0%} of the text is links: this looks like an index or a "
                     "list of articles, not one article (watch each article's own URL)")
    return found


def word_count(document: Document) -> int:
    return sum(len(paragraph.split()) for paragraph in document.paragraphs)


def linked_share(document: Document, body: bytes) -> float:
    """The share of the extracted words that are the text of a link on the page."""
    if is_pdf(body) or not body.strip():
        return 0.0
    try:
        tree = lxml_html.fromstring(body)
    except (ValueError, lxml_html.etree.ParserError):
        return 0.0
    anchors = {normalise(a.text_content()) for a in tree.iter("a")}
    anchors = {text for text in anchors if len(text.split()) > 1}  # "here" proves nothing
    linked = 0
    for paragraph in document.paragraphs:
        text = normalise(paragraph)
        inside = sum(len(anchor.split()) for anchor in anchors if anchor in text)
        linked += min(inside, len(text.split()))
    return linked / (word_count(document) or 1)
