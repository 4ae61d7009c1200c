"""Lines that are a page's clock or counters, not the article's wording.

Templates print "Updated 12 minutes ago", "Stand: 25.11.2026, 15:50 Uhr" or
"888 Comments · 9,038 views" right beside the article, where trafilatura keeps
them as part of it; they change on every fetch and would alert every time.

A line is furniture only when it is short, carries a number, and *every* word
in it is a word that clocks and counters are made of (in the languages of the
sites we watch). One word of anything else keeps it: "Police detained 80,000
people", "He said 24 died at 12:11" and "Killed: 12" are article text. A bare
date ("12 March 2021", a timeline's heading) is kept too: a clock shows the
time of day or a time ago, and a counter counts something.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

MIN_TEASERS = 3  # items: shorter lists are too small to tell
MIN_HEADLINE_WORDS = 3  # on average
MAX_LENGTH = 100  # characters: a clock or counter line is never longer
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
KEEP_TAGS = frozenset({"html", "head", "body", "title", "meta", "td", "th", "tr", "table",
                       "script", "style"})  # never furniture elements
TOKEN = re.compile(r"[^\W\d_]+|\d+")
DIGIT = re.compile("[0-9]")  # as XPath's translate() sees one: furniture numbers are ASCII
TIME_OF_DAY = re.compile(r"(?<!\d)\d{1,2}[:h]\d{2}(?!\d)", re.IGNORECASE)  # 15:50, 15h50


def _words(*lists: str) -> frozenset[str]:
    return frozenset(" ".join(lists).split())


MONTHS = """
    jan january feb february mar march apr april may jun june jul july aug august sep sept
    september oct october nov november dec december
    januar februar märz mai juni juli oktober dezember
    janv janvier févr février mars avr avril juin juil juillet août septembre octobre
    novembre déc décembre
    ene enero febrero marzo abr abril mayo junio julio agosto septiembre octubre noviembre
    dic diciembre janeiro fevereiro março maio junho julho setembro outubro novembro dezembro
    gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre
"""
WEEKDAYS = """
    mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday
    sun sunday montag dienstag mittwoch donnerstag freitag samstag sonntag lundi mardi
    mercredi jeudi vendredi samedi dimanche lunes martes miércoles jueves viernes sábado
    domingo segunda terça quarta quinta sexta feira lunedì martedì mercoledì giovedì venerdì
"""
CLOCK_WORDS = """
    updated update published posted modified edited generated created last ago just now
    today yesterday at on by in of the page this was is has been
    am pm gmt utc et ct mt pt est edt cst cdt mst mdt pst pdt bst cet cest eet eest wet
    ist jst kst hkt sgt aest aedt msk
    ms sec secs second seconds min mins minute minutes hr hrs hour hours day days week weeks
    aktualisiert veröffentlicht stand zuletzt geändert vor am um uhr minuten stunde stunden
    tag tagen sekunden heute gestern
    mis à jour le la publié modifié il y a depuis heure heures jours aujourd hui hier
    actualizado actualización publicado hace el las minutos horas días hoy ayer
    atualizado atualização publicado há em às horas dias hoje ontem
    aggiornato pubblicato fa ore minuti giorni oggi ieri alle
"""
COUNTER_WORDS = _words("""
    comment comments reply replies response responses view views viewed read reads share
    shares shared like likes reaction reactions vote votes times
    kommentar kommentare aufrufe mal gelesen geteilt
    commentaire commentaires réaction réactions vue vues lu lectures partage partages fois
    comentario comentarios vistas visitas compartido veces
    comentário comentários visualizações leituras partilhas vezes
    commento commenti visualizzazioni letture condivisioni volte
