"""A listing's snapshot text and the rule for new articles: baseline, max_new, held back."""

from __future__ import annotations

from datetime import timedelta

from monitor.discover import ListedItem
from monitor.discover.feed import parse_feed
from monitor.discover.links import article_links
from monitor.discover.listing import (
    dedupe,
    new_articles,
    newest_first,
    parse_snapshot,
    snapshot_text,
)
from testing.listings import BASE_TIME, SITE, articles, rss, section_page


def items(count: int, start: int = 0) -> list[ListedItem]:
    return [ListedItem(a.url(), a.title, a.published) for a in articles(count, start)]


def test_the_snapshot_is_one_canonical_url_a_line_sorted_and_each_once() -> None:
    page = section_page(articles(10))
    found = article_links(page, SITE + "/en/press/")
    text = snapshot_text(i.url for i in found)
    lines = text.splitlines()
    assert lines == sorted(a.url() for a in articles(10)) and text.endswith("\n")
    # The feed names the same articles (with utm_* on each): the same snapshot.
    assert snapshot_text(i.url for i in parse_feed(rss(articles(10)))) == text
    assert parse_snapshot(text) == tuple(lines)
    assert parse_snapshot(text + "\n  \n" + lines[0] + "\n") == tuple(lines)
    assert snapshot_text([]) == "" and parse_snapshot("") == ()


def test_one_url_listed_twice_is_one_item_in_its_first_place_with_the_fullest_facts() -> None:
    url = SITE + "/en/press/x-story"
    found = dedupe([ListedItem(url), ListedItem(SITE + "/other-story", "Other"),
                    ListedItem(url, "X story", BASE_TIME)])
    assert found == (ListedItem(url, "X story", BASE_TIME), ListedItem(SITE + "/other-story",
                                                                       "Other"))


def test_newest_first_by_date_and_undated_items_after_in_listing_order() -> None:
    old, new = items(2, start=5)[1], items(1)[0]
    undated = [ListedItem(SITE + "/a-first"), ListedItem(SITE + "/b-second")]
    assert newest_first([undated[0], old, undated[1], new]) == (new, old, *undated)


def test_the_first_check_knows_everything_watches_the_newest_and_alerts_nothing() -> None:
    listed = list(reversed(items(30)))  # a sitemap lists oldest first
    found = new_articles(listed, known=(), first_check=True, baseline_watch=20)
    assert set(found.known) == {i.url for i in listed} and not found.alert
    assert [i.url for i in found.watch] == [i.url for i in items(20)]
    assert found.queued == () and found.held_back is None


def test_later_checks_watch_and_alert_only_what_is_new() -> None:
    first = new_articles(items(10), known=(), first_check=True)
    found = new_articles(items(12, start=-2), first.known, first_check=False)
    assert found.alert and [i.url for i in found.watch] == [i.url for i in items(2, start=-2)]
    assert set(found.known) == {i.url for i in items(12, start=-2)}
    assert new_articles(items(10), found.known, first_check=False).watch == ()


def test_past_max_new_the_rest_wait_in_a_queue_ahead_of_later_finds() -> None:
    known = [i.url for i in items(10)]
    burst = items(70, start=-60)  # 60 new articles at once, and the 10 known
    first = new_articles(burst, known, first_check=False, max_new=50)
    assert len(first.watch) == 50 and len(first.queued) == 10 and first.held_back == 10
    assert first.watch[0].url == burst[0].url  # newest first
    # Next check: the ten waiting go first, then the one found since.
    latest = items(1, start=-61)
    second = new_articles([*latest, *burst], first.known, first.queued, first_check=False,
                          max_new=50)
    assert [i.url for i in second.watch] == [*(i.url for i in first.queued), latest[0].url]
    assert second.queued == () and second.held_back is None


def test_the_held_back_count_is_said_only_by_the_check_that_queues_more() -> None:
    known: list[str] = []
    first = new_articles(items(5), known, first_check=False, max_new=2)
    assert first.held_back == 3
    second = new_articles(items(5), first.known, first.queued, first_check=False, max_new=2)
    assert len(second.watch) == 2 and len(second.queued) == 1 and second.held_back is None
    third = new_articles(items(6, start=-1), second.known, second.queued, first_check=False,
                         max_new=1)
    assert third.held_back == 1 and third.watch == second.queued
    assert BASE_TIME - timedelta(days=-1) == third.queued[0].published
