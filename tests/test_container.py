"""Blocks of the article's container that trafilatura passed over come back
(monitor.extract.container); furniture and whole pages do not."""

from __future__ import annotations

from lxml.html import fromstring

from monitor.extract.article import extract
from monitor.extract.container import restore_blocks

INTRO = "If you are new to smartphones, they can seem confusing, but the basics are simple."
SETUP = "The first step after getting a smartphone is setting it up with your account."
HEADING = "Common smartphone features you will use"
ITEM = "Touchscreen: smartphones have no keypad, you tap the screen to choose things."
LAST = "Ask a relative or a librarian to help you the first time you make a video call."

PAGE = f"""<html><body>
<nav><ul><li>Home and garden and all of our other sections</li></ul></nav>
<div class="layout"><div class="content">
<p>{INTRO}</p><p>{SETUP}</p>
<h5>{HEADING}</h5>
<ul><li>{ITEM}</li></ul>
<div class="share-bar"><p>Share this article with your friends and your family</p></div>
<ul><li><a href="/a">A list of links to other stories on the site</a></li></ul>
<p>Next</p>
<p>{LAST}</p>
</div></div>
<aside><p>Most read: a story about something else entirely, from last week</p></aside>
</body></html>"""


def test_the_containers_dropped_blocks_come_back_in_page_order() -> None:
    taken = [INTRO, SETUP, LAST]  # what trafilatura took: the paragraphs, not the list
    assert restore_blocks(fromstring(PAGE), taken) == [INTRO, SETUP, HEADING, ITEM, LAST]


def test_menus_share_bars_link_lists_labels_and_asides_stay_out() -> None:
    completed = "\n".join(restore_blocks(fromstring(PAGE), [INTRO, SETUP, LAST]))
    for furniture in ("Home and garden", "Share this article", "A list of links", "Next",
                      "Most read"):
        assert furniture not in completed


def test_a_block_before_everything_taken_goes_first() -> None:
    assert restore_blocks(fromstring(PAGE), [SETUP, LAST]) == [INTRO, SETUP, HEADING, ITEM,
                                                               LAST]


def test_a_block_trafilatura_took_in_its_own_form_is_not_added_twice() -> None:
    taken = [INTRO, SETUP, HEADING, f"- {ITEM}", LAST]  # list items come as "- item"
    assert restore_blocks(fromstring(PAGE), taken) == taken


def test_nothing_is_added_when_the_container_is_the_whole_page() -> None:
    """A container that holds much more than was taken is the page: a teaser grid
    around one paragraph is not an article's missing part."""
    teasers = "".join(f"<p>Teaser number {n} about a story elsewhere on this site today</p>"
                      for n in range(40))
    page = fromstring(f"<html><body><div><p>{INTRO}</p>{teasers}</div></body></html>")
    assert restore_blocks(page, [INTRO]) == [INTRO]


def test_a_lede_trafilatura_drops_as_a_teaser_is_part_of_the_article() -> None:
    """German CMSs class the lede "teaser", which trafilatura discards: an edit to
    it would go unseen."""
    story = "".join(f"<p>Paragraph {n} of the story: the council met on Monday and voted on "
                    "the new budget for the city's schools and roads.</p>" for n in range(5))
    lede = "The city council has passed a budget that cuts spending on roads by a fifth."
    page = (f"<html><head><title>Budget</title></head><body><article><h1>Budget</h1>"
            f"<p class='article-teaser'>{lede}</p>{story}</article></body></html>")
    paragraphs = extract(page, "https://herald.test/budget").paragraphs
    assert paragraphs[0] == lede
    assert len(paragraphs) == 6


def test_what_an_iframe_holds_for_old_browsers_never_comes_in() -> None:
    """indiewire.com: a <p> holding a video's <iframe>, whose fallback text is escaped
    markup that a reader never sees (and that re-serialising the page changes)."""
    embed = ('<p><iframe src="https://video.test/embed/1">&amp;lt;span class="mce_SELRES_start'
             '"&amp;gt;&amp;lt;/span&amp;gt; a long enough fallback text</iframe></p>')
    page = fromstring(PAGE.replace(f"<p>{LAST}</p>", f"{embed}<p>{LAST}</p>"))
    assert restore_blocks(page, [INTRO, SETUP, LAST]) == [INTRO, SETUP, HEADING, ITEM, LAST]
