"""An article page's title, author and publication date.

trafilatura's ``extract_metadata`` also works out the site name, categories,
tags and licence, which we never use and which cost half of its time per page;
its author search copies the whole page and tests every element against
regular expressions in Python. This module runs the same steps for the three
fields we keep, with trafilatura's own functions where they are cheap, and
the author search as one walk over the page instead of XPaths over a copy.

It gives the same title and date as trafilatura. The author is what the page
states as data: trafilatura's meta and JSON-LD rules, then the structured
authors those rules drop ("BBC News" as a JSON-LD Organization, "Reuters"
alone in a meta tag), and only then the byline element that trafilatura would
read. Beside them it keeps what a reader sees: the page's headline and the
name its byline shows. Sites correct the visible byline and leave the old
name in their structured data, or the other way round; on bench/quality's
pages, half of the visible-only byline edits went unseen while only the
stated author was kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import suppress
from copy import copy
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import partial
from html import unescape
from typing import Any

from lxml.etree import Element
from lxml.html import HtmlElement

from monitor.extract.modified import modified_date
from monitor.extract.standfirst import visible_standfirst
from monitor.extract.trafilatura_parts import (
    AUTHOR_DISCARD_XPATHS,
    as_list,
    examine_meta,
    extract_meta_json,
    extract_title,
    extract_url,
    find_date,
    line_processing,
    normalize_authors,
    prune_unwanted_nodes,
    trim,
)

MAX_FIELD = 10_000  # characters, as trafilatura cuts a field
MAX_AUTHOR = 120  # characters of a byline element's text, as trafilatura
MAX_HEADLINE = 300  # characters: a longer <h1> is not a headline
MAX_BYLINE_ELEMENT = 1_000  # characters: a longer element is a bio or a page part
DIGIT = re.compile(r"\d")
NAME_PART = re.compile(r"\w+")
CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
HIDDEN_TAGS = ("time", "script", "style", "noscript", "template")  # not a byline's words
NOT_BYLINE_TAGS = frozenset({"link", "author", "meta", *HIDDEN_TAGS})
COMMENT_FLAGS = ("open", "closed", "enabled", "disabled", "on", "off", "count", "counter")
NOT_SHOWN_TAGS = frozenset({"script", "style", "noscript", "template", "title", "h1"})
ELSEWHERE_TAGS = frozenset({"nav", "footer", "li", "script", "style", "noscript", "template"})
BYLINE_PREFIX = re.compile(
    r"^(?:(?:written|posted|reported|words|text|story|analysis)\s+)?"
    r"(?:by|von|par|por|di|door|av|af|przez|автор|yazan)\s*:?\s+", re.IGNORECASE)
# A class or id word naming a site's navigation ("nav", "navbar", "nav-user", "navigation").
NAV_WORD = re.compile(r"nav(?:bar|igation)?(?:[-_]\w*)?", re.IGNORECASE)
# A social button ("Follow @erinmcunningham"), whose handle trafilatura would strip to "Follow".
FOLLOW = re.compile(r"(?:follow|folgen|suivre|seguir|segui)\b", re.IGNORECASE)
DATE_PARAMS: dict[str, Any] = {"extensive_search": False, "original_date": True}


# trafilatura.xpaths.AUTHOR_XPATHS (2.3) in Python, read in one walk over the page: as
# XPaths they cost ~2 ms a page each, and the walk ~1.8 ms for all three.
BYLINE_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
AUTHOR_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
BYLINE_CLASS = re.compile("author-?name|AuthorName|authorName")
AUTHOR_CLASS = re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by"
                          "|journalist-name")
AUTHOR_ID = re.compile("author|zuozhe|bianji|xiaobian")
ANY_AUTHOR_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
# Every class or id that any of the three tests looks for holds one of these.
HINT = re.compile("[Aa]uthor|yline|byl|BBL|username|channel-name|zuozhe|bianji|xiaobian"
                  "|submitted-by|posted-by|journalist-name|screenname|writer")
HINT_ATTRIBUTES = ("rel", "data-testid", "data-component", "itemprop")
# trafilatura.xpaths.AUTHOR_DISCARD_XPATHS: where a byline-like element is not the byline.
DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
DISCARD_CLASS = re.compile(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram"
    "|article-(?:share|support)|print|category|meta-date|meta-reviewer")


@dataclass(frozen=True)
class Metadata:
    """What we keep of a page's metadata; "" where the page gives none."""

    title: str = ""
    author: str = ""
    date: str = ""
    headline: str = ""  # the page's visible heading
    byline: str = ""  # the page's visible byline
    standfirst: str = ""  # the summary shown under the headline
    modified: str = ""  # the date the page says it was last modified


