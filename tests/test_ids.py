"""The one source id rule (config refusals: tests/test_loader.py)."""

from __future__ import annotations

from monitor.core.ids import listing_namespace_clash, valid_source_id


def test_an_id_is_matched_whole() -> None:
    assert valid_source_id("bbc-raab.uighurs_2")
    assert not valid_source_id("evil\n") and not valid_source_id("a/b")
    assert not valid_source_id("evil\nsnapshots/other") and not valid_source_id("\nevil")
    assert not valid_source_id("x" * 101) and not valid_source_id(123)
    assert valid_source_id("x" * 100)
    assert not valid_source_id(".hidden") and not valid_source_id("-flag")
    assert not valid_source_id("caf\u00e9") and not valid_source_id("a b")


def test_a_configured_id_may_not_take_a_listings_namespace() -> None:
    listings = ["mfa-press", "hrw"]
    assert listing_namespace_clash("mfa-press.statement-1a2b3c", listings) == "mfa-press"
    assert listing_namespace_clash("hrw.anything", listings) == "hrw"
    # The listing itself, and ids that merely share a prefix, are fine.
    assert listing_namespace_clash("mfa-press", listings) is None
    assert listing_namespace_clash("mfa-pressroom.x", listings) is None
    assert listing_namespace_clash("hrw-china", listings) is None
