"""Ad slots and cookie banners out of the page before extraction.

Neither is ever the article, both change from one fetch to the next (another
advertiser's copy, a banner that shows on some fetches and not others), and
on a page where trafilatura and its fallbacks take more than the article
(a template without a clear article element) they come in with it and alert.
Templates name them plainly: ``ad-slot``, ``advertisement``, ``div-gpt-ad-…``;
``cookie-banner``, ``onetrust-banner-sdk``, ``didomi-host``.

An element goes when a word of its class or id names an ad slot, or a consent
box (a "cookie" word needs the box to be a dialog or to hold a button, as a
recipe's ``cookie-card`` does not). Never one that holds half of the page's
text or more: whatever its name, that is the article. "advertorial" is
sponsored content, an article: it stays.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

AD_WORD = re.compile(
    r"(?:ad|ads|advert|adverts|advertisement|advertisements|advertising|adslot|adunit|"
    r"adsense|dfp|gpt)(?:[-_](?:slot|unit|box|container|wrapper|label|banner|placeholder|"
    r"space|zone|block|leaderboard|top|bottom|side|sidebar|lead|inline|mpu|rail|\d+))*"
    r"|div-gpt-ad[-\w]*|google[-_]ads?[-\w]*", re.IGNORECASE)
CONSENT_WORD = re.compile(r"onetrust[-\w]*|didomi[-\w]*|usercentrics[-\w]*|cookiebot[-\w]*|"
                          r"\w*cybotcookiebot\w*|qc-cmp\w*[-\w]*|cmp[-_](?:container|banner|"
                          r"dialog|wrapper)|(?:gdpr|consent)[-_]?(?:banner|bar|box|dialog|"
                          r"modal|notice|popup|overlay|container|wrapper)?", re.IGNORECASE)
COOKIE_WORD = re.compile(r"cookies?[-_]?(?:banner|bar|box|consent|dialog|modal|notice|popup|"
                         r"overlay|container|wrapper|law|policy-banner)?", re.IGNORECASE)
TAGS = ("div", "aside", "section", "span", "p", "ins", "figure", "iframe")
MOST_TEXT = 0.5  # share of the page's text an ad or a banner never holds


def drop_overlays(tree: HtmlElement) -> None:
    """Remove ad slots and consent banners, in place."""
    body = tree.find("body")
    page_text = len(" ".join(body.itertext()).split()) if body is not None else 0
    dropped: set[int] = set()
    for element in [element for element in tree.iter(*TAGS) if _is_overlay(element)]:
        if element.getparent() is None or any(id(a) in dropped for a in element.iterancestors()):
            continue
        if len(" ".join(element.itertext()).split()) >= MOST_TEXT * page_text > 0:
            continue
        dropped.add(id(element))
        element.drop_tree()


def _is_overlay(element: HtmlElement) -> bool:
    words = f"{element.get('class', '')} {element.get('id', '')}".split()
    if not words:
        return False
    if any(AD_WORD.fullmatch(word) or CONSENT_WORD.fullmatch(word) for word in words):
        return True
    if any(COOKIE_WORD.fullmatch(word) for word in words):
        return element.get("role") in ("dialog", "alertdialog", "region") \
            or element.get("aria-modal") == "true" or next(element.iter("button"), None) is not None
    return False
