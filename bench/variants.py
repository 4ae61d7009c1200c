"""Variants of a real page, made structurally with lxml.

*Noise* churns what real sites churn outside the article (timestamps, "most
read" and "related" lists, ads and scripts, comment counts, cache-busting query
strings, menu order, cookie banners, view counters): it is inserted into
header/nav/footer/aside, as siblings of the article's container, or at the top
and bottom of ``<body>``, never inside the container that holds the article.

*Edits* change the true article body (located through the ground truth's
``articleBody``) or its headline and byline, and say which words an alert
must name.

The article's container is the deepest element holding at least 80% of the
page's text that appears verbatim in the true body.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree
from lxml import html as lhtml

from bench.corpus import WORD, normalise, words
from monitor.core.changes import NUMBER_WORDS

PARSER = lhtml.HTMLParser(encoding="utf-8")
NOT_TEXT = frozenset({"script", "style", "noscript", "template", "head", "title", "svg",
                      "iframe", "textarea", "select"})
# How templates print their clock, "N minutes ago" and "updated" lines; one style per page.
CLOCK_STYLES = (
    "{weekday} {day} November 2026 {h24:02d}:{m:02d} GMT",
    "Nov. {day}, 2026, {h12}:{m:02d} {ampm} ET",
    "11/{day}/2026 {h12}:{m:02d} {ampm}",
    "2026-11-{day}T{h24:02d}:{m:02d}:00Z",
    "{day}.11.2026, {h24:02d}:{m:02d} Uhr",
    "{day} nov. 2026 à {h24:02d}h{m:02d}",
)
AGO_STYLES = ("Updated {n} minutes ago", "{n} min ago", "{n} hrs ago", "Posted {n} hours ago",
              "vor {n} Minuten", "il y a {n} min")
UPDATED_STYLES = ("Page last updated {clock}", "Last modified: {clock}", "Updated {clock}",
                  "Stand: {clock}", "Mis à jour le {clock}")
EMBEDDED = frozenset({"aside", "figure", "figcaption", "blockquote", "nav", "form"})
MIN_MATCH = 25  # characters of a text node that must appear in the true body
CONTAINER_SHARE = 0.8
NUMBER = re.compile(r"^\d(?:[\d,.]*\d)?$")
# A sentence ends at . ! or ? followed by a space or the end: "U.S." and "71.6" do not end one.
SENTENCE = re.compile(r"[A-Z“\"](?:[^.!?]|[.!?](?!\s|$)){30,300}[.!?](?=\s|$)")
# "By …", "Posted by …", "| BY: …", or a label such as "Text: …"
BYLINE_PREFIX = re.compile(r"^(?:\|\s*)?(?:(?:posted\s+|analysis\s+)?by:?|[^\W\d_]+:)\s+", re.I)
BYLINE_END = re.compile(r",|\s(?:and|on|[|·–-])\s|\d", re.I)
JSON_AUTHOR = re.compile(r'"author"\s*:\s*(?:\[?\s*\{[^{}]*?"name"\s*:\s*"([^"]+)"|"([^"]+)")')
JSON_HEADLINE = re.compile(r'("(?:headline|alternativeHeadline)"\s*:\s*")((?:[^"\\]|\\.)*)"')
NAME_WORD = re.compile(r"^[^\W\d_][\w.'’-]*$")
MENU_HINT = re.compile(r"menu|nav", re.I)
COMMENTS_TEXT = re.compile(r"\b\d[\d,]*(?=\s+comments?\b)", re.I)
VIEWS_TEXT = re.compile(r"\b\d[\d,]*(?=\s+(?:views|reads)\b)", re.I)
ASSET_ATTRS = {"img": "src", "script": "src", "link": "href", "source": "src",
               "iframe": "src"}
# A <link> that names a page, not an asset: a build never touches these (rel=canonical moving
# is an event of its own, canonical-changed).
PAGE_RELS = {"canonical", "alternate", "amphtml", "shortlink", "next", "prev", "author",
             "index", "home", "search", "license"}

NEW_HEADLINE_WORD = "Reconsidered"
NEW_BYLINE = "Dana Whitfield-Oduya"
NEW_PARAGRAPH = ("In a statement issued after publication, the ministry said 4,212 cases had "
                 "been reviewed and that an independent inquiry would report by March.")
NEW_SENTENCES = (
    "Officials later disputed this account in a written statement to reporters.",
    "Independent monitors said the figures could not be verified at the time.",
    "The company declined repeated requests for comment before publication.",
)


def parse(raw: bytes) -> lhtml.HtmlElement:
    return lhtml.document_fromstring(raw, parser=PARSER)


def serialize(root: lhtml.HtmlElement) -> bytes:
    return lhtml.tostring(root, encoding="utf-8", doctype="<!DOCTYPE html>")


# --- where the article is -------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One text node: an element's ``text`` or ``tail``."""

    element: etree._Element
    attr: str  # "text" or "tail"

    @property
    def owner(self) -> etree._Element:
        return self.element if self.attr == "text" else self.element.getparent()

    def get(self) -> str:
        return getattr(self.element, self.attr) or ""

    def set(self, value: str) -> None:
        setattr(self.element, self.attr, value)


