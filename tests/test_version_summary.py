"""One line per version: what changed, in the words of the alerts' classification."""

from __future__ import annotations

from monitor.core.document import Document, Snapshot
from monitor.core.version_summary import version_summary

TEXT = ("Estimates say 80,000 were held.", "The ministry denied it.")


def snap(*paragraphs: str, title: str = "Camps", url: str = "https://x/a") -> Snapshot:
    return Snapshot(Document(title=title, paragraphs=paragraphs or TEXT), url)


def test_a_figure_reads_before_and_after() -> None:
    new = snap("Estimates say 8,000 were held.", TEXT[1])
    assert version_summary("changed", "", snap(), new) == "changed: 80,000 → 8,000"


def test_words_are_quoted_and_several_changes_counted() -> None:
    new = snap("Estimates say 8,000 were held.", "The ministry strongly denied it.",
               "A third paragraph.", "And a fourth one.", title="Camps closed")
    line = version_summary("changed", "", snap(), new)
    assert line.startswith("changed: headline: added closed; 80,000 → 8,000; added strongly")
    assert line.endswith("(and 2 more)")
    long = snap(*TEXT, "A paragraph with many more words than one summary line has room for.")
    assert version_summary("changed", "", snap(), long) == \
        "changed: a paragraph added: “A paragraph with many more words than o…”"


def test_other_events_say_what_they_are() -> None:
    assert version_summary("baseline", "", None, snap()) == "baseline: the first version kept"
    assert version_summary("removed", "gone-404", snap(), snap()) == \
        "removed: the page now answers 404 Not Found"
    assert version_summary("moved", "", snap(), snap(url="https://x/b")) == \
        "moved: https://x/a → https://x/b"
    assert version_summary("restored", "", snap(), snap()) == \
        "restored: back with the text it had"
    assert version_summary("rescoped", "selector", snap(), snap()) == "rescoped (selector)"
