"""pipeline/page_signals.py: noindex and canonical, from the page and its headers."""

from __future__ import annotations

from monitor.discover.signals import PageSignals, SignalEvent
from monitor.pipeline.page_signals import observe

URL = "https://ngo.example/statements/2026/ban.html"
ELSEWHERE = "https://ngo.example/statements/2020/older.html"
PLAIN = PageSignals(None, URL)


Answer = tuple[PageSignals | None, dict[str, str], bool]


def events(*answers: Answer) -> list[tuple[SignalEvent, ...]]:
    """The events of each answer in turn: (page part, headers, a 304?)."""
    stored: str | None = None
    said = []
    for page, headers, not_modified in answers:
        seen = observe(stored, page, headers, URL, not_modified=not_modified)
        if seen is None:
            said.append(())
            continue
        stored = seen.stored
        said.append(seen.events)
    return said


def test_the_first_check_is_a_baseline_even_when_noindexed() -> None:
    assert events((PageSignals("meta", ELSEWHERE), {}, False)) == [()]


def test_meta_noindex_alerts_once_and_once_on_the_way_back() -> None:
    said = events((PLAIN, {}, False), (PageSignals("meta", URL), {}, False),
                  (PageSignals("meta", URL), {}, False), (PLAIN, {}, False))
    assert said == [(), (SignalEvent("noindexed", noindex_source="meta"),), (),
                    (SignalEvent("noindexed", "reverted", noindex_source="meta"),)]


def test_a_header_noindex_is_read_from_the_answer() -> None:
    said = events((PLAIN, {}, False), (PLAIN, {"X-Robots-Tag": "noindex, nofollow"}, False))
    assert said[1] == (SignalEvent("noindexed", noindex_source="header"),)


def test_a_link_header_canonical_elsewhere_is_a_canonical_change() -> None:
    said = events((PLAIN, {}, False), (PLAIN, {"Link": f'<{ELSEWHERE}>; rel="canonical"'}, False))
    assert said[1] == (SignalEvent("canonical-changed", from_url=URL, to_url=ELSEWHERE),)


def test_a_304_counts_what_its_headers_add_and_never_reads_a_way_back_from_silence() -> None:
    said = events((PLAIN, {}, False),
                  (None, {"X-Robots-Tag": "noindex"}, True),  # nginx repeats add_header
                  (None, {}, True),  # a server that does not: still noindexed
                  (PLAIN, {}, False))  # a full answer without it: the way back
    assert said == [(), (SignalEvent("noindexed", noindex_source="header"),), (),
                    (SignalEvent("noindexed", "reverted", noindex_source="header"),)]


def test_a_304_before_any_full_answer_says_nothing() -> None:
    assert observe(None, None, {"X-Robots-Tag": "noindex"}, URL, not_modified=True) is None


def test_without_the_page_part_the_stored_one_stands_in() -> None:
    said = events((PageSignals("meta", URL), {}, False), (None, {}, False))
    assert said == [(), ()]
