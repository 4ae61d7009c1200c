"""Diffs as whole words: what changed, named so that an editor sees it (pure functions)."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import replace

import pytest

from monitor.cli.demo_site import Article
from monitor.core.diff import diff_documents, diff_units, pair_paragraphs, same_wording
from monitor.core.document import Document


def document(article: Article) -> Document:
    return Document(title=article.title, author=article.author, date=article.date,
                    paragraphs=article.paragraphs)


def test_changed_figure_is_reported_as_whole_words(letter: Article) -> None:
    diff = diff_documents(document(letter), document(letter.edited("80,000", "8,000")))
    assert diff.removed == ["80,000"]
    assert diff.added == ["8,000"]
    assert "-factories which are part" in diff.unified
    assert "+factories which are part" in diff.unified


def test_softened_quote_names_the_replaced_words(report: Article) -> None:
    edited = report.edited("gross and egregious", "serious")
    diff = diff_documents(document(report), document(edited))
    # the phrase is in the article twice: once quoted, once in a later sentence
    assert diff.removed == ["gross and egregious", "gross and egregious"]
    assert diff.added == ["serious", "serious"]


def test_deleted_paragraph_is_one_removed_fragment(report: Article) -> None:
    index = next(i for i, p in enumerate(report.paragraphs) if "100,000 signatures" in p)
    diff = diff_documents(document(report), document(report.without_paragraph(index)))
    assert diff.added == []
    assert diff.removed == [report.paragraphs[index]]


def test_added_paragraph_is_one_added_fragment(report: Article) -> None:
    new = "Correction: an earlier version of this article misstated the petition's total."
    edited = Document(title=report.title, author=report.author, date=report.date,
                      paragraphs=(*report.paragraphs, new))
    diff = diff_documents(document(report), edited)
    assert diff.added == [new]
    assert diff.removed == []


def test_changed_headline_and_byline_are_in_the_diff(report: Article) -> None:
    before = document(report)
    after = Document(title="UK condemns China over Uighurs", author="Staff reporter",
                     date=report.date, paragraphs=report.paragraphs)
    diff = diff_documents(before, after)
    assert {"condemns", "over", "Staff reporter"} <= set(diff.added)
    assert "accuses" in diff.removed
    assert "BBC News" in diff.removed


def test_number_at_the_end_of_a_sentence_loses_only_the_number() -> None:
    before = Document(paragraphs=("The camps held 80,000 people.",))
    after = Document(paragraphs=("The camps held 8,000 people.",))
    assert diff_documents(before, after).removed == ["80,000"]
    after = Document(paragraphs=("The camps held 80,000.",))
    assert diff_documents(before, after).removed == ["people"]


def test_a_date_that_only_ticks_forward_is_the_page_clock() -> None:
    old = Document(title="T", date="2026-11-24", paragraphs=("Text.",))
    assert same_wording(old, old)
    assert same_wording(old, Document(title="T", date="2026-11-25", paragraphs=("Text.",)))
    assert same_wording(Document(title="T", paragraphs=("Text.",)),
                        Document(title="T", date="2026-11-25", paragraphs=("Text.",)))
    # Backdated, or dated with an edit: that counts.
    assert not same_wording(old, Document(title="T", date="2019-01-01", paragraphs=("Text.",)))
    assert not same_wording(old, Document(title="T", date="2026-11-25", paragraphs=("Txt.",)))


def heavy_edit(letter: Article) -> tuple[Document, Document]:
    """Every paragraph edited at once, and a long paragraph added: one replaced run."""
    edited = tuple(re.sub(r"\bthe\b", "THE", p) for p in letter.paragraphs)
    inserted = " ".join(["An entirely new paragraph of added words."] * 150)
    return document(letter), Document(title=letter.title, author=letter.author,
                                      date=letter.date,
                                      paragraphs=(*edited[:3], inserted, *edited[3:]))


def test_the_same_two_versions_give_the_same_diff_whatever_the_clock_says(
        letter: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    before, after = heavy_edit(letter)
    calm = diff_documents(before, after)
    # A machine so loaded that every clock read is an hour later than the last one.
    hours = itertools.count()
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start + 3600 * next(hours))
    assert diff_documents(before, after) == calm
    # every edited paragraph is diffed against its old self: one THE per the
    assert calm.added.count("THE") == sum(len(re.findall(r"\bthe\b", p))
                                          for p in letter.paragraphs)
    assert set(calm.removed) == {"the"}


def test_a_rewrite_is_one_replacement_per_paragraph_not_a_word_salad() -> None:
    old = " ".join(f"w{i}" for i in range(3000))
    new = " ".join(f"v{i}" for i in range(3000))
    diff = diff_documents(Document(paragraphs=(old,)), Document(paragraphs=(new,)))
    assert diff.removed == [old] and diff.added == [new]


def test_a_long_paragraph_with_one_edit_past_the_size_limit_still_names_the_word() -> None:
    words = [f"w{i}" for i in range(5000)]
    edited = [*words[:2500], "CHANGED", *words[2501:]]
    diff = diff_documents(Document(paragraphs=(" ".join(words),)),
                          Document(paragraphs=(" ".join(edited),)))
    assert diff.removed == ["w2500"] and diff.added == ["CHANGED"]


def test_more_distinct_words_than_characters_exist_is_still_a_diff(monkeypatch) -> None:
    import monitor.core.diff

    monkeypatch.setattr(monitor.core.diff, "MAX_DISTINCT_UNITS", 50)  # 1,000,000 in truth
    old = " ".join(f"w{i}" for i in range(100))
    new = old.replace("w50 ", "CHANGED ")
    diff = diff_documents(Document(paragraphs=(old,)), Document(paragraphs=(new,)))
    assert diff.removed == ["w50"] and diff.added == ["CHANGED"]


def test_paragraphs_of_a_replaced_run_are_paired_with_their_old_selves() -> None:
    old = ["The camps held 80,000 people.", "Xylophone quiz: 12345!",
           "Officials denied the report."]
    new = ["The camps held 8,000 people.", "Officials strongly denied the report.",
           "Zz 999 kk."]
    assert pair_paragraphs(old, new) == [
        (old[0], new[0]), (old[1], None), (old[2], new[1]), (None, new[2])]


def test_unit_diff_keeps_equal_runs() -> None:
    ops = diff_units(["a", "b", "c"], ["a", "x", "c"])
    assert ops == [(0, ["a"]), (-1, ["b"]), (1, ["x"]), (0, ["c"])]


def test_a_visible_byline_or_headline_edit_is_a_change_the_metadata_did_not_make() -> None:
    from monitor.core.diff import Span

    before = Document(title="Talks resume", author="Ana Ruiz", byline="Ana Ruiz",
                      paragraphs=("Text.",))
    # The page's byline now names another writer; its JSON-LD still says Ana Ruiz.
    after = replace(before, byline="Li Wei")
    assert not same_wording(before, after)
    diff = diff_documents(before, after)
    assert (diff.removed, diff.added) == (["Ana Ruiz"], ["Li Wei"])
    assert diff.spans == (Span("byline", "Ana Ruiz", "Li Wei"),)
    # Both changed alike: one change, said once.
    both = diff_documents(before, replace(after, author="Li Wei"))
    assert (both.removed, both.added) == (["Ana Ruiz"], ["Li Wei"])
    # The heading readers see, where it differs from the stated title.
    retitled = diff_documents(before, replace(before, headline="Talks collapse"))
    assert (retitled.removed, retitled.added) == (["resume"], ["collapse"])
    assert "+Headline: Talks collapse" in retitled.unified


def test_spans_name_each_changed_field_and_paragraph(letter: Article) -> None:
    from monitor.core.diff import Span

    old = document(letter)
    paragraphs = list(old.paragraphs)
    figure = next(i for i, p in enumerate(paragraphs) if "80,000" in p)
    paragraphs[figure] = paragraphs[figure].replace("80,000", "8,000")
    dropped = paragraphs.pop(figure + 1)
    paragraphs.insert(0, "An editor's note was added here.")
    new = Document(title=old.title + " today", author="", date=old.date,
                   paragraphs=tuple(paragraphs))
    spans = diff_documents(old, new).spans
    assert Span("title", None, "today") in spans
    assert Span("byline", old.author, None) in spans
    assert Span("body", None, "An editor's note was added here.", 0, whole=True) in spans
    assert Span("body", "80,000", "8,000", figure + 1) in spans  # its place in the new text
    assert Span("body", dropped, None, figure + 1, whole=True) in spans  # in the old text
    assert len(spans) == 5
    assert diff_documents(old, new).spans == spans  # the same versions, the same spans
