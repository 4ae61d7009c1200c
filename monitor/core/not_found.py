"""A soft 404: a page that answers 200 OK and says the article is not there.

Sites answer a removed article with their own "not found" page and a 200
status. Three things together tell it from a short real article:

- the page is short (a message, with the site's menus and teasers around it,
  which extraction takes when there is no article);
- it says "not found", in its title, its heading or its text, in the
  languages of the sites we watch (English, French, German, Spanish,
  Portuguese, Italian, Russian, Arabic, Chinese, Turkish);
- and the stored article is not in it any more (at most a paragraph or two of
  the site's own that the snapshot held).

The wording comes in three strengths. A page-level phrase ("page not found",
"Seite nicht gefunden", "sayfa bulunamadı", "页面不存在", "error 404") is
enough anywhere on such a page; a bare "404" only at the start or end of its
title or heading (in a story it is a flight or a road). A bare "not found" or
"no longer exists" is also what a real article says ("the climber was not
found"), so it counts only in the page's title or heading, and only when a
stored article is there to be missed. A title that *newly* says the page is
missing outweighs text the page still shares with the stored article: a
snapshot that holds much of its site's furniture shares it with the site's
not-found page too. A page longer than ``MOST`` (a not-found page inside a
whole site's teasers) is gone only when its title or heading newly says so and
the stored article is no longer in it.
"""

from __future__ import annotations

import re

from monitor.core.document import Document

SHORT = 1_000  # characters of body: a not-found message, on a source's first check
MOST = 20_000  # characters: a not-found page with its site's menus and teasers is shorter
FIRST_LINES = 3  # paragraphs of a short page where its message sits
KEPT = 60  # characters: stored paragraphs this long tell whether the article is still there
STILL_THERE = 3  # ... when a third of their text is

# Page-level: these say the *page* is missing, not a thing in a story.
PAGE_MISSING = re.compile("|".join([
    r"\b(?:error|http)\s+404\b", r"\b404\s+(?:error|not\s+found|page)\b",
    # English
    r"\b(?:page|article|story|content|post|file|document|url)\s+(?:you\s+(?:are|were)\s+"
    r"looking\s+for\s+|you\s+requested\s+)?(?:(?:was|is|has\s+been)\s+)?(?:not\s+found"
    r"|unavailable|no\s+longer\s+(?:available|exists?)|removed|deleted|taken\s+down)\b",
    r"\b(?:page|article|story|content|post|file|document|url)\s+(?:you\s+(?:are|were)\s+"
    r"looking\s+for\s+|you\s+requested\s+)?(?:could(?:n[’']t|\s+not)|can(?:[’']t|not))\s+"
    r"be\s+found\b",
    r"\bpage\s+(?:does(?:n[’']t|\s+not)\s+exist)",
    r"\bwe\s+(?:can[’']t|cannot|could(?:n[’']t|\s+not))\s+find\s+(?:that|the|this)\s+page",
    # French
    r"\bpage\s+(?:est\s+)?(?:introuvable|non\s+trouv[ée]e|inexistante)",
    r"\b(?:cette|la)\s+page\s+(?:que\s+vous\s+(?:cherchez|demandez)\s+)?n['’](?:existe|est)"
    r"\s+(?:pas|plus)",
    r"\berreur\s+404\b", r"\bcontenu\s+introuvable\b",
    # German
    r"\bseite\s+(?:wurde\s+)?nicht\s+gefunden", r"\bseite\s+existiert\s+nicht",
    r"\bseite\s+(?:ist\s+)?nicht\s+(?:mehr\s+)?(?:verfügbar|vorhanden)",
    r"\bfehler\s+404\b", r"\bartikel\s+(?:wurde\s+)?nicht\s+gefunden",
    # Spanish, Portuguese, Italian
    r"\bp[áa]gina\s+no\s+(?:encontrada|existe|disponible)",
    r"\bp[áa]gina\s+n[ãa]o\s+(?:encontrada|existe)", r"\bpagina\s+non\s+(?:trovata|esiste)",
    r"\bno\s+(?:se\s+)?(?:(?:ha|hemos|han)\s+)?(?:podido\s+)?encontr(?:ar|ado|ó)\s+la\s+"
    r"p[áa]gina", r"\bno\s+se\s+encuentra\s+la\s+p[áa]gina",
    # Russian
    r"страниц[аы]\s+(?:не\s+найден[аы]?|не\s+существует|удален[аы]?)",
    r"ошибка\s+404",
    # Arabic
    r"الصفحة\s+(?:المطلوبة\s+)?(?:غير\s+موجودة|غير\s+متوفرة|لم\s+يتم\s+العثور)",
    r"لم\s+يتم\s+العثور\s+على\s+(?:الصفحة|الصفحه)", r"خطأ\s+404",
    # Chinese (simplified and traditional)
    r"(?:页面|網頁|网页|頁面|文章)(?:不存在|未找到|找不到|已(?:被)?删除|已(?:被)?刪除)",
    r"(?:找不到|无法找到|無法找到)(?:该|該|此)?(?:页面|網頁|网页|頁面)",
    r"您(?:访问|訪問|要访问|所访问)的(?:页面|頁面|网页|網頁)不存在",
    # Turkish
    r"\bsayfa\s+(?:bulunamad[ıi]|mevcut\s+de[ğg]il)", r"\b404\s+hatas[ıi]",
    r"arad[ıi][ğg][ıi]n[ıi]z\s+sayfa",
]), re.IGNORECASE)