def extract_metadata(tree: HtmlElement, url: str | None = None) -> Metadata:
    """Title, author and original publication date, as trafilatura would find them.

    The steps and their order are trafilatura's ``extract_metadata``: meta tags,
    then JSON-LD over them, then the page's headline and byline elements for
    what is still missing; htmldate for the date, told the page's own URL (its
    canonical only without one). htmldate trusts a date in the URL before the
    page's meta tags, so told the canonical, a page whose canonical was pointed
    at a dated URL elsewhere would seem to change its date: that is a
    ``canonical-changed``, not an edit.
    Where they find no author, ``stated_author`` comes before the byline
    element: the author is what the page states, the byline what it shows
    (found whatever the metadata says).
    """
    meta = examine_meta(tree)
    meta_author = meta.author
    if meta.author and " " not in meta.author:
        meta.author = None  # trafilatura's rule: one word is a site or a handle more often
    with suppress(Exception):  # as trafilatura: its JSON-LD walk has bugs
        meta = extract_meta_json(tree, meta)
    title = meta.title or extract_title(tree)
    candidates = _byline_candidates(tree)  # one walk, for both byline searches
    author = meta.author or stated_author(tree, meta_author) or byline_author(tree, candidates)
    page_url = url or meta.url or extract_url(tree, url)
    date = find_date(tree, **DATE_PARAMS, url=page_url)
    return Metadata(title=_clean(title), author=_clean(author), date=_clean(date),
                    headline=_clean(visible_headline(tree, title)),
                    byline=_clean(visible_byline(tree, author, candidates)),
                    standfirst=_clean(visible_standfirst(tree, meta.description)),
                    modified=modified_date(tree))


def visible_headline(tree: HtmlElement, title: str | None) -> str | None:
    """The page's ``<h1>`` that reads most like its title: the headline readers see.

    Pages hold more than one ``<h1>`` (the site's name, a sidebar's heading); the
    article's is the one closest to the title the page states.
    """
    headings = [text for h1 in tree.iter("h1")
                if 1 < len(text := trim(" ".join(h1.itertext())) or "") <= MAX_HEADLINE]
    if len(headings) < 2 or not title:
        return headings[0] if headings else None
    folded = title.casefold()
    return max(headings, key=lambda text: SequenceMatcher(
        None, folded, text.casefold(), autojunk=False).ratio())


def byline_author(tree: HtmlElement,
                  candidates: tuple[list[HtmlElement], ...] | None = None) -> str | None:
    """trafilatura's ``extract_author``: the text of the first byline-like element.

    trafilatura cuts comments, captions, dates and share bars out of a copy of
    the whole page first and then searches it; here the search runs on the
    page, a candidate inside such a part is passed over, and only the
    candidate is copied to cut them out of its text. Same answer, a third of
    the time.
    """
    for found in candidates or _byline_candidates(tree):
        for element in found:
            if any(_discarded(e) for e in (element, *element.iterancestors())) \
                    or _in_site_menu(element):
                continue
            text = trim(" ".join(prune_unwanted_nodes(copy(element),
                                                      AUTHOR_DISCARD_XPATHS).itertext()))
            if 2 < len(text) < MAX_AUTHOR and not FOLLOW.match(text):
                return normalize_authors(None, text)
    return None


