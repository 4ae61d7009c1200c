"""What trafilatura left out of the article's own container, put back.

trafilatura decides paragraph by paragraph, and on today's templates it drops
parts of an article it has found: a guide's headings and lists, a listicle's
slides, an accordion's panels, text beside a link. An edit there would go
unseen. So once trafilatura has chosen its paragraphs, the element that holds
nearly all of them is the article's container, and the text blocks inside it
that it passed over come back, in page order, unless they are page furniture:
a menu, share bar, form, comment thread, newsletter or ad box, a byline or
dateline (tracked apart, and it holds clocks and counters), a list of links, or
a line that ``furniture.is_furniture`` knows. A container holding
much more than trafilatura took is the page, not the article: then nothing
is added. Where trafilatura took lines from all over the page, its sidebar and
footer too, the article is the element holding the most of them.

Some templates cut the article into chunks, one container per section, and
trafilatura (or readability, its fallback) takes one chunk. The container's
peers, elements of its kind at its depth under a near ancestor, are the other
chunks, and their blocks come back too. Text inside a link is a teaser's,
never the article's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml.html import HtmlElement

from monitor.core.document import normalise
from monitor.extract.furniture import is_furniture

BLOCKS = frozenset({"p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt"})
NOT_ARTICLE = frozenset({"a", "nav", "aside", "form", "header", "footer", "button", "select",
                         "figure", "menu", "noscript", "template"})
FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:ad|ads|advert\w*|sponsor\w*|promo\w*|share|sharing|social|related|"
    r"newsletter|subscribe|subscription|signup|sign-up|comments?|cookie\w*|consent|"
    r"sidebar|breadcrumbs?|menu|nav\w*|toc|table-of-contents|author-bio|bio|tags?|"
    r"pagination|pager|recirc\w*|popular|trending|more-stories|read-more|outbrain|taboola|"
    r"byline|authors?|meta|dateline|date|time|timestamp|updated|views?|counts?|credits?)"
    r"(?:$|[\s_-])", re.IGNORECASE)
UNSEEN = frozenset({"iframe", "script", "style", "noscript", "template", "object", "embed",
                    "video", "audio", "canvas", "svg", "math", "textarea", "select"})
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
NOT_WORD = re.compile(r"\W+")
HOLDS = 0.9  # share of the taken text the container holds
# Where trafilatura took text from all over the page, sidebar and footer too
# (bcbsok.com), the article is the element holding the most of it.
MOST_SPREAD = 0.4
PAGE_TAGS = frozenset({"html", "body"})
MOST_ADDED = 3.0  # times the taken text: more is a page, not an article's missing parts
SHORTEST = 25  # characters: a shorter block is a label or a button
MAX_LINK_SHARE = 0.5
MAX_PEER_DISTANCE = 4  # levels up to the chunks' shared wrapper (legalzoom.com: four)
# An id of four or more words is a heading's anchor ("menu-innovation-strategies"), not
# the name of what the element is.
ANCHOR_ID = re.compile(r"^[^\W\d_]+(?:[-_][^\W\d_]+){3,}$")
# A class token that numbers or hashes one element of a kind ("builder-526a6d67a9").
SERIAL_CLASS = re.compile(r"\S*\d\S*")


def restore_blocks(tree: HtmlElement, paragraphs: list[str]) -> list[str]:
    """``paragraphs`` with the blocks of their container that trafilatura dropped."""
    taken_text = "\n".join(paragraphs)
    if not taken_text:
        return paragraphs
    taken_key = _key(taken_text)
    blocks = [(block, text) for block in _leaf_blocks(tree)
              if (text := normalise("".join(_shown_text(block))))]
    # A short block ("World", "Share") is in any text: only longer ones say where it came from.
    taken = [(block, text) for block, text in blocks
             if len(text) >= SHORTEST and _key(text) in taken_key]
    container = _container(taken)
    if container is None:
        return paragraphs
    was_taken = {id(block) for block, _ in taken}
    chunks = {id(chunk): chunk for chunk in (container, *_peers(container))}
    inside = [(block, text, id(block) in was_taken, chunk) for block, text in blocks
              if (chunk := _chunk_of(block, chunks)) is not None]
    missing = [(block, text, chunk) for block, text, was, chunk in inside
               if not was and _is_article(block, text, chunk)]
    # Chunks found by their kind are the article; only the container can be the page.
    own = sum(len(text) for _, text, chunk in missing if chunk is container)
    if not missing or own > MOST_ADDED * len(taken_text):
        return paragraphs
    wanted = {id(block) for block, _, _ in missing}
    result, keys = list(paragraphs), [_key(p) for p in paragraphs]
    at = -1  # where the last block placed sits in ``result``; -1: before the first
    for block, text, was, _ in inside:
        if was:
            key = _key(text)
            at = next((i for i in range(max(at, 0), len(result)) if key in keys[i]), at)
        elif id(block) in wanted:
            at += 1
            result.insert(at, text)
            keys.insert(at, "")  # never where a later block taken is looked for
    return result


def _shown_text(element: HtmlElement) -> Iterator[str]:
    """The text a reader sees: not what an <iframe> holds for browsers without frames
    (indiewire.com keeps escaped markup there), nor a script's or an object's."""
    if element.text:
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and child.tag not in UNSEEN:
            yield from _shown_text(child)
        if child.tail:
            yield child.tail


def _key(text: str) -> str:
    """Text compared without spaces and punctuation: trafilatura breaks lines at <br>
    and puts "- " before list items."""
    return NOT_WORD.sub("", text).lower()


def _leaf_blocks(tree: HtmlElement) -> list[HtmlElement]:
    """Text blocks holding no other block, in page order (one walk up from each)."""
    blocks = list(tree.iter(*BLOCKS))
    holders: set[int] = set()
    for block in blocks:
        for ancestor in block.iterancestors():
            if id(ancestor) in holders:
                break  # the rest of the way up is marked already
            holders.add(id(ancestor))
    return [block for block in blocks if id(block) not in holders]


def _container(taken: list[tuple[HtmlElement, str]]) -> HtmlElement | None:
    total = sum(len(text) for _, text in taken)
    if not total:
        return None
    held: dict[HtmlElement, int] = {}
    depth: dict[HtmlElement, int] = {}
    for block, text in taken:
        for level, ancestor in enumerate(reversed(list(block.iterancestors()))):
            held[ancestor] = held.get(ancestor, 0) + len(text)
            depth[ancestor] = level
    enough = [a for a, size in held.items() if size >= HOLDS * total]
    container = max(enough, key=lambda a: depth[a]) if enough else None
    if container is None or container.tag in PAGE_TAGS:
        most = [a for a, size in held.items() if size >= MOST_SPREAD * total
                and a.tag not in PAGE_TAGS and not _is_furniture_element(a)]
        return max(most, key=lambda a: depth[a]) if most else container
    return container


def _chunk_of(block: HtmlElement, chunks: dict[int, HtmlElement]) -> HtmlElement | None:
    return next((a for a in block.iterancestors() if id(a) in chunks), None)


def _peers(container: HtmlElement) -> list[HtmlElement]:
    """The other chunks of an article cut into one container per section.

    A chunk is an element of the container's kind, as many levels under the
    nearest ancestor that holds any as the container is, through wrappers of
    the same kinds: legalzoom.com puts each section in a ``builder-text``, in
    wrappers named by a hash, and a sales box in wrappers of another kind.
    A container with no class to know its peers by has none.
    """
    kind = _kind(container)
    if not kind[1]:
        return []
    path = [kind]
    for ancestor in list(container.iterancestors())[:MAX_PEER_DISTANCE]:
        peers = [element for element in ancestor.iter(container.tag)
                 if element is not container and _hangs_from(element, ancestor, path)]
        if peers:
            return peers
        path.append(_kind(ancestor))
    return []


def _kind(element: HtmlElement) -> tuple[str, str]:
    """An element's tag and classes, without the classes that number or hash it."""
    return element.tag, " ".join(SERIAL_CLASS.sub("", element.get("class", "")).split())