def text_slots(element: etree._Element, hidden: bool = False) -> Iterator[Slot]:
    """Visible text nodes under ``element``, in document order."""
    is_tag = isinstance(element.tag, str)
    hidden_here = hidden or not is_tag or element.tag in NOT_TEXT
    if not hidden_here and element.text:
        yield Slot(element, "text")
    for child in element:
        yield from text_slots(child, hidden_here)
        if not hidden and child.tail:
            yield Slot(child, "tail")


def visible_text(element: etree._Element) -> str:
    return normalise(" ".join(slot.get() for slot in text_slots(element)))


@dataclass
class Located:
    root: lhtml.HtmlElement
    body: lhtml.HtmlElement
    container: lhtml.HtmlElement
    truth: str  # normalised true body
    matched: list[Slot] = field(default_factory=list)  # inside the container, usable
    article_text: str = ""  # the container's visible text, normalised

    def usable(self, element: etree._Element, text: str) -> bool:
        """Whether an edit of ``text`` in ``element`` changes the article, and only once.

        Not inside a pull quote, figure or embedded aside (copies or furniture
        within the article), and the text occurs once in the container.
        """
        chain = [element, *element.iterancestors()]
        inner = chain[: chain.index(self.container) + 1] if self.container in chain else chain
        if any(e.tag in EMBEDDED for e in inner):
            return False
        return self.article_text.count(normalise(text)) == 1

    def inside(self, element: etree._Element) -> bool:
        return element is self.container or self.container in element.iterancestors()

    def outside(self, element: etree._Element) -> bool:
        """Neither in the article's container nor one of its ancestors."""
        return not self.inside(element) and element not in self.container.iterancestors()

    def outside_elements(self, *tags: str) -> list[lhtml.HtmlElement]:
        return [e for e in self.body.iter(*tags) if self.outside(e)]


def locate(root: lhtml.HtmlElement, truth: str) -> Located | None:
    body = root.find("body")
    truth = normalise(truth)
    if body is None or not truth:
        return None
    matched = [s for s in text_slots(body)
               if len(text := normalise(s.get())) >= MIN_MATCH and text in truth]
    weight: dict[etree._Element, int] = {}
    for slot in matched:
        size = len(normalise(slot.get()))
        for element in (slot.owner, *slot.owner.iterancestors()):
            weight[element] = weight.get(element, 0) + size
    total = sum(len(normalise(s.get())) for s in matched)
    if not total:
        return None
    deepest = max((e for e, w in weight.items() if w >= CONTAINER_SHARE * total),
                  key=lambda e: sum(1 for _ in e.iterancestors()))
    if deepest is body or deepest is root:
        return None
    found = Located(root, body, deepest, truth, article_text=visible_text(deepest))
    found.matched = [s for s in matched if found.inside(s.owner)
                     and found.usable(s.owner, s.get())]
    return found


def body_paragraphs(loc: Located, min_chars: int = 60) -> list[lhtml.HtmlElement]:
    """Leaf blocks in the container whose whole text is a piece of the true body.

    ``<p>`` elements when the page has at least two of them, else text blocks
    of any kind (``<div>``, ``<li>``) without blocks inside.
    """
    found: dict[str, list[lhtml.HtmlElement]] = {}
    for block in loc.container.iter("p", "div", "li"):
        text = normalise(block.text_content())
        if len(text) >= min_chars and text in loc.truth and loc.usable(block, text) \
                and not block.xpath(".//p|.//div|.//li|.//ul|.//ol|.//table|.//blockquote"):
            found.setdefault("p" if block.tag == "p" else "other", []).append(block)
    if len(found.get("p", [])) >= 2:
        return found["p"]
    return [b for b in loc.container.iter() if any(b in v for v in found.values())]


