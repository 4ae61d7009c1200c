"""monitor/metadata.py: title, author and date as trafilatura finds them, for less."""

from __future__ import annotations

import json
import re

import pytest
from trafilatura import metadata as trafilatura_metadata
from trafilatura.utils import load_html

from monitor.cli.demo_site import Article, render_article, sample_slugs
from monitor.extract.metadata import byline_author, extract_metadata, visible_byline

URL = "http://127.0.0.1/news/x"
META_AUTHOR = re.compile(r'\s*<meta name="author" content="[^"]*">')


def _without_meta_author(page: str) -> str:
    """The page with its byline only in the body, where the element search must find it."""
    return META_AUTHOR.sub("", page)


def _pages() -> list[str]:
    pages = []
    for slug in sample_slugs():
        page = render_article(Article.load(slug))
        pages += [page, _without_meta_author(page)]
    return pages


def _trafilatura(page: str) -> tuple[str, str, str]:
    found = trafilatura_metadata.extract_metadata(
        load_html(page), URL, {"extensive_search": False, "original_date": True})
    return found.title or "", found.author or "", found.date or ""


@pytest.mark.parametrize("page", _pages())
def test_same_title_author_and_date_as_trafilatura(page: str) -> None:
    found = extract_metadata(load_html(page), URL)
    assert (found.title, found.author, found.date) == _trafilatura(page)
    assert found.title and found.author and found.date


@pytest.mark.parametrize("byline", [
    '<p class="byline">by <span class="author">Sheldon Stone</span></p>',
    '<div class="byline">By Ana Ruiz<time>12:11</time>in Paris</div>',
    '<div class="article-share"><p class="byline">Ana Ruiz</p></div>'
    '<div class="meta"><span class="writer">By Li Wei</span></div>',
    '<span class="byline">By Ana Ruiz <time>12:11</time>in Paris</span>',
    '<div id="comments"><a rel="author">Troll Account</a></div>'
    '<div data-component="Byline">Ana Ruiz and <figure>Li Wei</figure>Tom Ng</div>',
    '<address class="author-name">Ana Ruiz</address>',
    '<div class="authors">Ana Ruiz, Li Wei</div>',
])
def test_byline_element_search_matches_trafilatura(byline: str) -> None:
    """Bylines beside parts trafilatura cuts out (share bars, comments, times, figures)."""
    page = _without_meta_author(render_article(Article.load("huawei-internment-blog")))
    page = page.replace('<p class="byline">by <span class="author">',
                        byline + '<p class="dateline">by <span>', 1)
    tree = load_html(page)
    assert byline_author(tree) == trafilatura_metadata.extract_author(tree)
    assert byline_author(tree)


def _page_stating(head: str) -> str:
    """A sample article whose byline is only what ``head`` says: no meta author, no byline."""
    page = _without_meta_author(render_article(Article.load("uk-accuses-china-article")))
    page = re.sub(r'<p class="byline">.*?</p>', "", page, flags=re.DOTALL)
    return page.replace("</head>", head + "</head>")


def _json_ld(item: dict[str, object]) -> str:
    return f'<script type="application/ld+json">{json.dumps(item)}</script>'


@pytest.mark.parametrize(("head", "author"), [
    (_json_ld({"@context": "https://schema.org", "@type": "NewsArticle",
               "author": {"@type": "NewsMediaOrganization", "name": "BBC News"}}), "BBC News"),
    (_json_ld({"@context": {"@vocab": "http://schema.org"}, "@type": "NewsArticle",
               "author": [{"@type": "Person", "name": "Reuters"}]}), "Reuters"),
    (_json_ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Healthline"},
        {"@type": "MedicalWebPage", "author": {"@type": "Person", "name": "Rachael Link"}}]}),
     "Rachael Link"),
    ('<meta name="author" content="Reuters">', "Reuters"),
])
def test_an_organisation_byline_trafilatura_drops_still_counts(head: str, author: str) -> None:
    page = _page_stating(head)
    assert not _trafilatura(page)[1]
    assert extract_metadata(load_html(page), URL).author == author


def test_a_comment_authors_name_is_not_the_articles_author() -> None:
    head = _json_ld({"@context": "https://schema.org", "@type": "WebPage", "comment": [
        {"@type": "Comment", "author": {"@type": "Person", "name": "Troll Account"}}]})
    assert extract_metadata(load_html(_page_stating(head)), URL).author == ""


def _page_showing(byline: str, head: str = "") -> str:
    """The sample blog post with ``byline`` for its byline element and ``head`` for its
    metadata (its own meta author left out)."""
    page = _without_meta_author(render_article(Article.load("huawei-internment-blog")))
    page = re.sub(r'<p class="byline">.*?</p>', byline, page, count=1, flags=re.DOTALL)
    return page.replace("</head>", head + "</head>")


