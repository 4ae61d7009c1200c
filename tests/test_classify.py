"""Classifying what a page shows: thin pages, not-found wording, walls."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor.core.classify import collapsed, is_text, is_wall
from monitor.core.document import Document
from monitor.core.not_found import says_not_found
from monitor.fetch.result import FetchResult


def test_thin_pages_saying_not_found_or_showing_a_wall() -> None:
    long = Document(title="Report", paragraphs=("word " * 200,))
    stub = Document(title="Oops", paragraphs=("Sorry, this page could not be found.",))
    wall = Document(title="Before you continue", paragraphs=("Accept all cookies?",))
    assert collapsed(long, stub) and not collapsed(stub, long)
    assert says_not_found(stub) and not says_not_found(long)
    assert says_not_found(Document(paragraphs=("x",)), page_title="404 Not Found")
    assert is_wall(wall) and not is_wall(stub) and not is_wall(long)


@pytest.mark.parametrize(("content_type", "text"), [
    ("text/html; charset=utf-8", True),
    ("TEXT/HTML", True),
    ("application/xhtml+xml", True),
    ("text/plain", True),
    ("application/xml", True),
    (None, True),  # no header: treated as HTML
    ("application/pdf", True),  # read by monitor.extract.pdf
    ("application/zip", False),
    ("image/png", False),
    ("application/octet-stream", False),
    ("application/json", False),
])
def test_is_text(content_type: str | None, text: bool) -> None:
    base = FetchResult(url="http://127.0.0.1/x", final_url="http://127.0.0.1/x", status=200)
    headers = {} if content_type is None else {"content-type": content_type}
    assert is_text(replace(base, headers=headers)) is text
