"""Removal variants for bench/quality: the article replaced by its site's "not found" page
(a soft 404, which must be reported ``removed``), and the article replaced by a short
update that says something was not found (a real article, which never is).

Both keep the page's own template (menus, sidebars, footer): only the article's
container changes, as when a CMS renders its not-found message in the article's
place. The language and the place of the wording rotate over the pages, so
that each of the eight languages is on about a twentieth of them and the
wording is in the ``<title>`` only, the heading and text only, or everywhere.
"""

from __future__ import annotations

from lxml import etree

from bench.corpus import normalise, token_scores
from bench.variants import Located, element, locate, parse, serialize, text_slots, visible_text

# (language, <title>, heading, text) of a not-found page.
NOT_FOUND = [
    ("en", "Page not found", "Page not found",
     "Sorry, the page you were looking for could not be found. It may have been moved or "
     "deleted."),
    ("fr", "Page introuvable", "Oups ! Page introuvable",
     "La page que vous cherchez n'existe pas ou a été déplacée."),
    ("de", "Seite nicht gefunden", "Seite nicht gefunden",
     "Die von Ihnen aufgerufene Seite existiert leider nicht mehr."),
    ("es", "Página no encontrada", "Error 404",
     "Lo sentimos, la página que busca no existe o ha sido eliminada."),
    ("ru", "Страница не найдена", "Страница не найдена",
     "Возможно, она была удалена или перемещена."),
    ("ar", "الصفحة غير موجودة", "عذراً، الصفحة غير موجودة", "ربما تم حذف الصفحة أو نقلها."),
    ("zh", "页面不存在", "抱歉，您访问的页面不存在", "该页面可能已被删除或移动。"),
    ("tr", "Sayfa bulunamadı", "Aradığınız sayfa bulunamadı",
     "Sayfa kaldırılmış ya da taşınmış olabilir."),
]
GENERIC_HEADING = "Oops!"
GENERIC_TEXT = "Try the search box above, or go back to the home page."
# A real story's short update that says "not found", in the same eight languages.
SHORT_UPDATES = [
    "Update: rescuers said on Tuesday that the missing climber was not found and that the "
    "search would resume at dawn.",
    "Mise à jour : les secours ont indiqué mardi que l'alpiniste disparu était introuvable "
    "et que les recherches reprendraient à l'aube.",
    "Aktualisierung: Die Retter teilten am Dienstag mit, der vermisste Bergsteiger sei nicht "
    "gefunden worden; die Suche gehe im Morgengrauen weiter.",
    "Actualización: los rescatistas dijeron el martes que el alpinista desaparecido no fue "
    "encontrado y que la búsqueda se reanudará al amanecer.",
    "Обновление: спасатели сообщили во вторник, что пропавший альпинист не найден, поиски "
    "возобновятся на рассвете.",
    "تحديث: قال رجال الإنقاذ يوم الثلاثاء إن المتسلق المفقود لم يتم العثور عليه وإن البحث "
    "سيستأنف عند الفجر.",
    "更新：救援人员周二表示，仍未找到失踪的登山者，搜救将于黎明恢复。",
    "Güncelleme: Kurtarma ekipleri salı günü kayıp dağcının bulunamadığını ve aramanın "
    "şafakta yeniden başlayacağını söyledi.",
]
PLACES = ("everywhere", "title only", "heading and text only")
ARTICLE_METADATA = ("og:", "twitter:", "article:", "dc.", "parsely", "sailthru")
ARTICLE_META_WORDS = ("title", "description", "author", "headline")
MIN_PIECE = 20  # characters: a text outside the container this long that is in the article
STILL_SHOWN = 0.7  # of the true body's words: the page shows a second copy of the article