PERSON = _json_ld({"@context": "https://schema.org", "@type": "NewsArticle",
                   "author": {"@type": "Person", "name": "Ana Ruiz"}})


def test_the_byline_a_reader_sees_is_kept_beside_the_stated_author() -> None:
    shown = extract_metadata(load_html(_page_showing(
        '<p class="byline">By <a rel="author">Ana Ruiz</a></p>', PERSON)), URL)
    assert (shown.author, shown.byline) == ("Ana Ruiz", "Ana Ruiz")
    # The site corrects the visible name; its JSON-LD and meta tag keep the old one.
    corrected = extract_metadata(load_html(_page_showing(
        '<p class="byline">By <a rel="author">Li Wei</a></p>', PERSON)), URL)
    assert (corrected.author, corrected.byline) == ("Ana Ruiz", "Li Wei")


def test_a_byline_in_a_plain_element_counts_while_it_shows_the_stated_name() -> None:
    plain = '<p class="meta">Story by {} for the desk</p>'
    assert extract_metadata(load_html(_page_showing(plain.format("Ana Ruiz"), PERSON)),
                            URL).byline == "Ana Ruiz"
    assert extract_metadata(load_html(_page_showing(plain.format("Li Wei"), PERSON)),
                            URL).byline != "Ana Ruiz"


@pytest.mark.parametrize("clock", ["Updated 5 minutes ago", "Updated 2 hours ago"])
def test_a_clock_beside_the_byline_never_comes_in(clock: str) -> None:
    """Without a stated author, the byline is the element's text, and text with a
    number in it (a clock, a count) is passed over for the next one."""
    page = _page_showing(
        f'<p class="byline">Ana Ruiz · {clock}</p><span class="writer">By Ana Ruiz</span>')
    assert visible_byline(load_html(page), None) == "Ana Ruiz"


def test_a_commenters_name_is_not_the_visible_byline() -> None:
    page = _page_showing('<div class="comment-list"><span class="author">Troll</span></div>'
                         '<p class="byline">Ana Ruiz</p>')
    assert visible_byline(load_html(page), "Someone Else") == "Ana Ruiz"


def test_a_signed_in_placeholder_and_a_follow_button_are_not_the_byline() -> None:
    """washingtonpost.com (2015): the menu's "Username" placeholder and a "Follow
    @handle" button come before the byline, which only a last-resort rule finds."""
    page = _page_showing(
        '<div id="nav-user" class="nav-btn"><span class="username">Username</span></div>'
        '<span class="tweet-authors">Follow @anaruiz</span>'
        '<span class="pb-byline">By <a href="/people/ana-ruiz">Ana Ruiz</a></span>')
    found = extract_metadata(load_html(page), URL)
    assert (found.author, found.byline) == ("Ana Ruiz", "Ana Ruiz")
    in_nav = _page_showing('<nav><span class="username">Username</span></nav>'
                           '<span class="byline">Li Wei</span>')
    assert extract_metadata(load_html(in_nav), URL).author == "Li Wei"


def test_the_visible_headline_is_the_heading_closest_to_the_title() -> None:
    article = Article.load("uk-accuses-china-article")
    page = render_article(article).replace(
        "<body>", "<body><h1>BBC</h1>", 1).replace(
        f"<h1>{article.title}</h1>", "<h1>UK accuses China of abuses</h1>", 1)
    found = extract_metadata(load_html(page), URL)
    assert found.title == article.title
    assert found.headline == "UK accuses China of abuses"


def test_a_whole_article_marked_comments_enabled_is_not_a_comment_thread() -> None:
    page = _page_showing('<div id="article" class="comments-enabled"><div class="author-block">'
                         '<span class="name"><a href="/a">Ana Ruiz</a></span></div></div>',
                         PERSON)
    assert extract_metadata(load_html(page), URL).byline == "Ana Ruiz"


def test_every_author_of_a_shared_byline_must_be_shown() -> None:
    both = _json_ld({"@context": "https://schema.org", "@type": "NewsArticle", "author": [
        {"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person", "name": "Li Wei"}]})
    shown = extract_metadata(load_html(_page_showing(
        '<p class="byline">By <a>Ana Ruiz</a> and <a>Li Wei</a></p>', both)), URL)
    assert (shown.author, shown.byline) == ("Ana Ruiz; Li Wei", "Ana Ruiz; Li Wei")
    one = extract_metadata(load_html(_page_showing(
        '<p class="byline">By <a>Ana Ruiz</a> and <a>Tom Ng</a></p>', both)), URL)
    assert one.byline != one.author