def _byline_candidates(tree: HtmlElement) -> tuple[list[HtmlElement], ...]:
    """Elements that each of trafilatura's three author XPaths selects, in page order."""
    specific: list[HtmlElement] = []
    generic: list[HtmlElement] = []
    last_resort: list[HtmlElement] = []
    for element in tree.iter(Element):
        tag, attributes = element.tag, element.attrib
        if tag == "author":
            specific.append(element)
        if not attributes:
            continue
        cls, ident = attributes.get("class", ""), attributes.get("id", "")
        if not (HINT.search(cls) or HINT.search(ident)
                or any(name in attributes for name in HINT_ATTRIBUTES)):
            continue
        itemprop = attributes.get("itemprop", "")
        if tag in BYLINE_TAGS and (
                attributes.get("rel") == "author" or ident == "author" or cls == "author"
                or itemprop == "author name" or BYLINE_CLASS.search(cls)
                or attributes.get("data-testid") in ("AuthorCard", "AuthorURL")):
            specific.append(element)
        if tag in AUTHOR_TAGS and (
                cls in ("byline", "username", "byl", "BBL") or "author" in itemprop
                or AUTHOR_ID.search(ident) or AUTHOR_CLASS.search(cls)):
            generic.append(element)
        if ("Byline" in attributes.get("data-component", "") or "author" in itemprop
                or "uthor" in ident or ANY_AUTHOR_CLASS.search(cls)):
            last_resort.append(element)
    return specific, generic, last_resort


def visible_byline(tree: HtmlElement, author: str | None,
                   candidates: tuple[list[HtmlElement], ...] | None = None) -> str | None:
    """The byline as the page shows it.

    The stated author when the page shows that name: in a byline-like element,
    or else in its text outside menus, lists and comments (many templates set
    the byline in plain elements). Otherwise the first byline-like element's
    text without a number in it (a number is a date or a count more often than
    a name). When a site corrects the visible name and keeps the old one in its
    structured data, the page no longer shows the old name, and what is read
    here changes. trafilatura's own search is not used: it passes over bylines
    inside parts it cuts, and reads "Monday 7:45 am PST by Joe Rossignol" as a date.
    """
    shows = _name_matchers(author)
    fallback = None
    for element in (e for found in candidates or _byline_candidates(tree) for e in found):
        if element.tag in NOT_BYLINE_TAGS or _in_comments(element) or _in_site_menu(element) \
                or len(" ".join(element.itertext())) > MAX_BYLINE_ELEMENT:
            continue  # a long one is a bio or a part of the page: not copied
        copied = copy(element)
        for hidden in list(copied.iterdescendants(*HIDDEN_TAGS)):
            hidden.drop_tree()
        text = trim(" ".join(copied.itertext())) or ""
        if shows and all(test(text) for test in shows):
            return author
        text = BYLINE_PREFIX.sub("", text)
        if fallback is None and 2 < len(text) < MAX_AUTHOR and not DIGIT.search(text) \
                and not FOLLOW.match(text):
            fallback = text
    if shows and all(_shown_anywhere(tree, test) for test in shows):
        return author
    return fallback


def _name_matchers(name: str | None) -> list[Callable[[str], bool]]:
    """For each author of ``name`` ("Adam Vidler; AP"), a test for a text showing them:
    their words in order, whatever the punctuation and case between them
    ("Rachael Link; MS; RD" is shown as "Rachael Link, MS, RD")."""
    tests: list[Callable[[str], bool]] = []
    for author in (name or "").casefold().split(";"):
        words = NAME_PART.findall(author)
        if not words:
            continue
        if CJK.search(author):  # no spaces between words: a name sits inside a run of text
            pattern = re.compile(re.escape(author.strip()))
        else:
            pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)")
        tests.append(partial(_shows, pattern))
    return tests


def _shows(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text.casefold()) is not None


