"""What changed, in an editor's words: each changed span as a field and a kind.

An editor's first questions about an edit are what kind it was (a figure, a
quote, the headline, the byline, a paragraph added) and whether the publisher
admitted it (a correction note, a moved "updated" date). ``classify`` answers
the first for every span of a diff; ``is_silent`` the second. The fields and
kinds are DESIGN.md's; when two kinds fit, ``figure`` beats ``quote`` beats
``wording``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FIELDS = ("title", "standfirst", "byline", "published", "modified", "body", "correction",
          "caption", "link")
KINDS = ("wording", "figure", "quote", "added-paragraph", "removed-paragraph", "added",
         "removed")

# Number words that an edit can change a figure with ("eighty" → "eight").
NUMBER_WORDS_TEXT = """
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
    eighty ninety hundred hundreds thousand thousands million millions billion billions
    trillion dozen dozens deux trois quatre cinq six sept huit
    neuf dix vingt trente quarante cinquante soixante cent cents mille millier milliers
    milliard milliards zwei drei vier fünf sechs sieben acht neun zehn zwanzig
    dreißig vierzig fünfzig hundert tausend millionen milliarden uno dos tres cuatro cinco
    seis siete ocho nueve diez veinte treinta cuarenta cincuenta cien ciento mil millón
    millones один два три четыре пять шесть семь восемь девять десять сто тысяча тысячи
    тысяч миллион миллиона миллионов
"""
# Not "un", "ein", "may", "half": as often an article or a verb as a figure.
NUMBER_WORDS = frozenset(NUMBER_WORDS_TEXT.split())
MONTHS_TEXT = """
    january february march april june july august september october november december
    feb apr jun jul aug sept oct nov janvier février mars avril mai juin
    juillet août septembre octobre novembre décembre januar februar märz juni juli oktober
    dezember enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre
    diciembre
