"""monitor/evidence/diff_page.py: the change as a page a person reads."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.evidence.diff_page import diff_html


@dataclass(frozen=True)
class Version:
    revision: str
    event: str
    detected_at: str
    text: str


def test_changed_words_are_struck_and_marked_whole() -> None:
    before = Version("a" * 40, "baseline", "2026-11-24T09:30:00Z", "# T\n\n80,000 were held.")
    after = Version("b" * 40, "changed", "2026-11-25T10:00:00Z", "# T\n\n8,000 were held.")
    page = diff_html("T", "https://example.org/a", before, after)
    assert '<del dir="auto">80,000</del><ins dir="auto">8,000</ins>' in page
    assert "were held." in page


def test_right_to_left_text_takes_its_own_direction_and_is_escaped() -> None:
    after = Version("b" * 40, "baseline", "2026-11-25T10:00:00Z",
                    "# <script>\n\nقال المتحدث إن ٨٠٠٠ شخص")
    page = diff_html("<script>", "https://example.org/a", None, after)
    assert '<p dir="auto">قال المتحدث إن ٨٠٠٠ شخص</p>' in page
    assert "<script>" not in page
    assert "<h1 dir=\"auto\">&lt;script&gt;</h1>" in page
