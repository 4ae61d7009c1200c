"""HTML to article document (trafilatura), and the snapshot file format.

Only wording should count: text is NFC-normalised and whitespace collapsed,
comments are left out (trafilatura includes them by default, and a comment
count is page furniture), and the date is the original publication date rather
than whatever "updated" stamp the page template shows today.

trafilatura runs with its fallback extractors (readability and jusText, which
it compares with its own result). They cost about a third more time per page,
and they are what catches an article that trafilatura's own rules cut short or
miss: on a second set of real pages that nothing here was tuned on (fundus's
test pages, bench/README.md), body edits missed fell from 2.7% without them to
0.8%, while false alerts on noise stayed at 0.4% on the shared corpus.

What trafilatura passes over inside the article it found comes back: its
captions (monitor.extract.captions) and the text blocks of its container
(monitor.extract.container). On today's pages (WCXB, bench/README.md) it
drops a guide's headings and lists, a listicle's slides, an accordion's panels,
and all but one chunk of an article a page builder cuts into chunks.

trafilatura extracts only the text; the title, author, date and the visible
headline and byline come from monitor.extract.metadata, which runs
trafilatura's metadata steps for just those fields (its own adds site name,
categories, tags and licence, a third of the time per page).

The page is parsed once, the way trafilatura would, and what trafilatura
would throw away unread (scripts, styles, footers) goes before it starts.
"""

from __future__ import annotations

import re
from itertools import islice

import trafilatura
from lxml.etree import ElementDefaultClassLookup, HTMLParser, LxmlError, strip_elements
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction, fromstring

from monitor.core.document import Document, normalise
from monitor.core.words import unseen_removed
from monitor.extract.captions import keep_captions
from monitor.extract.container import restore_blocks
from monitor.extract.furniture import drop_furniture_elements, drop_teaser_lists, is_furniture
from monitor.extract.metadata import extract_metadata
from monitor.extract.overlays import drop_overlays
from monitor.extract.scope import apply_scope
from monitor.extract.trafilatura_parts import load_html

# What trafilatura's load_html repairs before parsing: control characters, a gzip body,
# a self-closing <html/>. A page without any of them is parsed as it is.
CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE, U+FFFF in UTF-8
SELF_CLOSING_HTML = re.compile(rb"<html[^>]*/>", re.IGNORECASE)
# Elements that every stage of trafilatura removes (its page-text measure too), but only
# after it has run its XPaths over them and copied them; removed first, they cost nothing.
# Not <aside>: the fallback extractors read the page as it is, and some templates wrap
# their article's column in one.
NOT_ARTICLE_TAGS = ("style", "svg", "template", "link", "meta", "noscript", "footer",
                    "fencedframe")
# trafilatura's test for an article body container (the first of its BODY_XPATH, 2.3).
BODY_TAGS = ("article", "div", "main", "section")
BODY_CLASS = re.compile(
    "post[-_]text|post-body|post-?entry|post[-_]?content|postContent|post_inner_wrapper"
    "|article-?text|articleText|(?:entry|page|text|article|art)-content|article__content"
    "|article(?:-|__)?body|articleBody|ArticleContent|body-text|article__container")
BODY_ID = re.compile("(?:entry|article|art)-content|article__content|article(?:-|__)?body"
                     "|articleBody|body-text")
STANDFIRST_WITHIN = 3  # paragraphs at the top where the standfirst repeats in the text
MIN_CHUNK_PARAGRAPHS = 2
MAX_CHUNK_DISTANCE = 6  # levels up to the chunks' common container (rp.pl: five)
# trafilatura's parser, but every element an HtmlElement chosen in C: lxml.html's own
# lookup is a Python call for each element touched (~1 ms a page), to give form
# elements classes of their own that nothing here uses.
HTML_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                         remove_comments=True, remove_pis=True)
HTML_PARSER.set_element_class_lookup(ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))


# Work is bounded by the page's size, never by a clock, so that the same page gives
# the same result on any machine. 50,000 elements extract in about 6 s of CPU here.
MAX_ELEMENTS = 50_000


class PageTooLarge(Exception):
    """A page too big to be an article: that source's error, never a different text."""


def extract(html: bytes | str, url: str | None = None, *, selector: str | None = None,
            ignore: tuple[str, ...] = ()) -> Document:
    """The article in a page; an empty Document when trafilatura finds none.

    ``selector`` and ``ignore`` are the source's CSS rules (monitor.extract.scope).
    """
    tree = parse_html(html)
    if tree is None:
        return Document()
    elements = sum(1 for _ in islice(tree.iter(), MAX_ELEMENTS + 1))
    if elements > MAX_ELEMENTS:
        raise PageTooLarge(f"the page has more than {MAX_ELEMENTS:,} HTML elements, more than "
                           "any article page (the largest of 181 real ones has 1,600): "
                           "not extracted")
    remove_unseen(tree)
    if (selector or ignore) and not apply_scope(tree, selector, ignore):
        return Document()
    if not selector:
        join_article_chunks(tree)
    drop_teaser_lists(tree, url)
    drop_overlays(tree)
    drop_furniture_elements(tree)
    metadata = extract_metadata(tree, url)
    drop_not_article(tree)
    keep_captions(tree)
    result = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        fast=False,
        include_tables=True,
    )
    if result is None or isinstance(result, dict):
        return Document()
    title = normalise(metadata.title)
    paragraphs = [normalise(line) for line in (result.text or "").split("\n")]
    paragraphs = [p for p in paragraphs if p and not is_furniture(p)]
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # the headline repeated as the body's first line
    paragraphs = restore_blocks(tree, paragraphs)
    author, headline, byline, standfirst = (normalise(value) for value in (
        metadata.author, metadata.headline, metadata.byline, metadata.standfirst))
    if standfirst in paragraphs[:STANDFIRST_WITHIN]:  # tracked as the standfirst only
        paragraphs.remove(standfirst)
    return Document(title=title, author=author, date=normalise(metadata.date),
                    paragraphs=tuple(paragraphs), headline=headline if headline != title else "",
                    byline=byline, standfirst=standfirst, modified=normalise(metadata.modified))