# A "404" that starts or ends a title or heading ("404 | Example News", "Error - 404")
# is a missing page; inside one ("Flight 404 lands safely") it is a story.
STATUS = re.compile(r"^\W*404\b|\b404\W*$")
# Bare: true of missing pages, and of things in real stories.
SAYS_MISSING = re.compile("|".join([
    r"\bnot\s+found\b", r"\bno\s+longer\s+(?:available|exists?)\b",
    r"\bdoes(?:n[’']t|\s+not)\s+exist\b", r"\bcould(?:n[’']t|\s+not)\s+be\s+found\b",
    r"\bhas\s+been\s+(?:removed|deleted|taken\s+down)\b",
    r"\bintrouvable\b", r"\bn['’]existe\s+(?:pas|plus)\b",
    r"\bnicht\s+gefunden\b", r"\bexistiert\s+nicht(?:\s+mehr)?\b",
    r"\bno\s+encontrad[oa]\b", r"\bya\s+no\s+existe\b", r"\bn[ãa]o\s+encontrad[oa]\b",
    r"\bnon\s+trovat[oa]\b",
    r"не\s+найден[аоы]?", r"не\s+существует",
    r"غير\s+موجود[ةه]?", r"لم\s+يتم\s+العثور",
    r"不存在", r"找不到", r"未找到",
    r"\bbulunamad[ıi]\b", r"\bmevcut\s+de[ğg]il\b",
]), re.IGNORECASE)


def body_size(document: Document) -> int:
    return sum(len(p) for p in document.paragraphs)


def says_not_found(document: Document, page_title: str = "",
                   stored: Document | None = None) -> bool:
    """Whether an extracted page is a soft 404 (see the module docstring).

    ``page_title`` is the HTML ``<title>``; ``stored`` the article as last kept,
    None on a source's first check. With no stored article to miss, the page
    must be short and say so in its headings or first lines. With one, the page
    may be longer (on real templates, extraction of a not-found page often takes
    thousands of characters of the site's menus and teasers): a title or heading
    that now says the page is missing is enough, and other wording counts once
    the article's text is gone.
    """
    size = body_size(document)
    headings = [document.title, document.headline, page_title]
    if stored is None:
        lines = " ".join(document.paragraphs[:FIRST_LINES])
        return size <= SHORT and (_page_level(headings) or bool(PAGE_MISSING.search(lines)))
    before = [stored.title, stored.headline]
    renamed = _page_level(headings) and not _page_level(before)
    if size > MOST:  # a page this long is gone only by its own name, and without the article
        return renamed and not _still_there(stored, document)
    if renamed:
        return True  # what the page calls itself changed to "not found"
    if _still_there(stored, document):
        return False
    return bool(PAGE_MISSING.search(" ".join(document.paragraphs))) or (
        any(SAYS_MISSING.search(h) for h in headings)
        and not any(SAYS_MISSING.search(h) for h in before))


def _page_level(headings: list[str]) -> bool:
    return any(PAGE_MISSING.search(h) or STATUS.search(h.strip()) for h in headings)


def title_says_not_found(page_title: str) -> bool:
    """For a page with no text at all: its ``<title>`` alone ("404 Not Found")."""
    return any(pattern.search(page_title.strip())
               for pattern in (PAGE_MISSING, STATUS, SAYS_MISSING))


def _still_there(stored: Document, document: Document) -> bool:
    """Whether the stored article is still in the page: then it is not gone.

    A third of its text, counted in paragraphs of ``KEPT`` characters or more,
    must be there. Less is what a not-found page shares with it: a snapshot
    often holds a paragraph or two of the site's own (a newsletter blurb, a
    press release's "About us"), and the not-found page shows those too. An
    article of short paragraphs only is counted in those of twenty characters
    or more.
    """
    text = "\n".join(document.paragraphs)
    kept = [p for p in stored.paragraphs if len(p) >= KEPT] \
        or [p for p in stored.paragraphs if len(p) >= KEPT // 3]
    there = sum(len(p) for p in kept if p in text)
    return there * STILL_THERE >= sum(len(p) for p in kept) > 0
