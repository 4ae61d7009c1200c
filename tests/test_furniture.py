"""monitor/furniture.py: clocks, counters and headline lists are not the article."""

from __future__ import annotations

import lxml.html
import pytest

from monitor.extract.furniture import drop_furniture_elements, drop_teaser_lists, is_furniture

PAGE_URL = "https://news.example.org/2026/11/report.html"


@pytest.mark.parametrize("line", [
    "Page last updated 25 Nov 2026 12:11",
    "Updated 5 minutes ago",
    "12:11 GMT",
    "Published on March 5, 2020 at 10:30 am",
    "Updated 2026-11-24T17:21:00Z",
    "Nov. 24, 2026, 8:25 a.m. ET",
    "Stand: 25.11.2026, 15:50 Uhr",
    "vor 5 Minuten",
    "Mis à jour le 24 nov. 2026 à 05h12",
    "il y a 2 min",
    "47 hrs ago",
    "Page generated 25.11.2026, 03:54 Uhr in 72 ms",
    "888 Comments",
    "9,038 reads · 720 shares",
    "This page has been viewed 12,345 times",
])
def test_clocks_and_counters_are_furniture(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "The meeting at 10:30 was cancelled",
    "He said 24 people died at 12:11",
    "Police detained 80,000 people",
    "Killed: 12",
    "12 March 2021",  # a timeline's heading: a date, but no clock
    "34",  # a bare number, such as a table cell
    "Most read",
    "Updated " + "on 5 May 2026 at 10:30 " * 5,  # too long to be a stamp
])
def test_article_text_is_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def page(body: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><body>{body}</body></html>")


def text_of(tree: lxml.html.HtmlElement) -> str:
    return " ".join(" ".join(tree.itertext()).split())


def test_a_list_of_the_sites_own_headlines_goes_with_its_heading() -> None:
    items = "".join(f'<li><a href="/2026/11/story-{i}.html">Story number {i} of the day'
                    f"</a><p>Its summary.</p></li>" for i in range(4))
    tree = page(f"<p>Article text.</p><h2>Most read</h2><ol>{items}</ol><p>After.</p>")
    drop_teaser_lists(tree, PAGE_URL)
    assert text_of(tree) == "Article text. After."


@pytest.mark.parametrize("items", [
    # sources on other sites: the article's references
    [f'<a href="https://un.example.int/doc-{i}.pdf">UN report number {i}</a>'
     for i in range(4)],
    # text before the link: an item of the article, not a teaser
    [f'In {2020 + i}, <a href="/2026/11/s-{i}.html">the court ruled again</a>'
     for i in range(4)],
    # a menu: one-word links
    [f'<a href="/{name}/">{name}</a>' for name in ("World", "Asia", "Opinion", "Video")],
    # two items are too few to tell
    [f'<a href="/2026/11/s-{i}.html">Story number {i} of the day</a>' for i in range(2)],
])
def test_other_lists_of_links_stay(items: list[str]) -> None:
    tree = page("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
    before = text_of(tree)
    drop_teaser_lists(tree, PAGE_URL)
    assert text_of(tree) == before


def test_an_element_holding_only_a_count_or_clock_goes() -> None:
    tree = page('<div><a class="count" href="#c">888 Comments</a><span>Updated 5 min ago'
                "</span><p>The article.</p></div>")
    drop_furniture_elements(tree)
    assert text_of(tree) == "The article."


def test_a_clock_inside_a_sentence_or_a_table_stays() -> None:
    tree = page("<p>The attack began at <time>12:11</time> local time.</p>"
                "<table><tr><td>12:30</td><td>Police opened fire</td></tr></table>")
    before = text_of(tree)
    drop_furniture_elements(tree)
    assert text_of(tree) == before


def test_a_clock_whose_number_is_in_a_nested_elements_tail_goes_whole() -> None:
    """The digit is in text after <b>, so the <p> holding it is what must go."""
    tree = page("<section><p><b>Updated</b> 5 minutes ago</p></section>"
                "<div><p>A long paragraph of the article that mentions 2026 and runs on well "
                "past the length of any clock or counter line a template would print.</p>"
                "<p>Stand: 25.11.2026, 15:50 Uhr</p></div>")
    drop_furniture_elements(tree)
    text = text_of(tree)
    assert "Updated" not in text and "minutes" not in text and "Stand" not in text
    assert "mentions 2026" in text
