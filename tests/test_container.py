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


def _chunk(wrapper_hash: str, heading: str, paragraphs: list[str]) -> str:
    """One section of a page builder's article, as legalzoom.com nests it."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<div class='builder-{wrapper_hash}a1'><div class='prose w-full'>"
            f"<div class='builder-{wrapper_hash}b2'><div class='builder-text'>"
            f"<h2>{heading}</h2>{body}</div></div></div></div>")


SECTIONS = [
    ("Why start a company in this state",
     ["The state has a large market and a skilled workforce, and its courts know company "
      "law well."]),
    ("Choose a name for the company",
     ["The name must be unique and end with the words limited liability company or one of "
      "their abbreviations.", "You can reserve a name for sixty days before you file."]),
    ("File the articles of organization",
     ["Filing costs two hundred dollars, and the office answers within a week when you "
      "file online."]),
]
SALES_BOX = ("<div class='builder-ff01'><div class='mb-4 text-base'><div class='card'>"
             "<div class='builder-text'><p>Form your company today with our experts and "
             "save on every plan.</p></div></div></div></div>")


def test_an_article_cut_into_chunks_comes_back_whole_without_the_sales_box() -> None:
    """A page builder puts each section in a container of its own, and trafilatura
    takes one of them: the chunks are found by their kind, one level under another."""
    chunks = [_chunk(f"{n}c{n}", heading, paragraphs)
              for n, (heading, paragraphs) in enumerate(SECTIONS)]
    page = fromstring(f"<html><body><div id='article-body-children'>{chunks[0]}{SALES_BOX}"
                      f"{chunks[1]}{chunks[2]}</div></body></html>")
    taken = SECTIONS[1][1]  # trafilatura's fallback took the second chunk's paragraphs
    assert restore_blocks(page, list(taken)) == [
        line for heading, paragraphs in SECTIONS for line in (heading, *paragraphs)]


def test_a_container_without_a_class_has_no_chunks() -> None:
    """Only a class says two containers are of one kind: plain <div>s are everything."""
    page = fromstring(f"<html><body><div><div><p>{INTRO}</p><p>{SETUP}</p></div>"
                      f"<div><p>{LAST}</p></div></div></body></html>")
    assert restore_blocks(page, [INTRO, SETUP]) == [INTRO, SETUP]


def test_a_section_named_after_its_heading_is_not_a_menu() -> None:
    """tryotter.com gives each section its heading's anchor as id, "menu-innovation-...":
    a word in a long anchor does not make the section furniture."""
    page = fromstring(PAGE.replace(
        f"<h5>{HEADING}</h5>", f"<div id='menu-innovation-for-caterers'><h5>{HEADING}</h5></div>"))
    assert HEADING in restore_blocks(page, [INTRO, SETUP, LAST])


def test_a_numbered_related_box_is_still_furniture() -> None:
    box = ("<div id='color-context-related-article-3471926'><p>A related story about the "
           "weather in another city last week</p></div>")
    page = fromstring(PAGE.replace(f"<p>{LAST}</p>", f"{box}<p>{LAST}</p>"))
    assert "related story" not in "\n".join(restore_blocks(page, [INTRO, SETUP, LAST]))


def test_text_inside_a_link_is_a_teaser_not_the_article() -> None:
    teaser = ("<a href='/other'><p>Summer with your dog: learn how much water he needs to "
              "stay safe in the heat.</p></a>")
    page = fromstring(PAGE.replace(f"<p>{LAST}</p>", f"{teaser}<p>{LAST}</p>"))
    assert "Summer with your dog" not in "\n".join(restore_blocks(page, [INTRO, SETUP, LAST]))


def test_where_trafilatura_took_the_whole_page_the_article_is_where_most_of_it_sits() -> None:
    """bcbsok.com: trafilatura took the sidebar's and the footer's lines beside the
    article's paragraphs, so only the page holds all it took; the article's list
    comes back, and what the sidebar and footer hold that it left stays out."""
    sidebar = ("<div class='right-column'><p>Search for a doctor or hospital in your network "
               "today.</p><p>Our partners offer discounts on gym memberships near you.</p></div>")
    footer = ("<div class='closer'><p>Copyright Health Care Service Corporation, all rights "
              "reserved.</p><p>Verint is an operating division of Verint Americas.</p></div>")
    article = (f"<div class='content'><p>{INTRO}</p><p>{SETUP}</p><h5>{HEADING}</h5>"
               f"<ul><li>{ITEM}</li></ul><p>{LAST}</p></div>")
    page = fromstring(f"<html><body>{sidebar}{article}{footer}</body></html>")
    side, copyright = ("Search for a doctor or hospital in your network today.",
                       "Copyright Health Care Service Corporation, all rights reserved.")
    restored = restore_blocks(page, [side, INTRO, SETUP, LAST, copyright])
    assert restored == [side, INTRO, SETUP, HEADING, ITEM, LAST, copyright]
