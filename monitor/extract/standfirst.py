"""The standfirst: the summary a reader sees under the headline.

Editors rewrite it as often as the headline, and it says what the article
claims in one sentence. It is the element the template marks as one
(``standfirst``, ``dek``, ``lede``, ``summary``, ``sapo``, ``chapo`` ...)
near the top of the page, or else the page's description where the page
also shows it as a paragraph.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

STANDFIRST_CLASS = re.compile(
    r"(?:^|[-_\s])(?:standfirst|dek|deck|lede|lead|leadtext|lead-text|summary|subtitle"
    r"|sub-?title|subheadline|sub-?headline|sapo|chapo|chapeau|intro|strapline|excerpt"
    r"|abstract|teaser-text|article-?description|description)(?:$|[-_\s])", re.IGNORECASE)
STANDFIRST_TAGS = frozenset({"p", "div", "h2", "span"})
NOT_STANDFIRST_TAGS = frozenset({"nav", "footer", "li", "figure", "figcaption", "aside", "form",
                                 "button", "a", "blockquote"})
BLOCK_TAGS = ("div", "p", "h1", "h2", "h3", "ul", "ol", "section", "figure", "table",
              "script", "iframe", "form", "img", "picture", "video")
NOT_STANDFIRST_CLASS = re.compile(r"author|bio\b|cookie|consent|newsletter|subscri|dialog"
                                  r"|modal|promo|related|teaser|card|share|caption|credit",
                                  re.IGNORECASE)
MIN_CHARS, MAX_CHARS = 30, 600
WITHIN = 120  # elements after the headline where a standfirst may start


def visible_standfirst(tree: HtmlElement, description: str | None) -> str:
    """The standfirst's text, "" when the page shows none.

    It is looked for just after the page's first ``<h1>``: an element marked
    as a standfirst that holds only text (not a wrapper, a menu, a caption or
    an author's bio), or else a paragraph that repeats the page's description.
    """
    wanted = " ".join((description or "").split())
    shown_description = ""
    after_headline = None
    for count, element in enumerate(tree.iter()):
        if after_headline is None:
            if element.tag == "h1":
                after_headline = count
            continue
        if count - after_headline > WITHIN:
            break
        if element.tag not in STANDFIRST_TAGS:
            continue
        marks = f"{element.get('class', '')} {element.get('id', '')} " \
                f"{element.get('itemprop', '')} {element.get('data-testid', '')}"
        if STANDFIRST_CLASS.search(marks) and not NOT_STANDFIRST_CLASS.search(marks):
            text = _text(element)
            if MIN_CHARS <= len(text) <= MAX_CHARS and _holds_only_text(element) \
                    and not _elsewhere(element):
                return text
        elif element.tag == "p" and wanted and not shown_description \
                and _text(element) == wanted and not _elsewhere(element):
            shown_description = wanted
    return shown_description


def _holds_only_text(element: HtmlElement) -> bool:
    return next(element.iter(*BLOCK_TAGS), element) is element and not any(
        True for _ in element.iterdescendants(*BLOCK_TAGS))


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _elsewhere(element: HtmlElement) -> bool:
    """Inside a list, a caption, a menu, a quote or a link: not the article's standfirst."""
    return any(a.tag in NOT_STANDFIRST_TAGS or NOT_STANDFIRST_CLASS.search(a.get("class", ""))
               for a in element.iterancestors())
