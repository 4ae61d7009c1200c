"""Article extraction keeps the wording and drops the page furniture."""

from __future__ import annotations

import gzip

import pytest
from lxml.etree import tostring
from trafilatura.utils import load_html

from monitor.cli.demo_site import Article, Furniture, render_article, sample_slugs, teasers
from monitor.core.document import normalise
from monitor.extract.article import extract, parse_html


@pytest.mark.parametrize("slug", sample_slugs())
def test_extracts_title_byline_date_and_body(slug: str) -> None:
    article = Article.load(slug)
    document = extract(render_article(article), "http://127.0.0.1/news/x")
    assert document.title == normalise(article.title)
    # trafilatura trims organisation bylines ("Lawyers for Uyghur Rights" -> "Lawyers")
    assert document.author and article.author.startswith(document.author)
    assert document.date == article.date
    body = " ".join(document.paragraphs)
    for paragraph in article.paragraphs:
        assert normalise(paragraph) in body


@pytest.mark.parametrize("slug", sample_slugs())
def test_furniture_stays_out_of_the_document(slug: str) -> None:
    document = extract(render_article(Article.load(slug)), "http://127.0.0.1/news/x")
    text = "\n".join(document.lines())
    for furniture in ("Read More", "Please enter your comment", "Thank you for publishing",
                      "cookies", "Latest Posts", "Back To Top", "views", "Share with others"):
        assert furniture not in text


@pytest.mark.parametrize("slug", sample_slugs())
def test_churning_furniture_gives_the_same_document(slug: str) -> None:
    article = Article.load(slug)
    before = extract(render_article(article), "http://127.0.0.1/news/x")
    churned = Furniture(teasers=tuple(teasers()[3:]), comments=(("New", "Hello"),) * 5,
                        views=999_999, build="zz9", updated="Updated 1 hour ago",
                        banner="Manage your privacy settings")
    after = extract(render_article(article, churned), "http://127.0.0.1/news/x")
    assert after == before


def test_page_without_article_gives_an_empty_document() -> None:
    assert extract(b"<html><body></body></html>").is_empty
    assert extract(b"").is_empty


def test_mis_declared_encoding_still_extracts() -> None:
    article = Article.load("huawei-internment-blog")
    page = render_article(article).replace('charset="utf-8"', 'charset="iso-8859-1"')
    document = extract(page.encode("utf-8"))
    assert "Cassin" in " ".join(document.paragraphs)


@pytest.mark.parametrize("slug", sample_slugs())
def test_pages_parse_to_the_tree_trafilatura_would_make(slug: str) -> None:
    page = render_article(Article.load(slug)).encode("utf-8")
    assert tostring(parse_html(page)) == tostring(load_html(page))


@pytest.mark.parametrize("damage", ["control characters", "windows-1252", "gzip", "<html/>"])
def test_pages_that_need_repair_still_extract(damage: str) -> None:
    article = Article.load("huawei-internment-blog")
    page = render_article(article)
    body = {
        "control characters": page.replace("Cassin", "Cas\x0bsin\x00").encode("utf-8"),
        "windows-1252": page.replace("Cassin", "Cassín").encode("cp1252", "replace"),
        "gzip": gzip.compress(page.encode("utf-8")),
        "<html/>": page.replace('<html lang="en">', '<html lang="en"/>', 1).encode("utf-8"),
    }[damage]
    assert parse_html(body) is not None
    assert "Cas" in " ".join(extract(body).paragraphs)


def test_a_page_clock_beside_the_article_is_not_article_text() -> None:
    article = Article.load("huawei-internment-blog")
    page = render_article(article).replace(
        "</article>", "</article><p class='page-updated'>Page last updated 25 Nov 2026 "
        "12:11</p>")
    assert "12:11" not in " ".join(extract(page).paragraphs)


def test_counters_and_headline_lists_beside_the_article_are_not_article_text() -> None:
    """Two fetches of one page whose comment count, clock and related list all moved."""
    article = Article.load("huawei-internment-blog")

    def fetch(count: int, clock: str, stories: list[str]) -> str:
        related = "".join(f'<li><a href="/news/{i}">{s}</a><p>A summary of {s}.</p></li>'
                          for i, s in enumerate(stories))
        return render_article(article).replace(
            "</article>",
            f'</article><a href="#c" class="count">{count} Comments</a>'
            f"<p>Mis à jour le {clock}</p>"
            f"<section><h3>More on this</h3><ul>{related}</ul></section>")

    before = extract(fetch(12, "24.11.2026, 20:53 Uhr",
                           ["Court hears the first appeal", "Families ask for answers",
                            "Report names three more camps"]), "http://127.0.0.1/news/x")
    after = extract(fetch(13, "25 nov. 2026 à 05h12",
                          ["Minister resigns over the leak", "Rights group files a brief",
                           "Satellite images show new walls"]), "http://127.0.0.1/news/x")
    assert after == before
    text = " ".join(after.paragraphs)
    assert "Comments" not in text and "Court hears" not in text and "Mis à jour" not in text


