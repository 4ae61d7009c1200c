"""A ministry's press section on the local site, changing between checks.

One list of stories, newest first, is served three ways at once: a section
page (``/en/press/``) and an RSS feed (``/en/press/feed/``) that show the
newest ``window`` items, as real ones do, and a sitemap (``/sitemap.xml``)
that names every story still published. Each story has its own page, with the
text of one of the shared samples. Between checks a test publishes stories,
takes one off the listings while its page stays up, gives one ``noindex`` or
points its canonical elsewhere, and serves everything again with ``serve()``.

Dates are relative to the moment the site is made, so the rounds mean the
same on any day (a Google News sitemap's two days, ``keep``'s 90).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from monitor.cli.demo_site import Article as Sample
from monitor.cli.demo_site import render_article, sample_slugs
from testing import listings
from testing.site import LocalSite, Page

PRESS = "/en/press/"
FEED = "/en/press/feed/"
SITEMAP = "/sitemap.xml"
PATHS = {"links": PRESS, "feed": FEED, "sitemap": SITEMAP}

Noindex = Literal["meta", "header"]


@dataclass
class Story:
    """One press release: where it lives, and the signals its page gives."""

    listed: listings.Article
    text: Sample
    on_listings: bool = True  # False: its page answers, the listings no longer name it
    noindex: Noindex | None = None
    canonical: str | None = None  # a path elsewhere (None: its own URL)

    @property
    def path(self) -> str:
        return self.listed.path

    def page(self, site: str) -> Page:
        body = render_article(self.text)
        canonical = site + (self.canonical or self.path)
        head = f'  <link rel="canonical" href="{html.escape(canonical)}">\n'
        if self.noindex == "meta":
            head += '  <meta name="robots" content="noindex, follow">\n'
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if self.noindex == "header":
            headers["X-Robots-Tag"] = "noindex"
        return Page(body=body.replace("</head>", head + "</head>", 1).encode(),
                    headers=headers)


@dataclass
class PressSite:
    """The stories and how the site lists them; ``serve()`` puts it all on ``site``."""

    site: LocalSite
    window: int = 10  # the section page and the feed show the newest this many
    stories: list[Story] = field(default_factory=list)  # newest first
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    published = 0  # stories made so far: each gets the next number

    @classmethod
    def with_stories(cls, site: LocalSite, count: int, window: int = 10) -> PressSite:
        press = cls(site, window=window)
        for _ in range(count):
            press.publish(newest=False)
        press.serve()
        return press

    def publish(self, count: int = 1, *, newest: bool = True) -> list[Story]:
        """``count`` new stories: at the top (dated now), or at the bottom (a day older)."""
        made = []
        for _ in range(count):
            number = self.published
            self.published += 1
            when = (self.now + timedelta(minutes=number) if newest
                    else self.now - timedelta(days=1 + number))
            slug = f"statement-{number}-on-the-situation-in-xinjiang"
            listed = listings.Article(f"/en/press/{when:%Y/%m/%d}/{slug}.html",
                                      f"Statement {number} on the situation in Xinjiang", when)
            sample = Sample.load(sample_slugs()[number % len(sample_slugs())])
            text = replace(sample, title=listed.title, date=f"{when:%Y-%m-%d}",
                           paragraphs=(f"Press release number {number} of the ministry.",
                                       *sample.paragraphs))
            story = Story(listed, text)
            made.append(story)
        self.stories = [*reversed(made), *self.stories] if newest else [*self.stories, *made]
        return made

    def listed(self) -> list[listings.Article]:
        return [s.listed for s in self.stories if s.on_listings]

    def serve(self) -> None:
        base = self.site.url
        shown = self.listed()
        self.site.put(PRESS, Page(body=listings.section_page(shown[:self.window], base),
                                  headers={"Content-Type": "text/html; charset=utf-8"}))
        self.site.put(FEED, Page(body=listings.rss(shown[:self.window], base),
                                 headers={"Content-Type": "application/rss+xml"}))
        self.site.put(SITEMAP, Page(body=listings.sitemap(shown, base),
                                    headers={"Content-Type": "application/xml"}))
        for story in self.stories:
            self.site.put(story.path, story.page(base))

    def url(self, story: Story) -> str:
        return self.site.url + story.path