""")
RELATIVE = _words("ago vor il hace há fa")  # "5 min ago", "vor 5 Minuten", "il y a 5 min"
VOCABULARY = _words(MONTHS, WEEKDAYS, CLOCK_WORDS) | COUNTER_WORDS


def is_furniture(line: str) -> bool:
    """A short line that is only a time stamp or a count: see the module docstring."""
    if len(line) > MAX_LENGTH:
        return False
    tokens = TOKEN.findall(line.lower())
    words = [t for t in tokens if not t.isdigit()]
    if len(words) == len(tokens):
        return False  # no number: a heading such as "Most read", never a clock
    if not all(len(w) == 1 or w in VOCABULARY for w in words):
        return False
    return (bool(TIME_OF_DAY.search(line)) or any(w in RELATIVE for w in words)
            or any(w in COUNTER_WORDS for w in words))


def drop_teaser_lists(tree: HtmlElement, url: str | None) -> None:
    """Remove lists of the site's own headlines ("Most read", "Related stories").

    They sit beside the article, trafilatura sometimes takes them in, and they
    rotate on every fetch. A list goes only when it has three or more items,
    every item starts with a link to a page of the same site, and the links are
    headlines (a menu's are a word or two). A list of sources or references
    links elsewhere, or has text before its links, and stays.
    """
    if not url:
        return
    site = _site(url)
    lists = [element for element in tree.iter("ul", "ol") if _is_teaser_list(element, site)]
    for element in lists:
        heading = element.getprevious()
        if heading is not None and heading.tag in HEADINGS and not (heading.tail or "").strip():
            heading.drop_tree()  # "Most read" goes with its list
        if element.getparent() is not None:
            element.drop_tree()


def drop_furniture_elements(tree: HtmlElement) -> None:
    """Remove elements that stand alone and hold only a clock or a count.

    "888 Comments" in its own link, "Updated 5 minutes ago" in its own span:
    trafilatura can run such an element into the article's first line, where
    the line filter cannot take it apart. An element stands alone when no text
    of its parent runs up to it on either side, so ``<p>at <time>12:11</time>
    local time</p>`` keeps its time; table cells always stay.
    """
    doomed = [element for element in _short_with_digit(tree)
              if element.tag not in KEEP_TAGS and len(element) <= 4
              and not (element.tail or "").strip() and not _text_before(element).strip()
              and is_furniture(" ".join(element.text_content().split()))]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _short_with_digit(tree: HtmlElement) -> list[HtmlElement]:
    """Elements in the body whose whole text is short and has a digit in it.

    Those are the elements holding a text with a digit, and their ancestors up
    to the first whose text is too long. One walk to find the few texts with a
    digit and a climb from each costs a quarter less than an XPath on
    string-length(.), which builds the text of every element, containers too.
    """
    body = tree.find("body")
    if body is None:
        return []
    holders = []
    for element in body.iter():
        if isinstance(element.tag, str) and element.text and DIGIT.search(element.text):
            holders.append(element)
        if element.tail and element is not body and DIGIT.search(element.tail):
            holders.append(element.getparent())
    found: dict[HtmlElement, None] = {}  # a set that keeps page order
    too_long: set[HtmlElement] = set()
    for holder in holders:
        element = holder
        while (element is not None and element is not body and element not in found
               and element not in too_long):
            if len(element.text_content()) > MAX_LENGTH:
                too_long.add(element)  # and so are all its ancestors
                break
            found[element] = None
            element = element.getparent()
    return list(found)


def _text_before(element: HtmlElement) -> str:
    previous = element.getprevious()
    if previous is not None:
        return previous.tail or ""
    parent = element.getparent()
    return (parent.text or "") if parent is not None else ""


def _is_teaser_list(element: HtmlElement, site: str) -> bool:
    items = [child for child in element if child.tag == "li"]
    if len(items) < MIN_TEASERS:
        return False
    words = 0
    for item in items:
        headline = _teaser_headline(item, site)
        if headline is None:
            return False
        words += len(headline.split())
    return words >= MIN_HEADLINE_WORDS * len(items)


def _teaser_headline(item: HtmlElement, site: str) -> str | None:
    """The item's headline, if the item starts with a link to a page of this site."""
    link = next(item.iter("a"), None)
    href = link.get("href") if link is not None else None
    if not href or not _same_site(href, site):
        return None
    headline = " ".join(link.text_content().split())  # type: ignore[union-attr]
    text = " ".join(item.text_content().split())
    return headline if headline and text.startswith(headline) else None


def _same_site(href: str, site: str) -> bool:
    href = href.strip()
    if not href.startswith(("http:", "https:", "//")):
        return not href.startswith(("mailto:", "javascript:", "tel:"))  # a path on this site
    return _site(href if not href.startswith("//") else "http:" + href) == site


def _site(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")
