"""Folding and word tokens in any script: what never alerts, and whole words in diffs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monitor.core import words
from monitor.core.diff import diff_documents, same_wording
from monitor.core.document import Document

ARABIC = "قال المسؤولون إن ٨٠٬٠٠٠ شخص فروا من المدينة"
UYGHUR = "ئۈرۈمچى شەھىرىدە ١٢ كىشى قولغا ئېلىندى"
CHINESE = "国务院总理今天在北京会见了美国国务卿。"


@pytest.fixture
def script_runs() -> Iterator[None]:
    """The fallback that is used without PyICU, whatever this machine has."""
    chosen = words.SEGMENTER
    words.use_segmenter("script-runs")
    yield
    words.use_segmenter(chosen)


def test_invisible_characters_and_compatibility_forms_fold_away() -> None:
    churned = ("قال\u200c المسؤو\u0640\u0640لون\u200f إن ٨٠٬٠٠٠ شخص\u00ad فروا"
               "\u2066 من\u2069 المدينة")
    assert words.fold(churned) == words.fold(ARABIC)
    # Arabic presentation forms (as old PDFs and some CMSs emit them) are the letters.
    assert words.fold("ﻣﺮﺣﺒﺎ") == "مرحبا"
    assert words.fold("ＡＢＣ\u00a0 1") == "ABC 1"
    # Digits are never folded into each other: another digit system is another text.
    assert words.fold("٨٠") != words.fold("80")


def test_invisible_churn_is_the_same_wording() -> None:
    before = Document(title="عنوان", paragraphs=(ARABIC, CHINESE))
    after = Document(title="عن\u200bوان", paragraphs=(
        ARABIC.replace(" ", " \u200f", 3), "国务院\u200b总理今天在北京会见了美国国务卿。"))
    assert same_wording(before, after)


def test_an_eastern_arabic_figure_changed_is_a_figure() -> None:
    before = Document(title="t", paragraphs=(ARABIC,))
    after = Document(title="t", paragraphs=(ARABIC.replace("٨٠٬٠٠٠", "٨٬٠٠٠"),))
    [change] = diff_documents(before, after).changes
    assert (change.kind, change.before, change.after) == ("figure", "٨٠٬٠٠٠", "٨٬٠٠٠")
    persian = Document(title="t", paragraphs=("۱۲۰ نفر کشته شدند",))
    [change] = diff_documents(persian, Document(title="t", paragraphs=(
        "۱۲ نفر کشته شدند",))).changes
    assert change.kind == "figure" and change.before == "۱۲۰"


def test_arabic_and_uyghur_diffs_name_whole_words_with_their_marks() -> None:
    assert words.tokens("مُحَمَّد قال")[0] == "مُحَمَّد"
    before = Document(title="t", paragraphs=(UYGHUR,))
    after = Document(title="t", paragraphs=(UYGHUR.replace("قولغا", "تۇتۇپ"),))
    diff = diff_documents(before, after)
    assert (diff.removed, diff.added) == (["قولغا"], ["تۇتۇپ"])


@pytest.mark.skipif(words._ICU is None, reason="PyICU is not installed (monitor[icu])")
def test_chinese_and_japanese_diffs_name_whole_words_with_icu() -> None:
    assert words.SEGMENTER == "icu"
    diff = diff_documents(Document(title="t", paragraphs=(CHINESE,)),
                          Document(title="t", paragraphs=(CHINESE.replace("北京", "上海"),)))
    assert (diff.removed, diff.added) == (["北京"], ["上海"])
    japanese = "東京都は今日、新しい計画を発表しました"
    diff = diff_documents(Document(title="t", paragraphs=(japanese,)),
                          Document(title="t", paragraphs=(japanese.replace("計画", "予算"),)))
    assert (diff.removed, diff.added) == (["計画"], ["予算"])


def test_without_icu_unspaced_text_splits_at_script_changes_never_into_characters(
        script_runs: None) -> None:
    assert words.SEGMENTER == "script-runs"
    assert words.tokens("東京都は今日") == ["東京都", "は", "今日"]
    japanese = "東京都は新しい計画を発表した"
    diff = diff_documents(Document(title="t", paragraphs=(japanese,)),
                          Document(title="t", paragraphs=(japanese.replace("計画", "予算"),)))
    # A phrase, not a single character: the run of kanji the edit is in.
    assert diff.removed == ["計画"] and diff.added == ["予算"]


def test_choosing_icu_without_it_installed_says_how_to_get_it(monkeypatch:
                                                                pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(words, "_ICU", None)
    with pytest.raises(RuntimeError, match=r"monitor\[icu\]"):
        words.use_segmenter("icu")
