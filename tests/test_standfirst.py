"""The standfirst: the summary under the headline, and what is not one."""

from __future__ import annotations

from lxml.html import fromstring

from monitor.extract.article import extract
from monitor.extract.standfirst import visible_standfirst

SUMMARY = "Negotiators meet again in Geneva after a week of clashes on the border."


def page(inner: str) -> str:
    return f"<html><body><nav><a href='/'>Home</a></nav><article>{inner}</article></body></html>"


def test_the_element_marked_as_a_standfirst_after_the_headline() -> None:
    tree = fromstring(page(f"<h1>Talks resume</h1><p class='article-standfirst'>{SUMMARY}</p>"
                           "<p>Body text.</p>"))
    assert visible_standfirst(tree, None) == SUMMARY


def test_wrappers_bios_and_text_before_the_headline_are_not_one() -> None:
    wrapper = page(f"<h1>T</h1><div class='intro'><p>{SUMMARY}</p><p>{SUMMARY}</p></div>")
    assert visible_standfirst(fromstring(wrapper), None) == ""
    bio = page(f"<h1>T</h1><div class='author-bio'><p class='summary'>{SUMMARY}</p></div>")
    assert visible_standfirst(fromstring(bio), None) == ""
    before = page(f"<p class='standfirst'>{SUMMARY}</p><h1>T</h1>")
    assert visible_standfirst(fromstring(before), None) == ""


def test_a_paragraph_that_shows_the_page_description() -> None:
    tree = fromstring(page(f"<h1>T</h1><p>{SUMMARY}</p><p>Body.</p>"))
    assert visible_standfirst(tree, SUMMARY) == SUMMARY
    assert visible_standfirst(tree, "Another description entirely, never shown.") == ""


def test_the_standfirst_is_kept_once_not_again_as_the_first_paragraph() -> None:
    body = " ".join(["The talks resumed on Monday with both delegations present."] * 4)
    html = page(f"<h1>Talks resume</h1><p class='standfirst'>{SUMMARY}</p><p>{body}</p>"
                f"<p>{body} Again.</p>")
    document = extract(html.encode(), "https://example.org/a")
    assert document.standfirst == SUMMARY
    assert SUMMARY not in document.paragraphs