# --- noise ---------------------------------------------------------------------


@dataclass(frozen=True)
class Teaser:
    headline: str
    summary: str


def element(tag: str, text: str = "", children: tuple[etree._Element, ...] = (),
            **attrs: str) -> lhtml.HtmlElement:
    made = lhtml.Element(tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    made.text = text or None
    for child in children:
        made.append(child)
    return made


@dataclass
class Churn:
    """What one noise kind needs: the page, a seeded random source and the state index.

    State 0 is what the baseline check sees, state 1 the next check; furniture
    differs between them the way it does between two fetches of a real page.
    Every insertion is logged with where it went, so a false alert can be
    traced to the placement that leaked into the extracted article.
    """

    loc: Located
    rng: random.Random
    state: int
    teasers: list[Teaser]
    page_seed: int = 0
    log: list[tuple[str, str]] = field(default_factory=list)  # (placement, visible text)

    def __post_init__(self) -> None:
        # A template prints its clock one way: the style is the page's, the time the fetch's.
        style = random.Random(f"{self.page_seed}-clock")
        self.clock_style = style.choice(CLOCK_STYLES)
        self.ago_style = style.choice(AGO_STYLES)
        self.updated_style = style.choice(UPDATED_STYLES)

    def clock(self) -> str:
        minute = self.rng.randrange(60 * 24)
        when = datetime(2026, 11, 24 + self.state, minute // 60, minute % 60)
        return self.clock_style.format(
            weekday=when.strftime("%A"), day=when.day, h24=when.hour, m=when.minute,
            h12=when.hour % 12 or 12, ampm="p.m." if when.hour >= 12 else "a.m.")

    def ago(self) -> str:
        return self.ago_style.format(n=self.count(1, 59))

    def updated(self) -> str:
        return self.updated_style.format(clock=self.clock())

    def count(self, low: int = 3, high: int = 90_000) -> int:
        return self.rng.randrange(low, high)

    def _logged(self, placement: str, new: etree._Element) -> None:
        self.log.append((placement, visible_text(new)))

    def top(self, new: etree._Element) -> None:
        """First child of <body>."""
        self.loc.body.insert(0, new)
        self._logged("body-top", new)

    def bottom(self, new: etree._Element) -> None:
        """Last child of <body>."""
        self.loc.body.append(new)
        self._logged("body-bottom", new)

    def before_article(self, new: etree._Element) -> None:
        """The sibling just before the article's container."""
        self.loc.container.addprevious(new)
        self._logged("before-article", new)

    def after_article(self, new: etree._Element) -> None:
        """The sibling just after the article's container."""
        self.loc.container.addnext(new)
        self._logged("after-article", new)

    def into(self, tag: str, new: etree._Element,
             fallback: Callable[[etree._Element], None]) -> None:
        """Into the page's own <header>/<aside>/<footer> outside the article, else fallback."""
        places = self.loc.outside_elements(tag)
        if not places:
            fallback(new)
            return
        places[0].append(new)
        self._logged(f"in-{tag}", new)

    def retext(self, slot: Slot, text: str) -> None:
        """Change a text node of the page's own furniture (outside the article)."""
        slot.set(text)
        self.log.append(("page-furniture", normalise(text)))


def noise_timestamps(c: Churn) -> None:
    c.top(element("div", c.clock(), class_="topbar-clock"))
    c.into("header", element("span", c.ago(), class_="live-updated"), c.top)
    c.after_article(element("p", c.updated(), class_="page-updated"))
    c.into("footer", element("div", f"Page generated {c.clock()} in {c.count(40, 900)} ms",
                             class_="generated"), c.bottom)


def _teaser_list(c: Churn, tag: str, count: int, with_summary: bool) -> lhtml.HtmlElement:
    chosen = c.rng.sample(c.teasers, count)
    items = []
    for i, teaser in enumerate(chosen):
        link = element("a", teaser.headline, href=f"/story/{c.rng.randrange(10**6)}")
        parts = [link] + ([element("p", teaser.summary)] if with_summary else [])
        items.append(element("li", children=tuple(parts), class_=f"item-{i}"))
    return element(tag, children=tuple(items))


def noise_most_read(c: Churn) -> None:
    most_read = element("div", children=(element("h2", "Most read"),
                                         _teaser_list(c, "ol", 5, False)), class_="most-read")
    c.into("aside", most_read, c.after_article)
    related = element("section", children=(element("h3", "Related stories"),
                                           _teaser_list(c, "ul", 3, True)),
                      class_="related-stories")
    c.after_article(related)


AD_COPY = (
    "Save 30% on flights to Lisbon this winter. Book by Friday.",
    "The new Aurora X2 headphones: twelve hours of silence. Shop now.",
    "Refinance today and lower your monthly payment. Check your rate in 2 minutes.",
    "Learn a language in 15 minutes a day. Start your free trial.",
    "Luxury villas in Tuscany from 199 a night. See availability.",
    "Your pension could be working harder. Talk to an adviser today.",
)


def _ad(c: Churn, slot: str) -> lhtml.HtmlElement:
    creative = c.rng.randrange(10**8)
    return element("div", children=(
        element("span", "Advertisement", class_="ad-label"),
        element("a", children=(element("img", src=f"https://ads.example/c/{creative}.jpg",
                                        alt=""),), href=f"https://ads.example/click/{creative}"),
        element("p", c.rng.choice(AD_COPY), class_="ad-copy"),
    ), class_="ad-slot", id=f"ad-{slot}")


def noise_ads_scripts(c: Churn) -> None:
    build = f"{c.rng.getrandbits(48):012x}"
    for script in c.loc.root.iter("script"):
        kind = script.get("type", "text/javascript").lower()
        if ("javascript" in kind or kind == "module") and not script.get("src"):
            script.text = (script.text or "") + f"\n;window.__b='{build}';"
    head = c.loc.root.find("head")
    if head is not None:
        head.append(element("script", f"window.__ADS={{slot:'{build}',t:{c.count()}}};"))
    c.top(_ad(c, "top"))
    c.before_article(_ad(c, "lead"))
    c.into("aside", _ad(c, "side"), c.after_article)
    c.bottom(element("script", f"track('{build}', {c.count()});"))


COMMENTERS = ("Aysha", "R. Hamid", "jt_1984", "Marguerite", "Observer22", "Lin")
COMMENTS = (
    "Thank you for publishing this. More people need to read it.",
    "This is exactly what I have been saying for years.",
    "Does anyone have a link to the original report?",
    "Sharing with my representatives today.",
    "I disagree with the framing here, but the facts are important.",
)


def _replace_numbers(c: Churn, pattern: re.Pattern[str]) -> None:
    for slot in text_slots(c.loc.body):
        if c.loc.outside(slot.owner) and pattern.search(slot.get()):
            c.retext(slot, pattern.sub(lambda _: f"{c.count(2, 5000):,}", slot.get()))


def noise_comment_counts(c: Churn) -> None:
    _replace_numbers(c, COMMENTS_TEXT)
    count = 2 + c.state
    c.before_article(element("a", f"{c.count(2, 900)} Comments", href="#comments",
                             class_="comment-count"))
    comments = tuple(
        element("li", children=(element("b", c.rng.choice(COMMENTERS)),
                                element("p", c.rng.choice(COMMENTS))), class_="comment")
        for _ in range(count))
    section = element("section", children=(element("h3", f"{count} Comments"),
                                           element("ol", children=comments)),
                      id="comments", class_="comments")
    c.after_article(section)


def _bust(url: str, value: str) -> str:
    if not url or url.startswith(("#", "data:", "javascript:", "mailto:")):
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "v"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("v", value)])))


