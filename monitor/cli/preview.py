"""``monitor preview URL``: what a check would store of a page, before it is watched.

Wrong scoping means silent misses (a check that keeps only the standfirst
never sees the paragraph that changes), so the page is fetched once and cut by
the very extraction a check uses, and the result is shown with a warning when
it looks like the wrong part of the page.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass

from lxml import html as lxml_html

from monitor.cli.common import EXIT_FAILURES, EXIT_OK, Command, load_config
from monitor.config.tracking import page_key
from monitor.core.document import Document, normalise
from monitor.core.model import Settings, Source
from monitor.core.safe_text import for_terminal
from monitor.extract.pdf import is_pdf
from monitor.fetch.client import Fetcher
from monitor.fetch.result import FetchResult
from monitor.pipeline.analyser import Analysis, analyse

SHORT_WORDS = 80  # fewer words than a short news item: most likely not the article
LINKED_SHARE = 0.5  # more of the words than this inside links: a list of links
SHOWN_CHARS = 400  # of the first and last paragraphs


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


def add_commands(command: Command) -> None:
    preview = command("preview", cmd_preview,
                      "fetch a page once and show what a check would store of it")
    preview.add_argument("url", metavar="URL")
    preview.add_argument("--selector", metavar="CSS",
                         help="take the article from the elements this selector matches")


def cmd_preview(args: argparse.Namespace) -> int:
    settings, source = settings_and_source(args, args.url)
    selector = args.selector or (source.selector if source else None)
    shown = show_preview(fetch_preview(args.url, settings, selector=selector, source=source))
    return EXIT_FAILURES if shown.failed else EXIT_OK


def settings_and_source(args: argparse.Namespace, url: str) -> tuple[Settings, Source | None]:
    """The config's settings (defaults without a config), and its source for ``url``."""
    if not args.config.exists():
        return Settings(), None
    config = load_config(args)
    watched = {page_key(source.url): source for source in config.sources}
    return config.settings, watched.get(page_key(url))


def fetch_preview(url: str, settings: Settings, *, selector: str | None = None,
                  source: Source | None = None) -> Preview:
    """Fetch ``url`` once (with a watched source's headers and rules) and extract it."""
    ignore = source.ignore if source else ()
    headers = source.request_headers() if source else {}

    async def fetch() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, headers=headers or None)

    result = asyncio.run(fetch())
    if result.error or result.status is None or not 200 <= result.status < 300:
        return Preview(url, result, None)
    analysis = analyse(result.body, result.final_url, None, selector, ignore,
                       settings.pdf_max_pages)
    return Preview(url, result, analysis, tuple(_warnings(analysis.document, result.body)),
                   selector)


def _warnings(document: Document, body: bytes) -> list[str]:
    """What suggests that extraction took the wrong part of the page."""
    if document.is_empty:
        return []
    warnings = []
    words = word_count(document)
    if words < SHORT_WORDS:
        warnings.append(f"only {words} words: is this the whole article? If not, give a "
                        "CSS --selector for the element that holds it")
    linked = linked_share(document, body)
    if linked > LINKED_SHARE:
        warnings.append(f"{linked:.0%} of the text is links: this looks like an index or a "
                        "list of articles, not one article (watch each article's own URL)")
    return warnings


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


def show_preview(preview: Preview) -> Preview:
    """Print a preview as a person reads it; warnings and failures go to stderr."""
    result = preview.result
    lines = [f"URL:         {preview.url}"]
    if result.final_url and result.final_url != preview.url:
        lines.append(f"Final URL:   {result.final_url}")
    failed = preview.failed
    if failed or preview.analysis is None:
        _print(lines)
        print(for_terminal(f"monitor preview: {failed}"), file=sys.stderr)
        return preview
    document = preview.analysis.document
    lines += [f"Title:       {document.title or '(none)'}"]
    if document.headline:
        lines.append(f"Headline:    {document.headline}")
    lines += [f"Byline:      {document.byline or document.author or '(none)'}",
              f"Date:        {document.date or '(none)'}"]
    if document.standfirst:
        lines.append(f"Standfirst:  {_cut(document.standfirst)}")
    lines += [f"Paragraphs:  {len(document.paragraphs)}, {word_count(document)} words",
              "", f"First:  {_cut(document.paragraphs[0])}"]
    if len(document.paragraphs) > 1:
        lines.append(f"Last:   {_cut(document.paragraphs[-1])}")
    _print(lines)
    for warning in preview.warnings:
        print(for_terminal(f"warning: {warning}"), file=sys.stderr)
    return preview


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS].rsplit(" ", 1)[0] + " …"


def _print(lines: list[str]) -> None:
    for line in lines:
        print(for_terminal(line))