def _shown_anywhere(tree: HtmlElement, shows: Callable[[str], bool]) -> bool:
    """Whether the page's text, outside menus, lists and comments, shows the name."""
    body = tree.find("body")
    if body is None:
        return False
    for element in body.iter(Element):
        pieces = [(element.tail, element.getparent())]
        if element.tag not in NOT_SHOWN_TAGS:
            pieces.append((element.text, element))
        for text, holder in pieces:
            if text and holder is not None and shows(text) and not _in_comments(holder) \
                    and not any(e.tag in ELSEWHERE_TAGS for e in (holder, *holder.iterancestors())):
                return True
    return False


def _in_comments(element: HtmlElement) -> bool:
    """Inside a comment thread: a commenter's name is not the byline.

    A class or id word that starts with "comment" marks one, unless it is a
    flag ("comments-open" on WordPress's <body>, "comments-enabled" around a
    whole article) or a count; the page's <body> is never one.
    """
    for e in (element, *element.iterancestors()):
        if e.tag in ("body", "html"):
            return False
        words = f"{e.get('class', '')} {e.get('id', '')}".lower().split()
        if any(word.startswith("comment") and not word.endswith(COMMENT_FLAGS)
               for word in words):
            return True
    return False


def _in_site_menu(element: HtmlElement) -> bool:
    """Inside the site's navigation: a "username" there is the signed-in reader's
    placeholder (washingtonpost.com's "Username"), never the article's byline."""
    for e in (element, *element.iterancestors()):
        if e.tag == "nav" or e.get("role") == "navigation":
            return True
        if any(NAV_WORD.fullmatch(word) for word in
               f"{e.get('class', '')} {e.get('id', '')}".split()):
            return True
    return False


def stated_author(tree: HtmlElement, meta_author: str | None) -> str | None:
    """The author the page states as data where trafilatura's rules take none.

    trafilatura reads JSON-LD authors only when they are a Person of an article
    whose ``@context`` is a plain schema.org URL, and meta authors only of two
    words or more: "BBC News" as an Organization, "Reuters" alone, or the
    author of a MedicalWebPage are dropped, though they are the byline readers
    see, and an edit to them is an edit to the article. The JSON-LD author goes
    first, as it does for trafilatura; both are structured data, so no page
    furniture (clocks, counts) comes in with them. They come before the byline
    element, which ``visible_byline`` reads for the byline of its own.
    """
    return _json_ld_author(tree) or meta_author


def _json_ld_author(tree: HtmlElement) -> str | None:
    """The author names of the first top-level JSON-LD item that has any."""
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        for item in _json_ld_items(data):
            author = None
            for name in map(_json_ld_name, as_list(item.get("author"))):
                if name:
                    author = normalize_authors(author, name)
            if author:
                return author
    return None


def _json_ld_items(data: Any) -> list[dict[str, Any]]:
    """The top-level objects of a JSON-LD block, those of its ``@graph`` included.

    Nested ones stay out: a comment's or a review's author is not the article's.
    """
    items: list[Any] = []
    for item in as_list(data):
        if isinstance(item, dict):
            items += as_list(item.get("@graph")) if "@graph" in item else [item]
    return [item for item in items if isinstance(item, dict)]


def _json_ld_name(author: Any) -> str | None:
    """A JSON-LD author's name: a plain string, or an object's ``name``."""
    if isinstance(author, dict):
        author = author.get("name")
    return author if isinstance(author, str) else None


def _discarded(element: HtmlElement) -> bool:
    """Whether trafilatura's author search cuts this element out of the page."""
    tag = element.tag
    if tag in ("time", "figure"):
        return True
    if tag not in DISCARD_TAGS:
        return False
    cls, ident = element.get("class", ""), element.get("id", "")
    return (ident == "comments" or cls in ("comments", "title", "date")
            or bool(DISCARD_ID.search(ident) or DISCARD_CLASS.search(cls))
            or "Figure" in element.get("data-component", ""))


def _clean(value: str | None) -> str:
    """A field as trafilatura's ``Document.clean_and_trim`` leaves it."""
    if not value:
        return ""
    if len(value) > MAX_FIELD:
        value = value[:MAX_FIELD - 1] + "…"
    return line_processing(unescape(value)) or ""