def noise_cache_busting(c: Churn) -> None:
    """Asset URLs everywhere (not text), and links outside the article, get a new ?v=."""
    value = f"{c.rng.getrandbits(32):08x}"
    for tag, attr in ASSET_ATTRS.items():
        for found in c.loc.root.iter(tag):
            if tag == "link" and PAGE_RELS & set(found.get("rel", "").lower().split()):
                continue
            if found.get(attr):
                found.set(attr, _bust(found.get(attr), value))
    for link in c.loc.outside_elements("a"):
        if link.get("href"):
            link.set("href", _bust(link.get("href"), value))


SECTIONS = ("World", "Politics", "Business", "Technology", "Science", "Health", "Sport",
            "Culture", "Opinion")


def _is_menu(menu: lhtml.HtmlElement) -> bool:
    chain = (menu, *menu.iterancestors())
    if any(e.tag in ("nav", "header", "footer") for e in chain):
        return True
    return any(MENU_HINT.search(f"{e.get('class', '')} {e.get('id', '')}") for e in chain)


def _menus(loc: Located) -> list[lhtml.HtmlElement]:
    """Lists of at least three links outside the article that look like site menus."""
    found = []
    for menu in loc.outside_elements("ul", "ol"):
        items = [li for li in menu if li.tag == "li" and li.find(".//a") is not None]
        if len(items) >= 3 and _is_menu(menu):
            found.append(menu)
    return found


