"""What part of a page a source watches: its ``selector`` and ``ignore`` rules.

Extraction guesses where the article is, and on some sites it guesses short: an
article split into several containers by ad rows, or a site whose furniture
sits inside the article's own element. A source can then say it in CSS, as in a
stylesheet: ``selector`` names the elements that hold the article (all of
them, in page order), ``ignore`` the elements that never count.
"""

from __future__ import annotations

from functools import lru_cache

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

LD_JSON = CSSSelector('script[type="application/ld+json"]', translator="html")


def scope_key(selector: str | None, ignore: tuple[str, ...]) -> str:
    """The rules as one string, stored beside a snapshot: when it differs, extract again."""
    if not selector and not ignore:
        return ""
    return f"selector={selector or ''}; ignore={', '.join(ignore)}"


@lru_cache(maxsize=256)
def _compiled(css: str) -> CSSSelector:
    return CSSSelector(css, translator="html")


def apply_scope(tree: HtmlElement, selector: str | None = None,
                ignore: tuple[str, ...] = ()) -> bool:
    """Cut ``tree`` down to what the source watches; False when the selector matches nothing.

    The ``<head>`` stays, and structured data (JSON-LD) from anywhere in the page
    moves into it, so the title, byline and date are found as before.
    """
    for css in ignore:
        for element in _compiled(css)(tree):
            if element.getparent() is not None:
                element.drop_tree()
    if selector is None:
        return True
    matches = _compiled(selector)(tree)
    chosen = set(matches)
    outermost = [m for m in matches if not any(a in chosen for a in m.iterancestors())]
    if not outermost:
        return False
    head = tree.find("head")
    if head is None:
        head = tree.makeelement("head")
        tree.insert(0, head)
    for script in LD_JSON(tree):
        if head not in script.iterancestors():
            head.append(script)
    # One container holding the matches' contents: left as separate blocks, they
    # would let extraction pick one of them again.
    article = tree.makeelement("article")
    for element in outermost:
        element.tail = None
        if element.text and element.text.strip():
            paragraph = tree.makeelement("p")
            paragraph.text = element.text
            article.append(paragraph)
        article.extend(list(element))  # moves them out of the old body
    body = tree.find("body")
    if body is not None:
        tree.remove(body)
    new_body = tree.makeelement("body")
    new_body.append(article)
    tree.append(new_body)
    return True
