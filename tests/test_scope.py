"""monitor/scope.py: a source's CSS selector and ignore rules."""

from __future__ import annotations

import lxml.html

from monitor.extract.scope import apply_scope

PAGE = """<html><head><title>T</title></head><body>
<header>Site menu</header>
<div class="body"><p>First part of the article.</p></div>
<div class="ad">Buy now</div>
<div class="body"><p>Second part.</p><div class="newsletter">Sign up</div>
  <div class="body"><p>Nested part.</p></div></div>
<script type="application/ld+json">{"author": {"name": "A. Writer"}}</script>
<footer>Footer</footer>
</body></html>"""


def words(tree: lxml.html.HtmlElement) -> str:
    body = tree.find("body")
    return " ".join(" ".join(body.itertext()).split()) if body is not None else ""


def test_the_selector_keeps_every_match_in_page_order() -> None:
    tree = lxml.html.fromstring(PAGE)
    assert apply_scope(tree, "div.body", ("div.newsletter",))
    assert words(tree) == "First part of the article. Second part. Nested part."
    assert tree.findtext(".//title") == "T"
    # structured data from the body moved to the head: the byline is still found
    assert "A. Writer" in (tree.find("head").findtext("script") or "")


def test_ignore_alone_drops_elements_and_keeps_the_rest() -> None:
    tree = lxml.html.fromstring(PAGE)
    assert apply_scope(tree, None, ("div.ad", "header", "footer"))
    text = words(tree)
    assert "Buy now" not in text and "Site menu" not in text and "Footer" not in text
    assert "First part of the article." in text and "Sign up" in text


def test_a_selector_that_matches_nothing_says_so() -> None:
    tree = lxml.html.fromstring(PAGE)
    assert not apply_scope(tree, "main.story", ())