def noise_menu_order(c: Churn) -> None:
    menus = _menus(c.loc)
    for menu in menus:
        items = [li for li in menu if li.tag == "li"]
        shift = (c.state * (1 + c.rng.randrange(len(items) - 1))) % len(items)
        for li in items:
            menu.remove(li)  # tails move with the items
        for li in items[shift:] + items[:shift]:
            menu.append(li)
        c.log.append(("page-furniture", visible_text(menu)))
    order = list(SECTIONS)
    c.rng.shuffle(order)
    links = tuple(element("li", children=(element("a", name, href=f"/{name.lower()}/"),))
                  for name in order)
    menu = element("nav", children=(element("ul", children=links),), class_="site-menu")
    c.into("header", menu, c.top)


def noise_cookie_banner(c: Churn) -> None:
    if c.state == 0:
        return  # the banner shows on some fetches and not others
    banner = element("div", children=(
        element("p", "We use cookies and similar technologies to personalise content and ads, "
                     "to provide social media features and to analyse our traffic. By clicking "
                     "“Accept all” you agree to our use of cookies."),
        element("button", "Accept all"), element("button", "Manage preferences"),
    ), id="cookie-consent", class_="cookie-banner", role="dialog")
    c.top(banner)


def noise_view_counter(c: Churn) -> None:
    _replace_numbers(c, VIEWS_TEXT)
    c.into("header", element("span", f"{c.count():,} views", class_="view-count"), c.top)
    c.before_article(element("div", f"{c.count():,} reads · {c.count(2, 900)} shares",
                             class_="article-stats"))
    c.into("footer", element("span", f"This page has been viewed {c.count():,} times",
                             class_="counter"), c.bottom)


NOISE: dict[str, Callable[[Churn], None]] = {
    "timestamps": noise_timestamps,
    "most-read": noise_most_read,
    "ads-scripts": noise_ads_scripts,
    "comment-counts": noise_comment_counts,
    "cache-busting": noise_cache_busting,
    "menu-order": noise_menu_order,
    "cookie-banner": noise_cookie_banner,
    "view-counter": noise_view_counter,
}


def apply_noise(raw: bytes, truth: str, kinds: list[str], seed: int, state: int,
                teasers: list[Teaser]) -> tuple[bytes, list[tuple[str, str]]] | None:
    """The page with the churn of ``kinds`` in state 0 or 1, and where each piece went.

    None when the page's article cannot be located.
    """
    root = parse(raw)
    loc = locate(root, truth)
    if loc is None:
        return None
    article = visible_text(loc.container)
    log: list[tuple[str, str]] = []
    for kind in kinds:
        churn = Churn(loc, random.Random(f"{seed}-{kind}-{state}"), state, teasers, seed)
        NOISE[kind](churn)
        log += churn.log
    if visible_text(loc.container) != article:
        raise AssertionError(f"noise {kinds} changed the article's text")
    return serialize(root), log


def teasers_of(raw: bytes, truth: str) -> Teaser | None:
    """A page's headline and first sentence: realistic text for other pages' lists."""
    root = parse(raw)
    title = normalise(root.findtext(".//title"))
    first = SENTENCE.search(normalise(truth))
    if not title or first is None:
        return None
    return Teaser(title[:120], first.group(0))


# --- edits ---------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """What changed, and the words an alert must name."""

    added: frozenset[str]
    removed: frozenset[str]
    before: str  # the text as it was (to check that the baseline had extracted it)
    where: str  # body, title or author
    # the change class an alert must report: (field, kind), "*" for any kind
    expect: tuple[str, str] | None = None
    silent: bool | None = None  # what the alert's ``silent`` must say, None: not judged


EXPECTED = {  # the change class each edit class must be reported as, and its silence
    "number": (("body", "figure"), True), "sentence": (("body", "*"), True),
    "delete-paragraph": (("body", "removed-paragraph"), True),
    "add-paragraph": (("body", "added-paragraph"), True),
    "headline": (("title", "*"), True), "headline-visible": (("title", "*"), True),
    "byline": (("byline", "*"), True), "byline-visible": (("byline", "*"), True),
    "quote": (("body", "quote"), True), "correction-note": (("correction", "added-paragraph"),
                                                           False),
    "announced-edit": (("body", "figure"), False),
}