def test_an_edit_to_an_organisation_byline_changes_the_document() -> None:
    """trafilatura drops an Organization author; the site's byline is still the byline."""
    article = Article.load("uk-accuses-china-article")

    def page(author: str) -> str:
        json_ld = ('<script type="application/ld+json">{"@context": "https://schema.org", '
                   '"@type": "NewsArticle", "author": {"@type": "Organization", '
                   f'"name": "{author}"}}}}</script>')
        html = render_article(article).replace(f'content="{article.author}"', 'content=""')
        html = html.replace(f'<span class="author">{article.author}</span>', "")
        return html.replace("</head>", json_ld + "</head>")

    before = extract(page("BBC News"), "http://127.0.0.1/news/x")
    after = extract(page("Dana Whitfield"), "http://127.0.0.1/news/x")
    assert (before.author, after.author) == ("BBC News", "Dana Whitfield")
    assert before.paragraphs == after.paragraphs


def _split_page(paragraphs: tuple[str, ...], related: tuple[str, ...] = ()) -> str:
    """An article cut into three same-class chunks with ad rows between (wired.com's layout)."""
    third = len(paragraphs) // 3 or 1
    chunks = [paragraphs[:third], paragraphs[third:2 * third], paragraphs[2 * third:]]
    body = '<div class="row ad">Advertisement</div>'.join(
        '<div class="grid"><div class="body article__body">'
        + "".join(f"<p>{p}</p>" for p in chunk)
        + '</div><div class="grid__aside"></div></div>' for chunk in chunks)
    teasers = "".join(f'<div class="teaser"><div class="card"><div class="card__inner">'
                      f'<div class="body article__body"><p>{t}</p><p>{t} again.</p></div>'
                      f"</div></div></div>" for t in related)
    return ("<html><head><title>Split</title></head><body><main><article>"
            f'<h1>Split</h1><div class="article__chunks">{body}</div></article>'
            f"<footer><section><h2>Related</h2>{teasers}</section></footer></main></body></html>")


def test_an_article_split_into_chunks_is_extracted_whole() -> None:
    paragraphs = Article.load("uk-accuses-china-article").paragraphs
    document = extract(_split_page(paragraphs), "http://127.0.0.1/news/x")
    assert document.paragraphs == tuple(normalise(p) for p in paragraphs)


def test_an_edit_to_the_last_chunk_changes_the_document() -> None:
    paragraphs = Article.load("uk-accuses-china-article").paragraphs
    edited = (*paragraphs[:-1], paragraphs[-1] + " The ministry later withdrew the claim.")
    before = extract(_split_page(paragraphs), "http://127.0.0.1/news/x")
    after = extract(_split_page(edited), "http://127.0.0.1/news/x")
    assert after != before
    assert "withdrew the claim" in after.paragraphs[-1]


def test_chunks_each_in_rows_of_their_own_are_joined() -> None:
    """rp.pl's layout: each chunk in a row, a column and a content box of its own,
    five levels below what they share, with a teaser row between."""
    paragraphs = Article.load("uk-accuses-china-article").paragraphs
    half = len(paragraphs) // 2
    row = ('<div class="row"><div class="col"><div class="row inner"><div class="content">'
           '<div class="body articleBody">{}</div></div></div></div></div>')
    body = (row.format("".join(f"<p>{p}</p>" for p in paragraphs[:half]))
            + '<div class="row"><div class="featured"><a href="/x">Read more</a></div></div>'
            + row.format("".join(f"<p>{p}</p>" for p in paragraphs[half:])))
    page = (f"<html><head><title>Rows</title></head><body><main><h1>Rows</h1>"
            f'<div class="wrapper">{body}</div></main></body></html>')
    document = extract(page, "http://127.0.0.1/news/x")
    assert document.paragraphs[-1] == normalise(paragraphs[-1])
    assert len(document.paragraphs) == len(paragraphs)


def test_same_class_teasers_far_from_the_article_are_not_joined_to_it() -> None:
    paragraphs = Article.load("uk-accuses-china-article").paragraphs
    related = ("Court hears the first appeal in the case", "Families ask the ministry for answers")
    document = extract(_split_page(paragraphs, related), "http://127.0.0.1/news/x")
    assert "Court hears" not in " ".join(document.paragraphs)
    assert normalise(paragraphs[-1]) in document.paragraphs


def test_an_article_whose_template_wraps_it_in_an_aside_is_still_extracted() -> None:
    """Asides stay for trafilatura's fallback extractors: some templates wrap the
    article's whole column in one, and without it the page had no article."""
    article = Article.load("uk-accuses-china-article")
    page = render_article(article).replace("<article", "<aside><article", 1).replace(
        "</article>", "</article></aside>", 1)
    document = extract(page.encode(), "http://127.0.0.1/news/x")
    assert normalise(article.paragraphs[-1]) in document.paragraphs
    assert len(document.paragraphs) >= len(article.paragraphs) - 1
