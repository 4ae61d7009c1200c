"""Listings as real sites serve them: RSS 2.0, Atom, sitemaps, a section page.

Built from a list of articles so that a test (or a local site's rounds) can add
one, drop one or let one scroll off and serve the listing again. Each body is
shaped after what real publishers send: a WordPress RSS feed, a Blogger-style
Atom feed, a Yoast sitemap index, a Google News sitemap, a ministry's press
page with a mega-menu, breadcrumbs, a "most read" aside and a footer.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

SITE = "https://www.mfa.example.gov"
BASE_TIME = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Article:
    path: str  # /en/press/2026/11/25/statement-on-xinjiang.html
    title: str
    published: datetime

    def url(self, site: str = SITE) -> str:
        return site + self.path


def articles(count: int, start: int = 0, site_path: str = "/en/press") -> list[Article]:
    """``count`` articles, newest first, each a day older than the one before."""
    found = []
    for n in range(start, start + count):
        when = BASE_TIME - timedelta(days=n)
        slug = f"statement-{n}-on-the-situation-in-xinjiang"
        found.append(Article(f"{site_path}/{when:%Y/%m/%d}/{slug}.html",
                             f"Statement {n} on the situation in Xinjiang", when))
    return found


def rss(items: list[Article], site: str = SITE) -> bytes:
    entries = "".join(f"""
    <item>
      <title>{escape(a.title)}</title>
      <link>{a.url(site)}?utm_source=rss&amp;utm_medium=rss</link>
      <comments>{a.url(site)}#respond</comments>
      <dc:creator><![CDATA[Press Office]]></dc:creator>
      <pubDate>{format_datetime(a.published)}</pubDate>
      <category><![CDATA[Statements]]></category>
      <guid isPermaLink="false">{site}/?p={1000 + i}</guid>
      <description><![CDATA[<p>{escape(a.title)} &#8230;</p>]]></description>
    </item>""" for i, a in enumerate(items))
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel>
  <title>Press releases – Ministry of Foreign Affairs</title>
  <atom:link href="{site}/en/press/feed/" rel="self" type="application/rss+xml" />
  <link>{site}/en/press/</link>
  <description>Statements and press releases</description>
  <lastBuildDate>{format_datetime(BASE_TIME)}</lastBuildDate>
  <language>en-GB</language>
  <sy:updatePeriod>hourly</sy:updatePeriod>
  <generator>https://wordpress.org/?v=6.7</generator>{entries}
</channel>
</rss>
""".encode()


def atom(items: list[Article], site: str = SITE) -> bytes:
    entries = "".join(f"""
  <entry>
    <id>tag:mfa.example.gov,2026:post-{i}</id>
    <published>{a.published.isoformat()}</published>
    <updated>{(a.published + timedelta(hours=2)).isoformat()}</updated>
    <title type="html">{escape(escape(a.title))}</title>
    <link rel="replies" type="text/html" href="{a.url(site)}#comments"/>
    <link rel="alternate" type="text/html" href="{a.path}"/>
    <author><name>Press Office</name></author>
    <summary type="html">&lt;p&gt;{escape(a.title)}&lt;/p&gt;</summary>
  </entry>""" for i, a in enumerate(items))
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{site}/">
  <id>tag:mfa.example.gov,2026:press</id>
  <updated>{BASE_TIME.isoformat()}</updated>
  <title type="text">Press releases</title>
  <link rel="self" type="application/atom+xml" href="{site}/en/press/atom.xml"/>
  <link rel="alternate" type="text/html" href="{site}/en/press/"/>{entries}
</feed>
""".encode()


def sitemap(items: list[Article], site: str = SITE, news: bool = False) -> bytes:
    def extra(a: Article) -> str:
        if not news:
            return ""
        return f"""
    <news:news>
      <news:publication><news:name>MFA</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>{a.published.isoformat()}</news:publication_date>
      <news:title>{escape(a.title)}</news:title>
    </news:news>"""

    urls = "".join(f"""
  <url>
    <loc>{escape(a.url(site))}</loc>
    <lastmod>{a.published:%Y-%m-%dT%H:%M:%S+00:00}</lastmod>{extra(a)}
    <image:image><image:loc>{site}/wp-content/uploads/{i}.jpg</image:loc></image:image>
  </url>""" for i, a in enumerate(items))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="//www.mfa.example.gov/main-sitemap.xsl"?>
<urlset xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
  xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
  xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}
</urlset>
<!-- XML Sitemap generated by Yoast SEO -->
""".encode()


def sitemap_index(paths: list[str], site: str = SITE) -> bytes:
    children = "".join(f"""
  <sitemap>
    <loc>{site}{p}</loc>
    <lastmod>{(BASE_TIME - timedelta(days=i)).isoformat()}</lastmod>
  </sitemap>""" for i, p in enumerate(paths))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}
</sitemapindex>
""".encode()


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)


def section_page(items: list[Article], site: str = SITE) -> bytes:
    """A press page: menus, breadcrumbs, the article list, a "most read" aside, a footer."""
    cards = "".join(f"""
        <li class="press-list__item">
          <article class="card">
            <header class="card__header">
              <h3><a href="{a.path}?utm_campaign=section#top">{escape(a.title)}</a></h3>
            </header>
            <a class="card__image" href="{a.url(site)}"><img src="/img/{i}.jpg" alt=""></a>
            <time datetime="{a.published.isoformat()}">{a.published:%d %B %Y}</time>
            <a class="card__tag" href="/en/tag/xinjiang/">Xinjiang</a>
          </article>
        </li>""" for i, a in enumerate(items))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8"><title>Press releases | Ministry of Foreign Affairs</title>
  <link rel="canonical" href="{site}/en/press/">
  <link rel="alternate" type="application/rss+xml" href="{site}/en/press/feed/">
</head>
<body>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="site-header">
    <a href="/">Ministry of Foreign Affairs</a>
    <nav class="main-nav" aria-label="Main">
      <ul>
        <li><a href="/en/about-the-ministry/">About the ministry</a></li>
        <li><a href="/en/press/2026/11/20/ministers-annual-address-to-parliament.html">
          The minister's annual address</a></li>
        <li><a href="/en/consular-services/travel-advice-for-china">Travel advice</a></li>
      </ul>
    </nav>
  </header>
  <div class="breadcrumbs"><a href="/">Home</a> › <a href="/en/">English</a> ›
    <a href="/en/press/">Press</a></div>
  <div class="layout">
    <div id="main" class="content">
      <h1>Press releases</h1>
      <p>Read our <a href="/en/press/media-accreditation-guidelines">media accreditation
        guidelines</a> before you apply.</p>
      <ul class="press-list">{cards}
      </ul>
      <div class="pager"><a href="/en/press/page/2/">Next page</a>
        <a href="/en/press/?page=2">2</a></div>
    </div>
    <aside class="sidebar">
      <h2>Most read</h2>
      <ol><li><a href="/en/press/2025/01/02/statement-on-the-new-year-reception.html">
        Statement on the New Year reception</a></li></ol>
    </aside>
  </div>
  <footer class="site-footer">
    <a href="/en/privacy-notice">Privacy notice</a>
    <a href="/en/press/2024/06/01/freedom-of-information-publication-scheme.html">FOI</a>
    <a href="https://twitter.com/share?url={site}/en/press/">Share</a>
    <a href="https://www.other-site.example.org/news/2026/11/25/a-story-about-us.html">
      Elsewhere</a>
  </footer>
</body>
</html>
""".encode()
