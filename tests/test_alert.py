"""The typed alert and its one builder: what each event carries, and its JSON."""

from __future__ import annotations

import json

from monitor.core.alert import make_alert
from monitor.core.diff import Diff
from monitor.core.document import Document
from monitor.core.events import ALERT_EVENTS, Event
from monitor.core.model import Source
from monitor.core.schedule import Schedule

SOURCE = Source(id="letter", url="https://example.org/a?key=s3cret", schedule=Schedule(every=60),
                tags=("uk",), url_secrets=(("KEY", "s3cret"),))
DIFF = Diff(added=["8,000"], removed=["80,000"], unified="-80,000\n+8,000")


def alert(event: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return make_alert(event, alert_id="01J00000000000000000000000", source=SOURCE,
                      title="A\x07 title", detected_at="2026-01-01T00:00:00Z",
                      revision="old", previous_revision="old", diff=DIFF,
                      **{"reason": "gone-404", **kwargs})  # type: ignore[arg-type]


def test_each_event_keeps_only_what_it_carries():
    reasons = {e: alert(e).reason for e in ALERT_EVENTS}
    assert reasons == {"changed": "gone-404", "removed": "gone-404", "failing": "gone-404",
                       "restored": None, "recovered": None, "moved": "redirected",
                       "new": "gone-404", "delisted": "gone-404", "noindexed": "gone-404",
                       "canonical-changed": "gone-404"}
    assert {e for e in ALERT_EVENTS if alert(e).diff} == {"changed", "restored"}
    assert {e for e in ALERT_EVENTS if alert(e).previous_revision} == {
        "changed", "removed", "restored", "moved", "new"}


def test_json_is_the_contract_and_names_no_secret():
    body = alert("moved", moved=("https://example.org/a?key=s3cret",
                                 "https://example.org/b?key=s3cret")).to_json()
    assert set(body) == {"id", "event", "reason", "source_id", "url", "title", "detected_at",
                         "revision", "previous_revision", "diff", "tags", "from_url", "to_url",
                         "reason_text"}
    assert body["reason_text"] == "the article moved to https://example.org/b?key=${KEY}"
    assert "s3cret" not in json.dumps(body)
    assert body["url"] == "https://example.org/a?key=${KEY}"
    assert body["title"] == "A title"  # no control characters reach a channel
    changed = alert("changed").committed_as("new", reverts_to="older").to_json()
    assert changed["revision"] == "new" and changed["reverts_to"] == "older"
    assert changed["diff"] == {"added": ["8,000"], "removed": ["80,000"],
                               "unified": "-80,000\n+8,000"}
    assert "from_url" not in changed and "count" not in changed


def test_events_are_their_strings():
    assert Event.CHANGED == "changed" and json.dumps(Event.REMOVED) == '"removed"'
    assert alert("failing").committed_as("new").revision == "old"  # not a commit event


def test_every_event_gives_its_reason_in_words():
    texts = {e: alert(e).to_json()["reason_text"] for e in ALERT_EVENTS}
    assert texts == {
        "changed": "the page's wording changed",
        "removed": "the page now answers 404 Not Found",
        "restored": "the page is back online",
        "moved": "the article moved",
        "failing": "the page cannot be checked: gone-404",
        "recovered": "the page can be checked again",
        "new": "a new article appeared in the listing",
        "delisted": "the listing no longer names the article, although its page still works",
        "noindexed": "the page now asks search engines to drop it (noindex)",
        "canonical-changed": "the page's canonical address now points elsewhere"}
    reverted = alert("changed", reason=None).committed_as("new", reverts_to="older")
    assert reverted.reason_text == "the text went back to the wording of an earlier version"


def test_a_removal_quotes_the_last_text_and_when_it_was_seen():
    last = Document(title="Camps counted", standfirst="Researchers counted the camps.",
                    paragraphs=tuple(f"Paragraph {i} of the report." for i in range(6)))
    removed = alert("removed", last_text=last, last_seen_at="2025-12-31T23:00:00Z").to_json()
    assert removed["excerpt"] == ("Camps counted\n\nResearchers counted the camps.\n\n"
                                  "Paragraph 0 of the report.\n\nParagraph 1 of the report."
                                  "\n\nParagraph 2 of the report.\n\n…")
    assert removed["last_seen_at"] == "2025-12-31T23:00:00Z"
    changed = alert("changed", last_text=last, last_seen_at="2025-12-31T23:00:00Z").to_json()
    assert "excerpt" not in changed and "last_seen_at" not in changed


def test_a_sources_name_goes_with_its_alerts():
    from dataclasses import replace

    named = make_alert("changed", alert_id="01J00000000000000000000001",
                       source=replace(SOURCE, name="The\x07 letter"), title="Page title",
                       detected_at="2026-01-01T00:00:00Z", revision=None)
    assert named.to_json()["name"] == "The letter" and named.title == "Page title"
    assert "name" not in alert("changed").to_json()


def test_discovery_alerts_carry_their_listing_and_their_facts():
    last = Document(title="Statement on Xinjiang", paragraphs=("First paragraph.",))
    new = alert("new", reason=None, last_text=last, listing_id="mfa-press").to_json()
    assert new["listing_id"] == "mfa-press" and new["excerpt"].startswith("Statement on")
    held = alert("new", reason="held-back", count=7, listing_id="mfa-press").to_json()
    assert held["count"] == 7 and held["reason_text"].startswith("7 new article(s) wait")
    noindex = alert("noindexed", reason=None, noindex_source="header").to_json()
    assert noindex["noindex_source"] == "header"
    canonical = alert("canonical-changed", reason=None,
                      moved=("https://example.org/a", "https://other.example/b")).to_json()
    assert (canonical["from_url"], canonical["to_url"]) == ("https://example.org/a",
                                                           "https://other.example/b")
    assert canonical["reason_text"].endswith("elsewhere: https://other.example/b")
    assert "noindex_source" not in alert("changed").to_json()


def test_a_base_url_links_the_web_view_and_none_leaves_the_json_as_it_was():
    linked = alert("changed", base_url="https://m.example/").committed_as("abc123").to_json()
    assert linked["links"] == {"diff": "https://m.example/sources/letter/diff/abc123",
                               "source": "https://m.example/sources/letter"}
    removed = alert("removed", base_url="https://m.example").committed_as("def456").to_json()
    assert removed["links"] == {"source": "https://m.example/sources/letter"}
    assert all("links" not in alert(e).committed_as("abc123").to_json() for e in ALERT_EVENTS)
