"""Documents and the snapshot file format: one paragraph a line, parsed back whole."""

from __future__ import annotations

from monitor.core.document import Document, Snapshot, normalise


def test_normalise_folds_unicode_forms_and_whitespace() -> None:
    assert normalise("Cafe\u0301  au\u00a0lait\u200b\n") == "Café au lait"
    assert normalise(None) == ""


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
