"""Classifying what a page shows: thin pages, not-found wording, walls."""

from __future__ import annotations

from monitor.core.classify import collapsed, is_wall, says_not_found
from monitor.core.document import Document


def test_thin_pages_saying_not_found_or_showing_a_wall() -> None:
    long = Document(title="Report", paragraphs=("word " * 200,))
    stub = Document(title="Oops", paragraphs=("Sorry, this page could not be found.",))
    wall = Document(title="Before you continue", paragraphs=("Accept all cookies?",))
    assert collapsed(long, stub) and not collapsed(stub, long)
    assert says_not_found(stub) and not says_not_found(long)
    assert says_not_found(Document(paragraphs=("x",)), page_title="404 Not Found")
    assert is_wall(wall) and not is_wall(stub) and not is_wall(long)