def _hangs_from(element: HtmlElement, ancestor: HtmlElement,
                path: list[tuple[str, str]]) -> bool:
    """Whether ``element`` sits ``len(path)`` levels under ``ancestor``, through elements of
    the kinds ``path`` names (the element's own first), none of them furniture."""
    ups = [element, *list(element.iterancestors())[:len(path)]]
    return (len(ups) == len(path) + 1 and ups[-1] is ancestor
            and all(_kind(e) == k for e, k in zip(ups, path, strict=False))
            and not any(_is_furniture_element(e) for e in ups[1:-1]))


def _is_article(block: HtmlElement, text: str, container: HtmlElement) -> bool:
    if len(text) < SHORTEST or is_furniture(text) or next(block.iter("time"), None) is not None:
        return False  # a label, a clock, a dateline
    links = sum(len(normalise(a.text_content())) for a in block.iter("a"))
    if links > MAX_LINK_SHARE * len(text):
        return False
    for element in (block, *block.iterancestors()):
        if element is container:
            return True
        if _is_furniture_element(element):
            return False
    return True


def _is_furniture_element(element: HtmlElement) -> bool:
    ident = element.get("id", "")
    return (element.tag in NOT_ARTICLE or element.get("hidden") is not None
            or element.get("aria-hidden") == "true"
            or bool(HIDDEN.search(element.get("style", "")))
            or element.get("role") in ("navigation", "complementary", "dialog")
            or bool(FURNITURE.search(element.get("class", "")))
            or (not ANCHOR_ID.match(ident) and bool(FURNITURE.search(ident))))
