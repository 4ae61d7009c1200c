"""The last text seen, for a removal alert: title, lede and first paragraphs, bounded."""

from __future__ import annotations

from monitor.core.document import Document
from monitor.core.excerpt import excerpt


def test_title_lede_and_the_first_paragraphs() -> None:
    document = Document(title="Camps counted", headline="", standfirst="A lede.",
                        paragraphs=("One.", "Two.", "Three."))
    assert excerpt(document) == "Camps counted\n\nA lede.\n\nOne.\n\nTwo.\n\nThree."
    assert excerpt(document, paragraphs=1) == "Camps counted\n\nA lede.\n\nOne.\n\n…"


def test_the_visible_headline_and_clean_text() -> None:
    document = Document(title="Stated title", headline="Shown  headline",
                        paragraphs=("Text with a\x07 bell\nand a break.",))
    assert excerpt(document) == "Shown headline\n\nText with a bell and a break."


def test_a_long_paragraph_is_cut_at_a_word() -> None:
    long = " ".join(["word"] * 400)
    text = excerpt(Document(title="T", paragraphs=(long, "Never shown.")), limit=200)
    assert len(text) <= 200 and text.endswith("word…") and "Never" not in text
    assert excerpt(Document()) == ""
