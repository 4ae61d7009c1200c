"""One page, one key: tracking parameters, fragments, host case and default ports aside."""

from __future__ import annotations

import pytest

from monitor.config.tracking import page_key

BASE = "https://news.example/2024/05/story?id=7"


@pytest.mark.parametrize("url", [
    BASE,
    BASE + "&utm_source=newsletter&utm_medium=email&utm_campaign=may",
    "https://NEWS.example/2024/05/story?fbclid=IwAR0&id=7",
    "https://news.example:443/2024/05/story?id=7&gclid=abc#comments",
    BASE + "&mc_cid=1&mc_eid=2&_ga=3&msclkid=4&igshid=5",
])
def test_the_same_page(url: str) -> None:
    assert page_key(url) == page_key(BASE)


@pytest.mark.parametrize("url", [
    "https://news.example/2024/05/story?id=8",
    "https://news.example/2024/05/Story?id=7",  # paths may tell pages apart by case
    "http://news.example/2024/05/story?id=7&page=2",
    "https://news.example:8443/2024/05/story?id=7",
])
def test_another_page(url: str) -> None:
    assert page_key(url) != page_key(BASE)


def test_a_url_that_cannot_be_split_is_its_own_key() -> None:
    assert page_key("https://news.example:99999/x") == "https://news.example:99999/x"
