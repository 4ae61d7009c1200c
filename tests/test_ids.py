"""The one source id rule (config refusals: tests/test_loader.py)."""

from __future__ import annotations

from monitor.core.ids import valid_source_id


def test_an_id_is_matched_whole() -> None:
    assert valid_source_id("bbc-raab.uighurs_2")
    assert not valid_source_id("evil\n") and not valid_source_id("a/b")
    assert not valid_source_id("x" * 101) and not valid_source_id(123)