"""
MONTHS = frozenset(MONTHS_TEXT.split())
DIGIT = re.compile(r"\d")
WORD = re.compile(r"\w+")
# Text between quotation marks, in the common styles: “…” "…" «…» „…“ ‘…’ 「…」 『…』 ‹…› »…«,
# and the mixed pairs that real pages hold (“…" and "…”).
QUOTED = re.compile(r"[“„«\"][^“”„«»\"]*[”“»\"]|‘[^‘’]*’(?!\w)|「[^」]*」|『[^』]*』|‹[^›]*›"
                    r"|»[^«»]*«")
# A correction or update note: its label at the start, or the phrases that announce one.
CORRECTION = re.compile(
    r"^\W{0,3}(?:corrections?|clarifications?|updates?|editor['’]?s\s+note|note\s+from\s+the"
    r"\s+editors?|erratum|rectificatif|précision|mise\s+à\s+jour|korrektur|berichtigung"
    r"|richtigstellung|aktualisierung|anmerkung\s+der\s+redaktion|corrección|aclaración"
    r"|actualización|fe\s+de\s+erratas|nota\s+del\s+editor|исправление|поправка|обновление"
    r"|примечание\s+редакции|düzeltme|güncelleme|تصحيح|تحديث|توضيح|更正|更新|勘误|订正|訂正"
    r"|追記|修正)\s*[:：—–-]"
    r"|\b(?:an\s+earlier\s+version\s+of\s+this|this\s+(?:article|story|report|piece|post)"
    r"\s+(?:has\s+been|was)\s+(?:amended|corrected|updated|changed)|we\s+have\s+(?:amended"
    r"|corrected|updated)\s+this|a\s+previous\s+version\s+of\s+this|cet\s+article\s+a\s+été"
    r"\s+(?:modifié|corrigé|mis\s+à\s+jour)|dieser\s+(?:artikel|beitrag)\s+wurde\s+"
    r"(?:korrigiert|aktualisiert|geändert)|este\s+artículo\s+(?:ha\s+sido|fue)\s+"
    r"(?:corregido|actualizado|modificado))",
    re.IGNORECASE)
PAGE_MARK = re.compile(r"^\[page (\d+)\]$")


@dataclass(frozen=True)
class Change:
    """One changed thing: a span of one field, and what kind of change it is."""

    field: str
    kind: str
    before: str | None
    after: str | None
    paragraph: int | None = None  # body, correction, caption: the paragraph's index
    page: int | None = None  # PDFs: the page the paragraph is on
    text: str | None = None  # link: the anchor text

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"field": self.field, "kind": self.kind,
                                "before": self.before, "after": self.after}
        for key in ("paragraph", "page", "text"):
            if getattr(self, key) is not None:
                body[key] = getattr(self, key)
        return body

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        return cls(field=str(data.get("field", "body")), kind=str(data.get("kind", "wording")),
                   before=data.get("before"), after=data.get("after"),
                   paragraph=data.get("paragraph"), page=data.get("page"),
                   text=data.get("text"))


def has_figure(text: str | None) -> bool:
    """Whether text holds a number in any digit system, a number word or a month."""
    if not text:
        return False
    if DIGIT.search(text):
        return True
    return any(word in NUMBER_WORDS or word in MONTHS for word in WORD.findall(text.lower()))


def in_quote(paragraph: str | None, start: int | None, length: int) -> bool:
    """Whether the span at ``start`` lies inside quotation marks in its paragraph."""
    if not paragraph or start is None:
        return False
    end = start + max(length, 1)
    return any(m.start() < start + 1 and end - 1 < m.end() for m in QUOTED.finditer(paragraph))


def is_correction_note(paragraph: str | None) -> bool:
    return bool(paragraph) and bool(CORRECTION.search(paragraph or ""))


def page_of(paragraphs: Sequence[str], index: int | None) -> int | None:
    """The PDF page a paragraph is on: the last ``[page N]`` line before it."""
    if index is None or not paragraphs or not PAGE_MARK.match(paragraphs[0]):
        return None
    for paragraph in reversed(paragraphs[:index + 1]):
        if match := PAGE_MARK.match(paragraph):
            return int(match[1])
    return None


def kind_of(field: str, before: str | None, after: str | None, *, whole: bool,
            quoted: bool, field_before: str | None = None,
            field_after: str | None = None) -> str:
    """The kind of one span; a changed date is a ``figure``.

    ``added`` and ``removed`` are a field that appeared or went (a byline
    where there was none); words added within a field are a ``wording`` change,
    or a figure or quote.
    """
    if whole and field in ("body", "correction", "caption"):
        return "added-paragraph" if before is None else "removed-paragraph"
    if field_before == "" or field_after == "":
        return "added" if field_before == "" else "removed"
    if field in ("published", "modified") or has_figure(before) or has_figure(after):
        return "figure"
    return "quote" if quoted else "wording"


def is_silent(changes: Sequence[Change], modified_moved: bool | None) -> bool | None:
    """Whether an edit went unannounced: no correction or update note appeared, and the
    page's own modified date did not move. None when the previous date is unknown."""
    if modified_moved is None:
        return None
    noted = any(change.field == "correction" and change.after for change in changes)
    return not noted and not modified_moved


def summary(changes: Sequence[Change]) -> list[str]:
    """A line per change, as channels show them first: "Figure changed: 80,000 → 8,000"."""
    lines = []
    for change in changes:
        line = label(change)
        if (change.kind in ("figure", "quote", "wording") and change.field != "body") \
                or change.kind in ("figure", "quote") or change.field == "link":
            line += f": {_short(change.before)} → {_short(change.after)}"
        if change.page is not None:
            line += f" (page {change.page})"
        lines.append(line)
    return lines


FIELD_LABELS = {"title": "Headline", "standfirst": "Standfirst", "byline": "Byline",
                "published": "Publication date", "modified": "Modified date",
                "body": "Text", "correction": "Correction note", "caption": "Caption",
                "link": "Link"}


def label(change: Change) -> str:
    """The words for one change: "Headline changed", "Paragraph added", "Figure changed"."""
    if change.kind == "figure" and change.field in ("body", "standfirst", "caption"):
        return "Figure changed"
    if change.kind == "quote":
        return "Quote changed"
    if change.field == "correction":
        return {"added-paragraph": "Correction note added",
                "removed-paragraph": "Correction note removed"}.get(change.kind,
                                                                    "Correction note changed")
    if change.kind in ("added-paragraph", "removed-paragraph"):
        return "Paragraph " + change.kind.split("-")[0]
    name = FIELD_LABELS.get(change.field, change.field.capitalize())
    verb = {"added": "added", "removed": "removed"}.get(change.kind, "changed")
    return f"{name} {verb}"


def _short(text: str | None, limit: int = 80) -> str:
    if not text:
        return "—"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
