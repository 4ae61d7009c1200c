"""A section page's article links: its list, not its menus, footer or "most read"."""

from __future__ import annotations

import pytest

from monitor.discover import ListingError
from monitor.discover.links import article_links, looks_like_article
from testing.listings import SITE, articles, section_page

PAGE = SITE + "/en/press/"


def test_a_press_page_lists_its_ten_articles_and_none_of_its_furniture() -> None:
    listed = articles(10)
    items = article_links(section_page(listed), PAGE)
    # Headline and picture link to one article (once with trackers and a fragment):
    # one item each, in the page's order. The nav's address, the aside's "most read",
    # the footer's FOI page, the pager, tags and the accreditation note are left out.
    assert [i.url for i in items] == [a.url() for a in listed]
    assert [i.title for i in items] == [a.title for a in listed]
    assert [i.published for i in items] == [a.published for a in listed]


def test_an_article_added_to_the_list_is_found_and_one_dropped_is_not() -> None:
    before = article_links(section_page(articles(10)), PAGE)
    after = article_links(section_page(articles(10, start=1)), PAGE)
    assert {i.url for i in after} - {i.url for i in before} == {articles(1, start=10)[0].url()}
    assert {i.url for i in before} - {i.url for i in after} == {articles(1)[0].url()}


def test_main_is_the_region_when_it_has_links_and_menus_by_name_are_not() -> None:
    page = b"""<html><body>
<div class="navbar"><a href="/news/2026/11/25/menu-story-one.html">Menu one</a>
  <a href="/news/2026/11/24/menu-story-two.html">Menu two</a></div>
<div role="navigation"><a href="/news/2026/11/23/role-nav-story.html">Role nav</a></div>
<main>
  <div class="teaser"><a href="/news/2026/11/25/the-first-story.html">First</a></div>
  <div class="teaser"><a href="/news/2026/11/24/the-second-story.html">Second</a></div>
  <div class="share-tools"><a href="/news/2026/11/20/shared-story-here.html">Share</a></div>
</main>
<div class="teaser"><a href="/news/2026/11/22/outside-main-story.html">Outside</a></div>
</body></html>"""
    items = article_links(page, "https://example.org/news/")
    assert [i.title for i in items] == ["First", "Second"]


def test_same_site_means_the_registrable_domain() -> None:
    page = b"""<html><body><ul>
<li><a href="https://press.example.org/2026/11/25/from-the-press-office.html">Press</a></li>
<li><a href="https://www.example.org/2026/11/24/from-the-main-site.html">Main</a></li>
<li><a href="https://example.com/2026/11/23/another-site-entirely.html">Other</a></li>
<li><a href="https://www.example.org.evil.example/2026/11/22/lookalike-host.html">X</a></li>
</ul></body></html>"""
    items = article_links(page, "https://www.example.org/news/")
    assert [i.title for i in items] == ["Press", "Main"]


def test_match_replaces_the_shape_test_but_not_the_region_or_the_site() -> None:
    page = section_page(articles(10))
    items = article_links(page, PAGE, match=r"statement-[0-2]-")
    assert [i.url for i in items] == [a.url() for a in articles(3)]
    # The aside's 2025 article and the footer's FOI page match, but are menus.
    assert article_links(page, PAGE, match=r"/press/202[45]/") == ()
    # A shape the heuristics would refuse is an article when the regex says so.
    tags = article_links(page, PAGE, match=r"/tag/")
    assert [i.url for i in tags] == [SITE + "/en/tag/xinjiang/"]


@pytest.mark.parametrize(("url", "article"), [
    ("https://example.org/news/2026/11/25/uk-accuses-china", True),
    ("https://example.org/news/world-asia-china-67000000", True),
    ("https://example.org/article/123456", True),
    ("https://example.org/en/press/statement-on-xinjiang.html", True),
    ("https://example.org/reports/annual.pdf", True),
    ("https://example.org/news/2026/11/", False),  # a day's index
    ("https://example.org/news/", False),
    ("https://example.org/tag/xinjiang-camps", False),
    ("https://example.org/author/jane-doe", False),
    ("https://example.org/news/page/2", False),
    ("https://example.org/about-us/contact", False),
    ("https://example.org/img/big-photo-of-camp.jpg", False),
    ("https://example.org/", False),
])
def test_the_shape_of_an_article_url(url: str, article: bool) -> None:
    assert looks_like_article(url) is article


def test_a_lone_article_link_is_kept() -> None:
    lone = b'<html><body><p><a href="/news/only-story-today">Only</a></p></body></html>'
    assert [i.title for i in article_links(lone, "https://example.org/news/")] == ["Only"]


def test_a_base_element_resolves_relative_links() -> None:
    page = b"""<html><head><base href="https://example.org/archive/"></head><body>
<a href="2026/11/25/first-story-here.html">A</a><a href="2026/11/24/second-story.html">B</a>
</body></html>"""
    items = article_links(page, "https://example.org/news/")
    assert items[0].url == "https://example.org/archive/2026/11/25/first-story-here.html"


def test_a_page_too_large_to_be_a_section_page_is_refused_in_words() -> None:
    page = b"<html><body>" + b"<span>x</span>" * 100_001 + b"</body></html>"
    with pytest.raises(ListingError, match="more than 100,000 elements"):
        article_links(page, PAGE)


def test_an_empty_or_binary_body_is_a_listing_error_or_no_links() -> None:
    with pytest.raises(ListingError):
        article_links(b"", PAGE)
    assert article_links(b"\x00\x01\x02\xff", PAGE) == ()
