"""Documents and the snapshot file format: one paragraph a line, parsed back whole."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from monitor.core.document import Document, Snapshot, folded, normalise, text_sha256


def test_normalise_composes_and_collapses_whitespace_and_drops_what_no_one_sees() -> None:
    assert normalise("Cafe\u0301  au\u00a0lait\u200b\u00ad\n") == "Café au lait"
    # Presentation forms become the letters they show; punctuation stays as served.
    assert normalise("ﻣﺮﺣﺒﺎ，世界") == "مرحبا，世界"
    assert normalise(None) == ""


def test_folded_documents_compare_without_invisible_characters_or_compatibility_forms(
) -> None:
    served = Document(title="ﻣﺮﺣﺒﺎ", paragraphs=("Ca\u00adfé\u200b au  lait", "\u200b"))
    assert folded(served) == Document(title="مرحبا", paragraphs=("Café au lait",))
    assert served.modified == "" and replace(served, modified="2026-01-01") == served


def test_the_standfirst_is_a_header_line_that_parses_back() -> None:
    document = Document(title="T", standfirst="What it claims.", paragraphs=("Text.",))
    text = Snapshot(document, url="https://example.org/a").render()
    assert "\nStandfirst: What it claims.\n" in text
    assert Snapshot.parse(text).document == document
    assert "Standfirst: What it claims." in document.lines()


def test_snapshot_renders_one_paragraph_per_line_and_parses_back() -> None:
    document = Document(title="Title", author="A. Writer", date="2020-02-17",
                        paragraphs=("First paragraph.", "Second paragraph."))
    snapshot = Snapshot(document, url="https://example.org/a", status="removed (gone-404)")
    text = snapshot.render()
    assert text == ("# Title\n\nURL: https://example.org/a\nAuthor: A. Writer\n"
                    "Date: 2020-02-17\nStatus: removed (gone-404)\n\n"
                    "First paragraph.\nSecond paragraph.\n")
    assert Snapshot.parse(text) == snapshot


def test_snapshot_without_author_or_date_parses_back() -> None:
    snapshot = Snapshot(Document(title="T", paragraphs=("p",)), url="https://e.org/")
    assert Snapshot.parse(snapshot.render()) == snapshot


def test_the_visible_headline_and_byline_are_header_lines_of_their_own() -> None:
    document = Document(title="Talks resume", author="Ana Ruiz", paragraphs=("p",),
                        headline="Talks resume in Geneva", byline="Ana Ruiz")
    text = Snapshot(document, url="https://e.org/").render()
    assert text == ("# Talks resume\n\nURL: https://e.org/\nHeadline: Talks resume in Geneva\n"
                    "Author: Ana Ruiz\nByline: Ana Ruiz\n\np\n")
    assert Snapshot.parse(text).document == document


def test_a_document_without_them_hashes_as_it_always_did() -> None:
    """A release before them stored these lines, so unchanged pages stay unchanged."""
    document = Document(title="T", author="A", date="2020-01-01", paragraphs=("p",))
    assert document.lines() == ["# T", "Author: A", "Date: 2020-01-01", "", "p"]
    assert text_sha256(document) == hashlib.sha256(
        b"# T\nAuthor: A\nDate: 2020-01-01\n\np").hexdigest()
