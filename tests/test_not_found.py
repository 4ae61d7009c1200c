"""Soft 404s: a short page saying "not found" in the languages we watch, the article gone;
and never a short real article."""

from __future__ import annotations

import pytest

from monitor.core.document import Document
from monitor.core.not_found import says_not_found, title_says_not_found

STORED = Document(title="Officials deny the report", paragraphs=(
    "Officials in the province denied on Tuesday that 80,000 people had been detained.",
    "The ministry said the figures published last week were false.",
))

# (title, heading, first line) of real sites' not-found pages, one language each.
NOT_FOUND_PAGES = [
    ("Page not found | Example News", "Page not found",
     "Sorry, the page you were looking for could not be found."),
    ("Page introuvable - Le Journal", "Oups ! Cette page n'existe pas",
     "La page que vous demandez est introuvable."),
    ("Seite nicht gefunden - Die Zeitung", "Fehler 404",
     "Die angeforderte Seite wurde leider nicht gefunden."),
    ("Página no encontrada | El Diario", "Lo sentimos",
     "No hemos podido encontrar la página que buscas."),
    ("Страница не найдена", "Ошибка 404", "Запрашиваемая страница не существует."),
    ("الصفحة غير موجودة", "عذراً", "لم يتم العثور على الصفحة المطلوبة."),
    ("页面不存在", "抱歉", "您访问的页面不存在或已被删除。"),
    ("Sayfa bulunamadı - Haber", "404", "Aradığınız sayfa bulunamadı."),
]


@pytest.mark.parametrize(("title", "heading", "line"), NOT_FOUND_PAGES)
def test_a_short_page_saying_not_found_is_a_soft_404(title: str, heading: str,
                                                     line: str) -> None:
    page = Document(title=title, headline=heading, paragraphs=(line, "Home · News · Sport"))
    assert says_not_found(page, page_title=title, stored=STORED)
    # The wording alone, in the title or the text, is enough.
    assert says_not_found(Document(title=title, paragraphs=("Home · Sport",)), stored=STORED)
    assert says_not_found(Document(title="Example", paragraphs=(line,)), stored=STORED) \
        or says_not_found(Document(title=heading, paragraphs=(line,)), stored=STORED)


@pytest.mark.parametrize("line", [
    "Sorry, this page could not be found.", "The article you requested is no longer available.",
    "This page has been removed.", "We can't find that page.", "HTTP 404: not found",
])
def test_english_wordings_of_a_missing_page(line: str) -> None:
    assert says_not_found(Document(title="Example News", paragraphs=(line,)), stored=STORED)
    assert says_not_found(Document(title="Example News", paragraphs=(line,)))  # first check too


def test_the_page_title_alone_tells_an_empty_page() -> None:
    assert title_says_not_found("404 Not Found")
    assert title_says_not_found("Страница не найдена")
    assert not title_says_not_found("Officials deny the report")


@pytest.mark.parametrize(("title", "line"), [
    ("Climber not found after three days", "Rescuers said the climber was not found."),
    ("Kayıp dağcı bulunamadı", "Arama ekipleri dağcının izine bulunamadığını söyledi."),
    ("Пропавший турист не найден", "Спасатели продолжают поиски."),
    ("Flight 404 lands safely", "Flight 404 from Ankara landed after a bird strike."),
])
def test_a_short_real_article_that_says_not_found_is_not_gone(title: str, line: str) -> None:
    """A first check cannot miss an article that was never stored: bare wording in the
    title is a story, and a bare 404 in the text is a flight."""
    short = Document(title=title, paragraphs=(line,))
    assert not says_not_found(short)


def test_a_page_that_still_holds_the_article_is_not_gone_unless_its_title_says_so() -> None:
    notice = "An earlier version of this page is no longer available."
    still = Document(title=STORED.title, paragraphs=(notice, *STORED.paragraphs))
    assert not says_not_found(still, stored=STORED)
    # A page that now calls itself "not found" is gone, whatever text of the old
    # snapshot it still shows (a snapshot that held the site's furniture shares
    # it with the site's not-found page).
    renamed = Document(title="Page not found", paragraphs=STORED.paragraphs)
    assert says_not_found(renamed, stored=STORED)
    # Unless the article was about missing pages all along.
    about = Document(title="Why 'page not found' errors cost shops sales",
                     paragraphs=STORED.paragraphs)
    assert not says_not_found(about, stored=about)
    # A changed story whose headline now says "not found" is an edit, not a removal.
    edited = Document(title="Detainees not found, officials say",
                      paragraphs=(STORED.paragraphs[1],))
    assert not says_not_found(edited, stored=STORED)


def test_how_long_a_not_found_page_may_be() -> None:
    """On a first check a long page is an article, whatever its title says. Once an
    article is stored and gone, the site's menus and teasers around the message
    may be thousands of characters. Past 20,000 (a not-found page inside a whole
    site's teasers: readability's Spanish test page keeps 51,000) only the page's
    own name, newly "not found", tells it, and only with the article gone."""
    menus = Document(title="Page not found", paragraphs=("Read our other stories. " * 60,))
    assert not says_not_found(menus)
    assert says_not_found(menus, stored=STORED)
    teasers = ("Read our other stories. " * 900,)
    assert says_not_found(Document(title="Página no encontrada", paragraphs=teasers),
                          stored=STORED)
    # Wording in the text alone does not do it at that length,
    said = Document(title="Our stories", paragraphs=(
        "Sorry, the page you were looking for could not be found.", *teasers))
    assert not says_not_found(said, stored=STORED)
    # nor a long page that still holds the article under its new title.
    kept = Document(title="Page not found", paragraphs=(*STORED.paragraphs, *teasers))
    assert not says_not_found(kept, stored=STORED)
