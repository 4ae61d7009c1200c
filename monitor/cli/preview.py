"""``monitor preview URL``: what a check would store of a page, before it is watched.

Wrong scoping means silent misses (a check that keeps only the standfirst
never sees the paragraph that changes), so the page is fetched once and cut by
the very extraction a check uses (``monitor.pipeline.preview``, which the web
view's ``/preview`` shares), and the result is shown with a warning when it
looks like the wrong part of the page.
"""

from __future__ import annotations

import argparse
import sys

from monitor.cli.common import EXIT_FAILURES, EXIT_OK, Command, load_config
from monitor.config.tracking import page_key
from monitor.core.model import Settings, Source
from monitor.core.safe_text import for_terminal
from monitor.pipeline.preview import Preview, fetch_preview, linked_share, word_count

__all__ = ["Preview", "add_commands", "cmd_preview", "fetch_preview", "linked_share",
           "settings_and_source", "show_preview", "word_count"]

SHOWN_CHARS = 400  # of the first and last paragraphs


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