def _expect(before: str, after: str, where: str) -> Edit:
    old, new = set(words(before)), set(words(after))
    return Edit(frozenset(new - old), frozenset(old - new), before, where)


def edit_number(loc: Located, rng: random.Random) -> Edit | None:
    spots = [(slot, m) for slot in loc.matched
             for m in WORD.finditer(slot.get()) if NUMBER.match(m.group(0))]
    spots = [s for s in spots if len(s[1].group(0)) >= 2] or spots  # a single digit if need be
    if not spots:
        return None
    slot, match = rng.choice(spots)
    old = match.group(0)
    new = old[:-1] + str((int(old[-1]) + 3) % 10)
    text = slot.get()
    slot.set(text[:match.start()] + new + text[match.end():])
    context = " ".join([*words(text[:match.start()])[-4:], old, *words(text[match.end():])[:4]])
    return Edit(frozenset({new}), frozenset({old}), context, "body")


def edit_sentence(loc: Located, rng: random.Random) -> Edit | None:
    spots = []
    for slot in loc.matched:
        text = slot.get()
        for m in SENTENCE.finditer(text):
            starts = m.start() == 0 or text[:m.start()].rstrip()[-1:] in ".!?"
            if starts and len(words(m.group(0))) >= 6:
                spots.append((slot, m))
    if not spots:
        return None
    slot, match = rng.choice(spots)
    new = rng.choice(NEW_SENTENCES)
    text = slot.get()
    slot.set(text[:match.start()] + new + text[match.end():])
    return _expect(normalise(match.group(0)), new, "body")


