"""pipeline/listing_check.py end to end: ``monitor check`` over a press section that changes.

The local site (testing/discovery_site.py) serves one list of stories as a
section page, an RSS feed and a sitemap. Over rounds, stories are published,
one leaves the listings while its page stays up, older ones scroll off a
10-item window, one gains noindex, one points its canonical elsewhere, and
then each goes back. Every round asserts the alerts it made, so each
expected event comes exactly once and nothing else comes at all.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import Project

from monitor.discover.ids import article_id
from monitor.discover.urls import canonical_url
from testing.discovery_site import PATHS, PressSite, Story
from testing.site import Page

Seen = Counter[tuple[str, str | None, str]]


class Rounds:
    """A project watching the press site through one listing, checked round by round."""

    def __init__(self, project: Project, press: PressSite, kind: str, **options: Any):
        self.project, self.press, self.kind = project, press, kind
        lines = [f"discover: {kind}", *(f"{key}: {value}" for key, value in options.items())]
        project.write({"press": PATHS[kind]}, extra_source_lines="\n".join(lines))
        self.seen: list[dict[str, Any]] = []

    def id(self, story: Story) -> str:
        return article_id("press", canonical_url(self.press.url(story)))

    def check(self) -> list[dict[str, Any]]:
        """One ``monitor check``, after serving the site as it is now; its new alerts."""
        self.press.serve()
        before = set(self.project.alerts())
        result = self.project.run("check")
        assert result.code == 0, result.out + result.err
        assert " error" not in result.out.replace(", 0 errors", ""), result.out
        made = [json.loads(path.read_text(encoding="utf-8"))
                for path in self.project.alerts() if path not in before]
        self.seen += made
        return made

    def expect(self, *wanted: tuple[str, str | None, str]) -> list[dict[str, Any]]:
        made = self.check()
        got: Seen = Counter((a["event"], a.get("reason"), a["source_id"]) for a in made)
        assert got == Counter(wanted), made
        return made


def listed_urls(project: Project) -> list[str]:
    """The URLs in the listing's snapshot (below its title and URL lines), in file order."""
    _, _, body = project.snapshot("press").partition("\n\n" + "URL: ")
    return [line for line in body.splitlines()[1:] if line.strip()]


def new(rounds: Rounds, story: Story) -> tuple[str, None, str]:
    return ("new", None, rounds.id(story))


@pytest.mark.parametrize("kind", ["links", "feed", "sitemap"])
def test_a_listing_reports_each_new_delisted_noindexed_and_canonical_change_once(
        project: Project, kind: str) -> None:
    press = PressSite.with_stories(project.site, 12, window=10)
    rounds = Rounds(project, press, kind, max_new=3)
    shown = 12 if kind == "sitemap" else 10

    rounds.expect()  # the first check: a baseline of every listed article, no alerts
    assert listed_urls(project) == sorted(press.url(s) for s in press.stories[:shown])

    fresh = press.publish(2)  # two new stories; a 10-item window lets two old ones go
    made = rounds.expect(*(new(rounds, story) for story in fresh))
    for alert, story in zip(sorted(made, key=lambda a: a["title"]),
                            sorted(fresh, key=lambda s: s.text.title), strict=True):
        assert alert["listing_id"] == "press" and alert["url"] == press.url(story)
        assert alert["title"].startswith(story.text.title)
        assert f"Press release number {story.listed.title.split()[1]}" in alert["excerpt"]

    quiet, dropped, gone_quiet = press.stories[3], press.stories[4], press.stories[5]
    dropped.on_listings = False  # off the listings, its page still up
    rounds.expect()  # one miss: not yet (confirm_removal is 2)
    rounds.expect(("delisted", None, rounds.id(dropped)))
    rounds.expect()  # said once

    quiet.noindex = "meta"
    gone_quiet.canonical = "/en/press/2020/01/01/an-older-statement.html"
    rounds.expect(("noindexed", None, rounds.id(quiet)),
                  ("canonical-changed", None, rounds.id(gone_quiet)))
    rounds.expect()

    quiet.noindex, gone_quiet.canonical, dropped.on_listings = None, None, True
    rounds.expect(("noindexed", "reverted", rounds.id(quiet)),
                  ("canonical-changed", "reverted", rounds.id(gone_quiet)),
                  ("delisted", "reverted", rounds.id(dropped)))

    burst = press.publish(4)  # past max_new: three watched now, the fourth waits
    oldest_new = min(burst, key=lambda s: s.listed.published)
    made = rounds.expect(("new", "held-back", "press"),
                         *(new(rounds, s) for s in burst if s is not oldest_new))
    assert next(a for a in made if a.get("reason") == "held-back")["count"] == 1
    rounds.expect(new(rounds, oldest_new))
    rounds.expect()

    everything = Counter((a["event"], a.get("reason")) for a in rounds.seen)
    assert everything == Counter({("new", None): 6, ("new", "held-back"): 1,
                                  ("delisted", None): 1, ("delisted", "reverted"): 1,
                                  ("noindexed", None): 1, ("noindexed", "reverted"): 1,
                                  ("canonical-changed", None): 1,
                                  ("canonical-changed", "reverted"): 1})


