"""render/alert_view.py: what each discovery and page-signal alert says, before markup."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.notify.channels import render as r
from testing import discovery_alerts as found
from testing.discovery_alerts import ARTICLE_ID, ARTICLE_URL, ELSEWHERE, LISTING_ID, OPENING


def facts(alert: dict[str, Any]) -> dict[str, str]:
    return dict(r.view(alert).facts)


@pytest.mark.parametrize(("kind", "headline"), [
    ("new", "🆕 New article: Statement on Xinjiang"),
    ("new/held-back", "⏳ 7 new articles waiting: MFA press releases"),
    ("delisted", "📤 Delisted: Statement on Xinjiang"),
    ("delisted/reverted", "📥 Listed again: Statement on Xinjiang"),
    ("noindexed", "🙈 Noindexed: Statement on Xinjiang"),
    ("noindexed/reverted", "🔍 Indexable again: Statement on Xinjiang"),
    ("canonical-changed", "🔗 Canonical changed: Statement on Xinjiang"),
    ("canonical-changed/reverted", "🔗 Canonical restored: Statement on Xinjiang"),
])
def test_each_kind_has_its_headline_and_colour(kind: str, headline: str) -> None:
    v = r.view(found.every_kind()[kind])
    assert f"{v.icon} {v.headline}" == headline
    assert v.kind == kind and v.colour == r.EVENT_COLOURS[kind]
    assert v.source_id == (LISTING_ID if kind == "new/held-back" else ARTICLE_ID)
    assert ("Revision", "3f2a9c1d7e5b") in v.footer


def test_a_new_article_names_its_listing_and_quotes_its_opening() -> None:
    v = r.view(found.new())
    assert v.facts == [("Listing", LISTING_ID), ("Detected", "2026-11-25 10:00 UTC")]
    assert v.reason is None  # "New article" and its listing say it all
    assert v.excerpt_label == "Opening text" and OPENING in v.excerpt
    assert v.url == ARTICLE_URL
    assert r.gist(v) == "🆕 New article: Statement on Xinjiang"


def test_a_held_back_alert_is_one_alert_about_the_waiting_articles() -> None:
    v = r.view(found.held_back(7))
    assert v.label == "7 new articles waiting" and "New article" not in v.headline
    assert v.heading == "MFA press releases" and v.title == "Press releases"
    assert facts(found.held_back(7))["Waiting"] == "7 articles"
    assert v.reason is not None and v.reason.startswith("7 new article(s) wait to be watched")
    assert "Listing" not in facts(found.held_back(7))  # it is the listing: its source says so
    assert v.excerpt == ""
    assert r.view(found.held_back(1)).label == "1 new article waiting"
    assert facts(found.held_back(1))["Waiting"] == "1 article"


def test_a_delisting_and_its_way_back() -> None:
    gone, back = r.view(found.delisted()), r.view(found.delisted("reverted"))
    assert gone.reason == ("the listing no longer names the article, although its page "
                           "still works")
    assert back.reason == "the article is listed again"
    for v in (gone, back):
        assert ("Listing", LISTING_ID) in v.facts
        assert v.excerpt_label == "Text as last checked" and OPENING in v.excerpt


def test_a_noindex_says_where_it_came_from_and_that_it_went() -> None:
    assert facts(found.noindexed(place="header"))["Noindex from"] == "the X-Robots-Tag header"
    assert facts(found.noindexed(place="meta"))["Noindex from"] == "the page's robots meta tag"
    back = facts(found.noindexed("reverted", "meta"))
    assert back["Noindex was from"] == "the page's robots meta tag"
    assert back["Reason"] == ("the page no longer asks search engines to drop it "
                              "(noindex removed)")
    assert facts(found.noindexed())["Reason"] == ("the page now asks search engines to drop "
                                                  "it (noindex)")


def test_a_canonical_change_names_both_canonicals_and_links_the_page_itself() -> None:
    away, back = found.canonical_changed(), found.canonical_changed("reverted")
    assert facts(away)["Canonical was"] == ARTICLE_URL
    assert facts(away)["Canonical now"] == ELSEWHERE
    assert (facts(back)["Canonical was"], facts(back)["Canonical now"]) == (ELSEWHERE,
                                                                           ARTICLE_URL)
    assert facts(back)["Reason"] == "the page's canonical address points at the page itself again"
    for alert in (away, back):
        assert not any(name.startswith("Moved") for name in facts(alert))
        assert r.view(alert).url == ARTICLE_URL  # the page, never the canonical it names
    assert r.page_url(away) == ARTICLE_URL


def test_html_facts_link_the_canonicals() -> None:
    shown = r.html_facts(r.view(found.canonical_changed()), r.escape_html,
                         lambda url, label: f'<a href="{url}">{label}</a>')
    assert f'canonical now <a href="{ELSEWHERE}">{ELSEWHERE}</a>' in shown
    assert f'canonical was <a href="{ARTICLE_URL}">{ARTICLE_URL}</a>' in shown


def test_the_old_events_read_as_before() -> None:
    moved = {"id": "X", "event": "moved", "source_id": "s", "url": "https://e.org/a",
             "from_url": "https://e.org/a", "to_url": "https://e.org/b", "title": "T"}
    v = r.view(moved)
    assert v.url == "https://e.org/b" and ("Moved to", "https://e.org/b") in v.facts
    removed = {**moved, "event": "removed", "excerpt": "Last words.", "from_url": None,
               "to_url": None}
    assert r.view(removed).excerpt_label == "Last text seen"
    assert r.view(removed).headline == "Removed: T"


def test_an_alert_kept_from_before_reason_text_still_says_why() -> None:
    alert = {"id": "X", "event": "delisted", "source_id": "s", "url": "https://e.org/a",
             "title": "T", "reason": None}
    assert r.view(alert).reason == ("the listing no longer names the article, although its "
                                    "page still works")
    canonical = {**alert, "event": "canonical-changed", "to_url": "https://e.org/b"}
    assert r.view(canonical).reason == ("the page's canonical address now points elsewhere: "
                                        "https://e.org/b")
