"""Captions are the article's words too: keep them for trafilatura.

A caption says who is in a photo, where and when it was taken, and who took it;
an edit to one ("protesters" for "rioters", a credit taken away) is an edit a
reader sees. trafilatura drops captions unless it is asked for images: it
removes every ``<figure>`` and every element whose class or id holds
"caption". Asked for images it also keeps their markup and addresses, whose
cache-busting queries change from one fetch to the next. So before it runs,
each captioned ``<figure>`` becomes a paragraph of its caption's text, and
"caption" in a class or id is renamed so that the element stays. A figure
without a caption (a chart, an embed) is left for trafilatura to drop.

readability's test pages, whose expected text holds captions, showed it:
edits to firefox-nightly-blog's captions went unseen (bench/README.md).
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from monitor.core.document import normalise

# The elements trafilatura's DISCARD_IMAGE_ELEMENTS (2.3) drops for "caption" in a class or id.
CAPTION_HOLDERS = ("div", "p", "section", "span")
CAPTION = re.compile("caption", re.IGNORECASE)
RENAMED = "legend"
WORD = re.compile(r"\w")


def keep_captions(tree: HtmlElement) -> None:
    """Turn captioned figures into paragraphs and rename caption classes, in place."""
    for figure in list(tree.iter("figure")):
        parent = figure.getparent()
        if parent is None or figure.find(".//table") is not None:
            continue  # trafilatura keeps a figure that holds a table as it is
        text = normalise(" ".join(" ".join(caption.itertext())
                                  for caption in figure.iter("figcaption")))
        if not WORD.search(text):
            continue  # none, or a lone dash
        paragraph = figure.makeelement("p", {})
        paragraph.text, paragraph.tail = text, figure.tail
        parent.replace(figure, paragraph)
    for element in tree.iter(*CAPTION_HOLDERS):
        for attribute in ("class", "id"):
            value = element.get(attribute)
            if value and CAPTION.search(value):
                element.set(attribute, CAPTION.sub(RENAMED, value))
