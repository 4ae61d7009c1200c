"""Delisted, not scrolled off: the window rule per listing kind, and its confirmation."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from monitor.discover import ListedItem
from monitor.discover.delisting import (
    FEED,
    LINKS,
    NEWS_SITEMAP,
    SITEMAP,
    Delisting,
    Watch,
    confirm,
    delisting,
)
from monitor.discover.links import article_links
from testing.listings import BASE_TIME, SITE, articles, section_page

NOW = BASE_TIME + timedelta(hours=1)


def page_items(count: int, start: int = 0, drop: int | None = None) -> list[ListedItem]:
    listed = [a for n, a in enumerate(articles(count, start), start) if n != drop]
    return list(article_links(section_page(listed), SITE + "/en/press/"))


def undated(found: list[ListedItem]) -> list[ListedItem]:
    return [replace(i, published=None) for i in found]


def test_one_new_article_pushes_the_oldest_off_a_ten_item_page_no_delisting() -> None:
    before, after = page_items(10), page_items(10, start=-1)
    found = delisting(before, after, LINKS, NOW)
    assert found == Delisting(scrolled_off=(articles(1, start=9)[0].url(),))
    # Without dates, the tail the new arrival pushed out tells the same.
    assert delisting(undated(before), undated(after), LINKS, NOW) == found


def test_one_taken_from_the_middle_is_a_candidate_even_as_a_new_one_arrives() -> None:
    before = page_items(10)
    after = page_items(11, start=-1, drop=4)[:10]  # new at the top, 4 gone, 9 still listed
    found = delisting(before, after, LINKS, NOW)
    assert found.candidates == (articles(1, start=4)[0].url(),) and found.scrolled_off == ()
    assert delisting(undated(before), undated(after), LINKS, NOW).candidates == \
        found.candidates


def test_the_last_one_gone_from_a_list_that_shrank_is_a_candidate_without_dates() -> None:
    before = undated(page_items(10))
    found = delisting(before, before[:9], FEED, NOW)
    assert found.candidates == (before[9].url,)


def test_a_plain_sitemap_names_everything_so_every_drop_is_a_candidate() -> None:
    before = page_items(10)
    found = delisting(before, page_items(10, start=-1), SITEMAP, NOW)
    assert found.candidates == (articles(1, start=9)[0].url(),)


def test_a_news_sitemap_lets_articles_older_than_two_days_go() -> None:
    before = page_items(3)  # published today, yesterday, the day before
    later = BASE_TIME + timedelta(days=1)
    # The oldest is now three days old: scrolled off, though nothing newer arrived.
    assert delisting(before, before[:2], NEWS_SITEMAP, later) == \
        Delisting(scrolled_off=(before[2].url,))
    # Yesterday's, gone from the middle, is a candidate.
    assert delisting(before, [before[0], before[2]], NEWS_SITEMAP, later).candidates == \
        (before[1].url,)


def test_most_of_a_listing_vanishing_at_once_delists_nothing_and_says_why() -> None:
    before = page_items(10)
    for after in ([], before[:3], page_items(10, start=100)[:2]):
        found = delisting(before, after, LINKS, NOW)
        assert found.candidates == () and found.suspect and "check the listing" in found.suspect
    # A plain sitemap too: a redesign is no mass removal.
    assert delisting(before, [], SITEMAP, NOW).suspect


def test_nothing_missing_is_nothing_to_say() -> None:
    before = page_items(10)
    assert delisting(before, list(reversed(before)), LINKS, NOW) == Delisting()


def test_a_candidate_is_delisted_after_confirm_removal_misses_while_its_page_resolves() -> None:
    watch = Watch()
    watch, outcome = confirm(watch, listed=False, page_resolves=True, confirm_removal=2)
    assert (watch, outcome) == (Watch(1), None)
    watch, outcome = confirm(watch, listed=False, page_resolves=True, confirm_removal=2)
    assert (watch, outcome) == (Watch(2, delisted=True), "delisted")
    # Once only: later misses alert nothing.
    watch, outcome = confirm(watch, listed=False, page_resolves=True, confirm_removal=2)
    assert watch.delisted and outcome is None
    # Back in the listing: once, on the way back.
    assert confirm(watch, listed=True, page_resolves=True, confirm_removal=2) == \
        (Watch(), "reverted")


def test_a_relisting_before_confirmation_starts_the_count_again() -> None:
    watch, _ = confirm(Watch(), listed=False, page_resolves=True, confirm_removal=2)
    watch, outcome = confirm(watch, listed=True, page_resolves=True, confirm_removal=2)
    assert (watch, outcome) == (Watch(), None)
    assert confirm(watch, listed=False, page_resolves=True, confirm_removal=2) == \
        (Watch(1), None)


def test_a_page_that_is_gone_is_its_own_removal_not_a_delisting() -> None:
    watch, _ = confirm(Watch(), listed=False, page_resolves=True, confirm_removal=2)
    assert confirm(watch, listed=False, page_resolves=False, confirm_removal=2) == \
        (Watch(), "page-gone")


def test_a_page_not_checked_yet_counts_the_miss_but_waits_to_decide() -> None:
    watch, outcome = confirm(Watch(), listed=False, page_resolves=None, confirm_removal=1)
    assert (watch, outcome) == (Watch(1), None)
    assert confirm(watch, listed=False, page_resolves=True, confirm_removal=1) == \
        (Watch(2, delisted=True), "delisted")