def git(project: Project, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project.root / "snapshots"), *args], check=True,
                          capture_output=True, text=True).stdout


def test_the_listing_history_is_a_commit_per_change_with_listing_trailers(
        project: Project) -> None:
    press = PressSite.with_stories(project.site, 3)
    rounds = Rounds(project, press, "feed")
    rounds.expect()
    [story] = press.publish(1)
    rounds.expect(new(rounds, story))
    article = rounds.id(story)
    listing_log = git(project, "log", "--format=%s%n%b%n--", "--", "press.md")
    assert listing_log.count("Listing-Kind: feed") == 2, listing_log
    assert "1 new, 0 no longer listed" in listing_log
    article_log = git(project, "log", "--format=%B", "--", f"{article}.md")
    assert "Listing: press" in article_log and f"URL: {press.url(story)}" in article_log
    assert listed_urls(project) == sorted(press.url(s) for s in press.stories)


def test_a_lost_state_database_is_rebuilt_from_git_without_alerts(project: Project) -> None:
    press = PressSite.with_stories(project.site, 4)
    rounds = Rounds(project, press, "sitemap")
    rounds.expect()
    Path(project.config().settings.state).unlink()
    rounds.expect()  # the listing snapshot and the articles' files say what was known
    [story] = press.publish(1)
    rounds.expect(new(rounds, story))


def test_one_site_listing_an_article_twice_finds_it_once(project: Project) -> None:
    press = PressSite.with_stories(project.site, 3)
    rounds = Rounds(project, press, "links", baseline_watch=0)
    rounds.expect()
    [story] = press.publish(1)
    # The section page links the card's title and its picture, each with other
    # tracking parameters: one article, one alert.
    rounds.expect(new(rounds, story))
    ids = [line for line in project.run("check", "--source", rounds.id(story)).out.splitlines()
           if rounds.id(story) in line]
    assert ids, "a found article can be checked by its id"


def test_respect_robots_applies_to_a_listing(project: Project) -> None:
    press = PressSite.with_stories(project.site, 3)
    project.site.put("/robots.txt", Page(body=b"User-agent: *\nDisallow: /en/press/feed/\n",
                                         headers={"Content-Type": "text/plain"}))
    project.write({"press": PATHS["feed"]}, settings={"respect_robots": "true"},
                  extra_source_lines="discover: feed")
    result = project.run("check")
    assert "disallowed by robots.txt" in result.out, result.out
    assert not project.site.gets(PATHS["feed"])  # never asked for
    assert not any(project.site.gets(story.path) for story in press.stories)
    assert project.alerts() == []