def remove_unseen(tree: HtmlElement) -> None:
    """Take out of the page's text what no reader sees (``words.unseen_removed``).

    trafilatura's choice of paragraphs rests on text lengths: zero-width
    characters, bidi marks or tatweel sprinkled into a page (bench/quality's
    script churn) changed which paragraphs it took on 3 of 69 pages. Removed
    first, the same page always gives the same text.
    """
    for element in tree.iter():
        text, tail = element.text, element.tail
        if text and not text.isascii():
            element.text = unseen_removed(text)
        if tail and not tail.isascii():
            element.tail = unseen_removed(tail)


def parse_html(html: bytes | str) -> HtmlElement | None:
    """The page's tree, as trafilatura's ``load_html`` makes it, at a third of the cost.

    ``load_html`` decodes the page, runs its repairs over the whole text and
    parses the text; UTF-8 bytes that need no repair give the same tree parsed
    as they are (checked on bench/quality's 4,248 pages). Anything else takes
    ``load_html``'s way: other encodings, compressed bodies, broken markup.
    """
    if isinstance(html, bytes) and not needs_repair(html):
        try:
            html.decode("utf-8")
            tree = fromstring(html, parser=HTML_PARSER)
        except (UnicodeDecodeError, LxmlError):  # not UTF-8; an empty page
            pass
        else:
            if tree is not None and (len(tree) > 1 or b"html" in html[:50].lower()):
                return tree
    return load_html(html)


def join_article_chunks(tree: HtmlElement) -> None:
    """Join an article that the page splits into chunks, so trafilatura takes all of it.

    Some templates (wired.com's) cut the article body into several containers of
    the same class, with ad rows between them. trafilatura takes the first
    container its body test finds, and an edit in any later chunk would go
    unseen. Chunks are containers that pass that test, share their class, each
    hold paragraphs, and sit close together in the same kind of wrapper; the
    later ones move to the end of the first. Teasers elsewhere on the page, or
    with one paragraph each, are not chunks; containers inside one that holds
    them all are left as they are.
    """
    by_class: dict[str, list[HtmlElement]] = {}
    for element in tree.iter(*BODY_TAGS):
        cls = element.get("class", "")
        if cls and _is_body_container(element, cls):
            by_class.setdefault(cls, []).append(element)
    every = {element for containers in by_class.values() for element in containers}
    for containers in by_class.values():
        # Inside a container that holds them all, trafilatura takes them all already.
        chunks = [c for c in containers if not any(a in every for a in c.iterancestors())
                  and len(c.findall(".//p")) >= MIN_CHUNK_PARAGRAPHS]
        later = [chunk for chunk in chunks[1:] if _close_together(chunks[0], chunk)]
        for chunk in later:
            _keep_tail_in_place(chunk)
            chunks[0].append(chunk)
        if later:
            return


def _keep_tail_in_place(element: HtmlElement) -> None:
    """Leave the text that follows ``element`` where it is before ``element`` moves."""
    tail, element.tail = element.tail, None
    if tail:
        previous, parent = element.getprevious(), element.getparent()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        elif parent is not None:
            parent.text = (parent.text or "") + tail


def _is_body_container(element: HtmlElement, cls: str) -> bool:
    ident = element.get("id", "")
    return (cls in ("post", "entry") or element.get("itemprop") == "articleBody"
            or ident == "articleContent" or bool(BODY_ID.search(ident))
            or bool(BODY_CLASS.search(cls)))


def _close_together(first: HtmlElement, other: HtmlElement) -> bool:
    """Whether two chunks are one template row repeated: they share a container at
    most a few levels above each, at the same depth, through wrappers of the same
    tags and classes (rp.pl puts each chunk in a row, a column and a content
    box of its own). A teaser in another part of the page hangs off a
    different path, however close."""
    up_first = list(first.iterancestors())[:MAX_CHUNK_DISTANCE]
    up_other = list(other.iterancestors())[:MAX_CHUNK_DISTANCE]
    for depth, ancestor in enumerate(up_first):
        if ancestor in up_other:
            return up_other.index(ancestor) == depth and all(
                (a.tag, a.get("class")) == (b.tag, b.get("class"))
                for a, b in zip(up_first[:depth], up_other[:depth], strict=True))
    return False


def drop_not_article(tree: HtmlElement) -> None:
    """Remove what trafilatura would: scripts (not JSON-LD, which it reads), styles, footers."""
    scripts = [script for script in tree.iter("script")
               if script.get("type") != "application/ld+json"]
    for script in scripts:
        script.drop_tree()
    strip_elements(tree, *NOT_ARTICLE_TAGS, with_tail=False)


def needs_repair(html: bytes) -> bool:
    # bytes.translate and ``in`` run in C; a regular expression over the page costs more
    # than parsing it.
    return (html[:2] == b"\x1f\x8b" or len(html.translate(None, CONTROL_BYTES)) != len(html)
            or (b"\xef\xbf" in html and any(character in html for character in NONCHARACTERS))
            or SELF_CLOSING_HTML.search(html) is not None)