def edit_delete_paragraph(loc: Located, rng: random.Random) -> Edit | None:
    paragraphs = body_paragraphs(loc)
    if len(paragraphs) < 2:
        return None
    chosen = paragraphs[len(paragraphs) // 2]
    text = normalise(chosen.text_content())
    chosen.drop_tree()  # keeps the tail text
    return Edit(frozenset(), frozenset(words(text)), text, "body")


def edit_add_paragraph(loc: Located, rng: random.Random) -> Edit | None:
    paragraphs = body_paragraphs(loc)
    if not paragraphs:
        return None
    anchor = paragraphs[len(paragraphs) // 2]
    new = anchor.makeelement(anchor.tag, {k: v for k, v in anchor.attrib.items() if k != "id"})
    new.text = NEW_PARAGRAPH
    anchor.addnext(new)
    return Edit(frozenset(words(NEW_PARAGRAPH)), frozenset(),
                normalise(anchor.text_content()), "body")


def _headline(loc: Located) -> str:
    for query in ('.//meta[@property="og:title"]', './/meta[@name="twitter:title"]'):
        found = loc.root.find(query)
        if found is not None and normalise(found.get("content")):
            return normalise(found.get("content"))
    h1 = loc.body.find(".//h1")
    if h1 is not None and normalise(h1.text_content()):
        return normalise(h1.text_content())
    return normalise(loc.root.findtext(".//title"))


def _swap_word(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, text, count=1)


def _json_ld_scripts(loc: Located) -> list[etree._Element]:
    return [script for script in loc.root.iter("script")
            if script.get("type", "").strip().lower() == "application/ld+json" and script.text]


def _edit_json_ld(loc: Located, edit: Callable[[str], str]) -> int:
    """Edit the text of the page's JSON-LD blocks (metadata, never the body); count changes.

    Textual, because real pages' JSON-LD is often not strict JSON.
    """
    changed = 0
    for script in _json_ld_scripts(loc):
        edited = edit(script.text)
        if edited != script.text:
            script.text = edited
            changed += 1
    return changed


def _json_ld_says(loc: Located, pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(script.text) for script in _json_ld_scripts(loc))


def _is_person(node: dict[str, object]) -> bool:
    kind = node.get("@type")
    return kind == "Person" or (isinstance(kind, list) and "Person" in kind)


def _json_ld_authors(node: object) -> Iterator[str]:
    """Authors' names in JSON-LD: ``author`` values, and Person nodes of a Yoast-style graph."""
    if isinstance(node, list):
        for item in node:
            yield from _json_ld_authors(item)
    elif isinstance(node, dict):
        if _is_person(node) and isinstance(node.get("name"), str):
            yield node["name"]
        for key, value in node.items():
            if key == "author":
                for person in value if isinstance(value, list) else [value]:
                    if isinstance(person, str):
                        yield person
                    elif isinstance(person, dict) and isinstance(person.get("name"), str):
                        yield person["name"]
            else:
                yield from _json_ld_authors(value)


def _json_ld_author_names(loc: Located) -> Iterator[str]:
    for script in _json_ld_scripts(loc):
        try:
            yield from _json_ld_authors(json.loads(script.text, strict=False))
        except ValueError:
            for match in JSON_AUTHOR.finditer(script.text):
                yield match.group(1) or match.group(2)


def edit_headline(loc: Located, rng: random.Random, structured: bool = True) -> Edit | None:
    """One word of the headline, wherever the page states it (h1, title, meta, JSON-LD).

    ``structured=False``: everywhere but JSON-LD, as when a site edits the headline
    its readers see and its structured data keeps the old one.
    """
    headline = _headline(loc)
    candidates = [w for w in words(headline) if w.isalpha() and len(w) >= 4] or [
        w for w in words(headline) if w.isalpha() and len(w) >= 2]  # short words: CJK
    if not candidates:
        return None
    old = max(candidates, key=len)
    pattern = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)")
    if not structured and not _json_ld_says(loc, pattern):
        return None  # nothing structured to keep the old word: the same as "headline"
    title = loc.root.find(".//title")
    if title is not None and title.text and pattern.search(title.text):
        title.text = _swap_word(title.text, old, NEW_HEADLINE_WORD)
    for meta in loc.root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key.endswith("title") and pattern.search(meta.get("content") or ""):
            meta.set("content", _swap_word(meta.get("content"), old, NEW_HEADLINE_WORD))
    for h1 in loc.body.iter("h1"):
        for slot in text_slots(h1):
            if pattern.search(slot.get()):
                slot.set(_swap_word(slot.get(), old, NEW_HEADLINE_WORD))
    if structured:
        _edit_json_ld(loc, lambda text: JSON_HEADLINE.sub(
            lambda m: m.group(1) + _swap_word(m.group(2), old, NEW_HEADLINE_WORD) + '"', text))
    return Edit(frozenset({NEW_HEADLINE_WORD}), frozenset({old}), old, "title")


def _in_comments(element: etree._Element) -> bool:
    """Inside a comment thread or form: a commenter's name is not the byline."""
    for e in (element, *element.iterancestors()):
        if e.tag == "form" or "comment" in f"{e.get('class', '')} {e.get('id', '')}".lower():
            return True
    return False


def _byline_candidates(loc: Located) -> Iterator[str]:
    for meta in loc.root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        if key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
            yield meta.get("content") or ""
    yield from _json_ld_author_names(loc)
    for query in ('.//*[@itemprop="author"]', './/*[@rel="author"]',
                  './/*[contains(@class, "byline")]', './/*[contains(@class, "author-name")]',
                  './/*[contains(@class, "author__name")]'):
        for found_element in loc.body.xpath(query):
            if not _in_comments(found_element):
                yield found_element.text_content()


def _name_in(candidate: str) -> str | None:
    """The first person (or agency) a byline names: "By TOM KRISHER, AP Writer" → TOM KRISHER."""
    text = BYLINE_PREFIX.sub("", normalise(candidate))
    text = BYLINE_END.split(text, maxsplit=1)[0].strip()
    names = text.split()
    if not 1 <= len(names) <= 4 or not 3 <= len(text) <= 40:
        return None
    if all(NAME_WORD.match(n) and n[0].isupper() for n in names):
        return text
    return None


def _byline(loc: Located) -> str | None:
    """The byline's name, if the page shows it to readers (not only in metadata)."""
    shown = visible_text(loc.body).lower()
    for candidate in _byline_candidates(loc):
        name = _name_in(candidate)
        if name is not None and name.lower() in shown:
            return name
    return None


def edit_byline(loc: Located, rng: random.Random, structured: bool = True) -> Edit | None:
    """The author's name replaced wherever the page states it (text, meta, JSON-LD).

    Case-insensitively, as pages often set the byline in capitals and the
    metadata in title case. ``structured=False``: in the page's text and its
    meta tags but not in JSON-LD, as when the visible byline is corrected and
    the structured data keeps the old name.
    """
    name = _byline(loc)
    if name is None:
        return None
    # Any run of spaces between its words, as the page sets it ("Kelli  Miller", webmd.com).
    spaced = r"\s+".join(re.escape(part) for part in name.split())
    pattern = re.compile(rf"(?<!\w){spaced}(?!\w)", re.I)
    if not structured and not _json_ld_says(loc, pattern):
        return None  # nothing structured to keep the old name: the same as "byline"
    changed = 0
    for slot in text_slots(loc.body):
        if pattern.search(slot.get()):
            slot.set(pattern.sub(NEW_BYLINE, slot.get()))
            changed += 1
    for meta in loc.root.iter("meta"):
        if pattern.search(meta.get("content") or ""):
            meta.set("content", pattern.sub(NEW_BYLINE, meta.get("content")))
            changed += 1
    if structured:
        changed += _edit_json_ld(loc, lambda text: pattern.sub(NEW_BYLINE, text))
    if not changed:
        return None
    return _expect(name, NEW_BYLINE, "author")


QUOTED_WORDS = re.compile(r"[“\"«]([^”\"»]{12,300})[”\"»]")
NEW_QUOTE_WORD = "never"
CORRECTION_NOTE = ("Correction: an earlier version of this article gave a wrong figure, "
                   "which has been corrected.")


def edit_quote(loc: Located, rng: random.Random) -> Edit | None:
    """One word (not a number) inside quotation marks in the body."""
    spots = []
    for slot in loc.matched:
        text = slot.get()
        for quoted in QUOTED_WORDS.finditer(text):
            for m in WORD.finditer(quoted.group(1)):
                if m.group(0).isalpha() and len(m.group(0)) >= 4 \
                        and m.group(0).lower() not in NUMBER_WORDS:  # a figure, not a quote
                    spots.append((slot, quoted.start(1) + m.start(), m.group(0)))
    if not spots:
        return None
    slot, at, old = rng.choice(spots)
    text = slot.get()
    slot.set(text[:at] + NEW_QUOTE_WORD + text[at + len(old):])
    return Edit(frozenset({NEW_QUOTE_WORD}), frozenset({old}), old, "body")


def edit_with_correction_note(loc: Located, rng: random.Random) -> Edit | None:
    """A figure changed and a correction note added after the last paragraph."""
    paragraphs = body_paragraphs(loc)
    changed = edit_number(loc, rng)
    if changed is None or not paragraphs:
        return None
    last = paragraphs[-1]
    note = last.makeelement(last.tag, {})
    note.text = CORRECTION_NOTE
    last.addnext(note)
    return replace(changed, added=changed.added | frozenset(words(CORRECTION_NOTE)))


def edit_announced(loc: Located, rng: random.Random) -> Edit | None:
    """A figure changed and the page's modified date moved (``article:modified_time``)."""
    changed = edit_number(loc, rng)
    if changed is None:
        return None
    head = loc.root.find("head")
    if head is None:
        return None
    for meta in list(loc.root.iter("meta")):
        if (meta.get("property") or meta.get("name") or "").lower() in (
                "article:modified_time", "og:updated_time"):
            meta.getparent().remove(meta)
    _edit_json_ld(loc, lambda text: re.sub(r'"dateModified"\s*:\s*"[^"]*"',
                                           '"dateModified": "2030-01-02T03:04:05Z"', text))
    moved = head.makeelement("meta", {"property": "article:modified_time",
                                      "content": "2030-01-02T03:04:05Z"})
    head.append(moved)
    return changed


EDITS: dict[str, Callable[[Located, random.Random], Edit | None]] = {
    "number": edit_number,
    "sentence": edit_sentence,
    "delete-paragraph": edit_delete_paragraph,
    "add-paragraph": edit_add_paragraph,
    "headline": edit_headline,
    "byline": edit_byline,
    "headline-visible": lambda loc, rng: edit_headline(loc, rng, structured=False),
    "byline-visible": lambda loc, rng: edit_byline(loc, rng, structured=False),
    "quote": edit_quote,
    "correction-note": edit_with_correction_note,
    "announced-edit": edit_announced,
}


def apply_edit(raw: bytes, truth: str, kind: str, seed: int) -> tuple[bytes, Edit] | None:
    """The page with one edit of ``kind``; None when the page has no spot for it."""
    root = parse(raw)
    loc = locate(root, truth)
    if loc is None:
        return None
    edit = EDITS[kind](loc, random.Random(f"{seed}-{kind}"))
    if edit is None:
        return None
    if kind in EXPECTED and edit.expect is None:
        expect, silent = EXPECTED[kind]
        edit = replace(edit, expect=expect, silent=silent)
    return serialize(root), edit
