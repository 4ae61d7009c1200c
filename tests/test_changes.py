"""Change classes: each changed span as a field and a kind an editor uses."""

from __future__ import annotations

from dataclasses import replace

from monitor.core.alert import make_alert
from monitor.core.changes import Change, has_figure, is_correction_note, is_silent, summary
from monitor.core.diff import diff_documents
from monitor.core.document import Document
from monitor.core.model import Source
from monitor.core.schedule import Schedule

BEFORE = Document(
    title="Talks resume", author="Ana Ruiz", date="2026-03-02",
    standfirst="Negotiators meet again after a week of clashes.",
    paragraphs=("About 80,000 people fled, officials said.",
                "The minister said “we will not resign” on Monday.",
                "Eighty homes burned.", "Other text here that stays."))


def kinds(before: Document, after: Document) -> list[tuple[str, str]]:
    return [(c.field, c.kind) for c in diff_documents(before, after).changes]


def test_a_changed_number_in_any_form_is_a_figure() -> None:
    after = replace(BEFORE, paragraphs=(
        "About 8,000 people fled, officials said.", *BEFORE.paragraphs[1:2],
        "Eight homes burned.", BEFORE.paragraphs[3]))
    changes = diff_documents(BEFORE, after).changes
    assert [(c.kind, c.before, c.after, c.paragraph) for c in changes] == [
        ("figure", "80,000", "8,000", 0), ("figure", "Eighty", "Eight", 2)]
    assert summary(changes) == ["Figure changed: 80,000 → 8,000", "Figure changed: Eighty → Eight"]
    # A date is a figure: the publication date, or a month in the text.
    assert kinds(BEFORE, replace(BEFORE, date="2026-03-01")) == [("published", "figure")]
    assert has_figure("12 per cent") and has_figure("in March") and not has_figure("may say")


def test_words_inside_quotation_marks_are_a_quote_in_any_style() -> None:
    for opening, closing in (("“", "”"), ('"', '"'), ("«", "»"), ("„", "“"), ("「", "」")):
        text = f"The minister said {opening}we will not resign{closing} on Monday."
        before = Document(title="t", paragraphs=(text,))
        after = Document(title="t", paragraphs=(text.replace("will not", "may"),))
        [change] = diff_documents(before, after).changes
        assert (change.kind, change.before, change.after) == ("quote", "will not", "may"), opening
    # Outside the marks, the same edit is wording; a figure in a quote is a figure.
    plain = Document(title="t", paragraphs=("He said we will not resign.",))
    assert kinds(plain, replace(plain, paragraphs=("He said we may resign.",))) == [
        ("body", "wording")]
    # Real pages mix their marks: “…" and "…”.
    mixed = Document(title="t", paragraphs=('“Sales fell on the timing of benefits," he said.',))
    assert kinds(mixed, replace(mixed, paragraphs=(
        '“Sales fell on the never of benefits," he said.',))) == [("body", "quote")]
    quoted = Document(title="t", paragraphs=("“We counted 80 dead,” she said.",))
    assert kinds(quoted, replace(quoted, paragraphs=("“We counted 8 dead,” she said.",))) == [
        ("body", "figure")]


def test_the_headline_standfirst_and_byline_are_fields_of_their_own() -> None:
    after = replace(BEFORE, title="Talks collapse", author="Li Wei",
                    standfirst="Negotiators leave after a week of clashes.")
    assert kinds(BEFORE, after) == [("title", "wording"), ("standfirst", "wording"),
                                    ("byline", "wording")]
    assert summary(diff_documents(BEFORE, after).changes)[0] == \
        "Headline changed: resume → collapse"
    # A byline line that extraction took into the text is still the byline.
    shown = replace(BEFORE, paragraphs=("Ana Ruiz", *BEFORE.paragraphs))
    assert {field for field, _ in kinds(shown, replace(shown, author="Li Wei", paragraphs=(
        "Li Wei", *BEFORE.paragraphs)))} == {"byline"}
    # A byline where there was none is added; one that went is removed.
    assert kinds(replace(BEFORE, author=""), BEFORE) == [("byline", "added")]
    assert kinds(BEFORE, replace(BEFORE, author="")) == [("byline", "removed")]


def test_paragraphs_added_or_removed_and_correction_notes() -> None:
    note = "Correction: an earlier version of this article misstated the number who fled."
    after = replace(BEFORE, paragraphs=(*BEFORE.paragraphs[:3], "A new closing paragraph.",
                                        note))
    assert kinds(BEFORE, after) == [("body", "removed-paragraph"), ("body", "added-paragraph"),
                                    ("correction", "added-paragraph")]
    assert "Correction note added" in summary(diff_documents(BEFORE, after).changes)
    for text in ("Update: this story now includes the ministry's reply.",
                 "An earlier version of this story gave the wrong date.",
                 "Rectificatif : une version précédente de cet article indiquait 80 000.",
                 "Korrektur: In einer früheren Version hieß es 80.000.",
                 "تصحيح: ذكرت نسخة سابقة من هذا المقال رقما خاطئا.", "更正：本文早前版本有误。"):
        assert is_correction_note(text), text
    assert not is_correction_note("Updated 3 March 2026") and not is_correction_note(
        "Officials corrected the figure later.")


def test_an_edit_is_silent_without_a_note_or_a_moved_modified_date() -> None:
    source = Source(id="s", url="https://example.org/a", schedule=Schedule(every=3600))
    after = replace(BEFORE, paragraphs=("About 8,000 people fled, officials said.",
                                        *BEFORE.paragraphs[1:]))
    diff = diff_documents(BEFORE, after)

    def alert(modified: tuple[str | None, str]) -> dict[str, object]:
        return make_alert("changed", alert_id="a", source=source, title="t",
                          detected_at="2026-03-02T10:00:00Z", revision="r", diff=diff,
                          modified=modified, previous_detected_at="2026-03-01T10:00:00Z"
                          ).to_json()

    quiet = alert(("2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z"))
    assert quiet["silent"] is True and quiet["modified_moved"] is False
    assert quiet["changes"] == [{"field": "body", "kind": "figure", "before": "80,000",
                                 "after": "8,000", "paragraph": 0}]
    assert quiet["previous_detected_at"] == "2026-03-01T10:00:00Z"
    announced = alert(("2026-03-01T09:00:00Z", "2026-03-02T09:30:00Z"))
    assert announced["silent"] is False and announced["modified_moved"] is True
    assert announced["changes"][-1] == {"field": "modified", "kind": "figure",
                                        "before": "2026-03-01T09:00:00Z",
                                        "after": "2026-03-02T09:30:00Z"}
    unknown = alert((None, "2026-03-02T09:30:00Z"))  # a project from before modified dates
    assert "silent" not in unknown and "modified_moved" not in unknown
    noted = [Change("correction", "added-paragraph", None, "Correction: ...")]
    assert is_silent(noted, False) is False and is_silent([], False) is True
