"""The readable diff: only changed fields and paragraphs, marked on whole words."""

from __future__ import annotations

from monitor.core.document import Document, Snapshot
from monitor.core.readable_diff import (
    Side,
    changed_blocks,
    marked,
    paragraph_pairs,
    render,
    what_changed,
)

PARAGRAPHS = ("Intro stays.", "Estimates say 80,000 were held.", "The end stays.")
OLD = Snapshot(Document(title="Camps", author="A. Writer", paragraphs=PARAGRAPHS), "https://x/a")
SIDES = (Side("a" * 40, "2026-11-25T10:00:00Z", "baseline"),
         Side("b" * 40, "2026-11-26T09:30:00Z", "changed", "reverts_to"))


def edited(*paragraphs: str, **fields: str) -> Snapshot:
    document = Document(title=fields.get("title", "Camps"), author="A. Writer",
                        paragraphs=paragraphs or PARAGRAPHS)
    return Snapshot(document, "https://x/a", status=fields.get("status", ""))


def test_only_the_changed_paragraph_with_whole_words_marked() -> None:
    new = edited("Intro stays.", "Estimates say 8,000 were held.", "The end stays.")
    [block] = changed_blocks(OLD, new)
    assert block.label == "Paragraph 2"
    out = render("camps", *SIDES, [block])
    assert "Estimates say [-80,000-]{+8,000+} were held." in out
    assert "Intro stays." not in out and "The end stays." not in out
    assert out.splitlines()[:3] == [
        "camps: 1 paragraph changed",
        "  from  aaaaaaaaaa  2026-11-25 10:00 UTC  baseline",
        "  to    bbbbbbbbbb  2026-11-26 09:30 UTC  changed (reverts_to)"]


def test_fields_and_added_or_removed_paragraphs_are_named() -> None:
    new = edited("Intro stays.", "The end stays.", "A new paragraph.", title="Camps closed",
                 status="removed (gone-404)")
    blocks = changed_blocks(OLD, new)
    assert [b.label for b in blocks] == ["Title", "Status", "Paragraph 2 (removed)",
                                         "Paragraph 3 (added)"]
    assert what_changed(blocks) == "the title, the status and 2 paragraphs changed"
    out = render("camps", *SIDES, blocks)
    assert "Title: Camps {+closed+}" in out
    assert "[-Estimates say 80,000 were held.-]" in out and "{+A new paragraph.+}" in out


def test_lines_show_the_old_and_new_paragraph_without_marks() -> None:
    new = edited("Intro stays.", "Estimates say 8,000 were held.", "The end stays.")
    out = render("camps", *SIDES, changed_blocks(OLD, new), lines=True)
    assert "\nParagraph 2\n- Estimates say 80,000 were held.\n" \
           "+ Estimates say 8,000 were held.\n" in out
    assert "[-" not in out


def test_an_invisible_character_alone_is_no_change() -> None:
    new = edited("Intro\u200b stays.", *PARAGRAPHS[1:])
    assert changed_blocks(OLD, new) == []
    assert render("camps", *SIDES, []) == ""


def test_colour_is_added_after_page_text_is_made_safe() -> None:
    segments = ((0, "say \x1b[2J"), (-1, "80,000"), (1, "8,000\u202e"), (0, " were"))
    assert marked(segments) == "say [2J[-80,000-]{+8,000\\u202e+} were"
    coloured = marked(segments, color=True)
    assert coloured.count("\x1b") == 4  # two colours and two resets, none from the page
    assert "\x1b[31m[-80,000-]\x1b[0m" in coloured


def test_paragraph_numbers_count_from_one_in_the_new_version() -> None:
    pairs = paragraph_pairs(["a b c", "d e f"], ["new one", "a b c", "d e g"])
    assert pairs == [(None, "new one", 1), ("d e f", "d e g", 3)]