def soft_404(raw: bytes, truth: str, seed: int) -> tuple[bytes, str] | None:
    """The page as its site's not-found page; None when the article is not located.

    Also returns "language, place" for the report.
    """
    root = parse(raw)
    loc = locate(root, truth)
    if loc is None:
        return None
    language, title, heading, text = NOT_FOUND[seed % len(NOT_FOUND)]
    place = PLACES[seed // len(NOT_FOUND) % len(PLACES)]
    site = _site_name(root)
    page_title = title if place != "heading and text only" else site
    if place == "title only":
        heading, text = GENERIC_HEADING, GENERIC_TEXT
    _forget_the_article(loc, page_title)
    _replace_contents(loc.container, [element("h1", heading), element("p", text)])
    if token_scores(visible_text(loc.body), truth)[1] >= STILL_SHOWN:
        return None  # a copy elsewhere (print or app version): not a page that is gone
    return serialize(root), f"{language}, {place}"


def short_update(raw: bytes, truth: str, seed: int) -> tuple[bytes, str] | None:
    """The article replaced by a one-paragraph update saying something was not found."""
    root = parse(raw)
    loc = locate(root, truth)
    if loc is None:
        return None
    language = NOT_FOUND[seed % len(SHORT_UPDATES)][0]
    _replace_contents(loc.container, [element("p", SHORT_UPDATES[seed % len(SHORT_UPDATES)])])
    return serialize(root), language


def _replace_contents(container: etree._Element, children: list[etree._Element]) -> None:
    for child in list(container):
        container.remove(child)
    container.text = None
    container.extend(children)


def _forget_the_article(loc: Located, page_title: str) -> None:
    """What a not-found page lacks: the article's title, headline, metadata, JSON-LD,
    and the pieces of it outside its container (a lede or a byline in the header)."""
    root = loc.root
    title = root.find(".//title")
    if title is None:
        head = root.find("head")
        if head is None:
            return
        title = etree.SubElement(head, "title")
    title.text = page_title
    for slot in list(text_slots(loc.body)):
        text = normalise(slot.get())
        if len(text) >= MIN_PIECE and text in loc.truth and not loc.inside(slot.owner):
            slot.set("")
    doomed = [e for e in root.iter("h1")]
    doomed += [m for m in root.iter("meta") if _is_article_metadata(m)]
    doomed += [s for s in root.iter("script")
               if (s.get("type") or "").strip().lower() == "application/ld+json"]  # even empty
    for e in doomed:
        parent = e.getparent()
        if parent is not None:
            parent.remove(e)


def _is_article_metadata(meta: etree._Element) -> bool:
    key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
    return key.startswith(ARTICLE_METADATA) or any(word in key for word in ARTICLE_META_WORDS)


def _site_name(root: etree._Element) -> str:
    """The site's name as its titles end ("… | The Site"), else a plain one."""
    title = " ".join((root.findtext(".//title") or "").split())
    for separator in (" | ", " - ", " – ", " — ", " :: "):
        if separator in title:
            return title.rsplit(separator, 1)[1]
    return "Home"


def report(results: list[tuple[str, str, str, list[str], bool]],
           skipped: list[tuple[str, str]], gone: dict[str, bool], limit: int) -> str:
    """The removal table: (class, page, note, events, had a baseline) for each case.

    A gone page must alert ``removed`` once confirmed; a real one never does.
    """
    lines = [f"{'removal class':<14}  pages  skipped  no baseline  removed  other alerts  "
             "right", f"{'-' * 14}  -----  -------  -----------  -------  ------------  -----"]
    wrong: list[str] = []
    by_language: dict[str, list[int]] = {}
    for klass, should_go in gone.items():
        cases = [r for r in results if r[0] == klass]
        based = [r for r in cases if r[4]]
        removed = [r for r in based if "removed" in r[3]]
        other = [r for r in based if r[3] and "removed" not in r[3]]
        right = len(removed) if should_go else len(based) - len(removed)
        lines.append(f"{klass:<14}  {len(cases):>5}  {sum(k == klass for k, _ in skipped):>7}  "
                     f"{len(cases) - len(based):>11}  {len(removed):>7}  {len(other):>12}  "
                     f"{right}/{len(based)} ({100 * right / max(len(based), 1):.1f}%)")
        for _, page, note, events, _ in based:
            if ("removed" in events) != should_go:
                wrong.append(f"  {page[:12]} {klass} ({note}): {', '.join(events) or 'no alert'}")
            if should_go:
                tally = by_language.setdefault(note.split(",")[0], [0, 0])
                tally[0] += "removed" in events
                tally[1] += 1
    if by_language:
        tallies = sorted(by_language.items())
        lines.append("soft-404 removed by language: " + ", ".join(
            f"{language} {done}/{total}" for language, (done, total) in tallies))
    lines.append("removals wrongly judged (page, class, language and place, alerts):")
    lines += wrong[:limit] or ["  none"]
    if len(wrong) > limit:
        lines.append(f"  … and {len(wrong) - limit} more")
    return "\n".join(lines)
