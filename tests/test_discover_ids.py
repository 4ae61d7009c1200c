"""Found articles' ids (monitor/discover/ids.py): ``<listing>.<slug>-<hash6>``, within the rule.

Named test_discover_ids.py because tests/test_ids.py is the core id rule's.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.core.ids import (
    MAX_LISTING_ID,
    listing_id_problem,
    listing_namespace_clash,
    valid_source_id,
)
from monitor.discover.ids import article_id, slug
from monitor.discover.urls import canonical_url

URL = "https://www.mfa.example.gov/en/press/2026/11/25/statement-on-xinjiang.html"


def test_the_id_is_the_listing_a_slug_and_six_hex_of_the_urls_sha256() -> None:
    digest = hashlib.sha256(URL.encode()).hexdigest()[:6]
    assert article_id("mfa-press", URL) == f"mfa-press.statement-on-xinjiang-{digest}"
    assert listing_namespace_clash(article_id("mfa-press", URL), ["mfa-press"]) == "mfa-press"


def test_the_same_article_gets_the_same_id_however_it_is_linked() -> None:
    linked = canonical_url(URL + "?utm_source=rss#comments")
    assert linked is not None and article_id("mfa", linked) == article_id("mfa", URL)
    assert article_id("mfa", URL) != article_id("mfa", URL.replace("2026/11/25", "2026/11/26"))


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org/fr/d%C3%A9claration-du-porte-parole.html", "declaration-du-porte-parole"),
    ("https://example.org/news/2026/11/25/index.html", "25"),
    ("https://example.org/news/world-asia-china-67000000", "world-asia-china-67000000"),
    ("https://example.org/article.php?id=5", "page"),
    ("https://example.org/", "page"),
    ("https://example.org/%E6%96%B0%E9%97%BB/%E5%A3%B0%E6%98%8E", "page"),  # all Chinese
    ("https://example.org/News/UK_Accuses_China/", "uk-accuses-china"),
])
def test_the_slug_is_readable_ascii_from_the_path(url: str, expected: str) -> None:
    assert slug(url) == expected


def test_a_long_slug_is_cut_at_a_word_to_fit_a_hundred() -> None:
    long = "https://example.org/news/" + "-".join(["uyghur", "camps"] * 30)
    found = article_id("a-fairly-long-listing-id-for-the-ministry", long)
    assert len(found) <= 100 and valid_source_id(found)
    assert found.split(".", 1)[1].rsplit("-", 1)[0].endswith(("uyghur", "camps"))


def test_a_listing_id_must_leave_room_for_its_articles() -> None:
    assert listing_id_problem("x" * MAX_LISTING_ID) is None
    problem = listing_id_problem("x" * (MAX_LISTING_ID + 1))
    assert problem and "shorten it" in problem
    assert len(article_id("x" * MAX_LISTING_ID, URL)) == 100
    with pytest.raises(ValueError, match="at most"):
        article_id("x" * (MAX_LISTING_ID + 1), URL)
    with pytest.raises(ValueError, match="not a valid source id"):
        article_id("bad id", URL)


@given(listing=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,90}", fullmatch=True),
       path=st.text(max_size=300))
def test_every_id_fits_the_rule_whatever_the_url(listing: str, path: str) -> None:
    url = canonical_url("https://example.org/" + path.replace("\n", "").replace("\r", ""))
    if url is None:
        return
    found = article_id(listing, url)
    assert valid_source_id(found) and len(found) <= 100
    assert found.startswith(listing + ".") and found == article_id(listing, url)
