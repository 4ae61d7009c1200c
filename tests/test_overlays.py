"""Ad slots and consent banners leave the page before extraction (monitor.extract.overlays)."""

from __future__ import annotations

from lxml.html import fromstring, tostring

from monitor.extract.overlays import drop_overlays

STORY = "".join(f"<p>Paragraph {n}: the council voted on the budget for schools and roads, "
                "and the mayor said the vote would stand.</p>" for n in range(6))


def _after(extra: str, story: str = STORY) -> str:
    tree = fromstring(f"<html><body>{extra}<article>{story}</article></body></html>")
    drop_overlays(tree)
    return tostring(tree, encoding="unicode")


def test_ad_slots_by_their_names_go() -> None:
    for slot in ('<div class="ad-slot" id="ad-top"><span>Advertisement</span>'
                 '<p>Save 30% on flights to Lisbon</p></div>',
                 '<div id="div-gpt-ad-1234-0"><p>Save 30% on flights to Lisbon</p></div>',
                 '<aside class="sidebar-item advertisement"><p>Save 30% on flights to Lisbon'
                 '</p></aside>'):
        page = _after(slot)
        assert "Lisbon" not in page
        assert "Paragraph 5" in page


def test_consent_banners_go_but_a_recipes_cookie_card_stays() -> None:
    banner = ('<div id="onetrust-banner-sdk"><p>We use cookies to personalise content.</p>'
              '</div><div class="cookie-banner" role="dialog"><p>We use cookies, accept?</p>'
              '<button>Accept all</button></div>')
    assert "cookies" not in _after(banner)
    card = '<div class="cookie-card"><p>Oat cookies: 200 g oats, 100 g butter.</p></div>'
    assert "Oat cookies" in _after(card)


def test_an_article_named_like_an_ad_stays() -> None:
    """Sponsored content is an article ("advertorial"), and an element that holds
    half of the page's text is the article whatever its name."""
    assert "Paragraph 5" in _after("", story=f'<div class="advertorial">{STORY}</div>')
    assert "Paragraph 5" in _after("", story=f'<div class="ad">{STORY}</div>')
