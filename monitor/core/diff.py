"""What changed between two versions of an article, and which event that is.

The diff runs in steps because a character diff of a whole article costs
~11 ms and can hit diff-match-patch's 1 s timeout on a rewrite: paragraphs are
diffed as units first (line mode, ~0.03 ms), the removed and added paragraphs
of each changed run are paired, and only each pair is diffed word by word, so
fragments are whole words (``8,000``, never ``-0``). No step has a deadline:
work is bounded by size, so the same two versions always give the same diff.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from difflib import SequenceMatcher

from diff_match_patch import diff_match_patch

from monitor.core.changes import Change, in_quote, is_correction_note, kind_of, page_of
from monitor.core.document import Document, folded
from monitor.core.words import TOKENS, tokens

__all__ = ["DELETE", "EQUAL", "INSERT", "TOKENS", "Diff", "Span", "diff_documents", "tokens"]
DELETE, EQUAL, INSERT = -1, 0, 1


@dataclass(frozen=True)
class Span:
    """One changed span of one field: the words before and after, None for a side
    that has none (an added or removed paragraph is one span of its own)."""

    field: str  # title | standfirst | byline | published | body
    before: str | None
    after: str | None
    paragraph: int | None = None  # body only: its index in the new version (old, if removed)
    whole: bool = False  # the whole paragraph was added or removed, not words within it
    # where the span starts in the field's old text, and in its new text
    at_before: int | None = dataclass_field(default=None, compare=False)
    at_after: int | None = dataclass_field(default=None, compare=False)


@dataclass(frozen=True)
class Diff:
    """A DocumentDiff: the whole-word fragments, the spans per field and paragraph,
    and a unified diff of the snapshot lines, all deterministic."""

    added: list[str]
    removed: list[str]
    unified: str
    spans: tuple[Span, ...] = ()
    changes: tuple[Change, ...] = ()  # each span as a field and a kind (monitor.core.changes)

    def as_dict(self) -> dict[str, object]:
        return {"added": self.added, "removed": self.removed, "unified": self.unified}


# Bounds on diff work, by size and never by time, so that the same two versions give
# the same diff on any machine under any load (diff-match-patch's own timeout cuts a
# diff short wherever the clock says so).
WORD_DIFF_LIMIT = 2_000  # tokens on both sides of one paragraph's changed middle
PARAGRAPH_DIFF_LIMIT = 4_000  # paragraphs on both sides of a document's changed middle
PAIRING_WINDOW = 50  # old paragraphs of a replaced run that one new paragraph is tried with
MAX_DISTINCT_UNITS = 1_000_000  # each becomes one character: below chr()'s 1,114,111
SIMILAR = 0.6  # quick_ratio from which a removed and an added paragraph are one edit


def _differ() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # no deadline: the size limits above bound the work instead
    return dmp


def _encode(tokens: list[str], table: list[str], index: dict[str, int]) -> str:
    """Each distinct token as one character, so diff_main compares tokens as units."""
    out = []
    for token in tokens:
        if token not in index:
            index[token] = len(table)
            table.append(token)
        out.append(chr(index[token]))
    return "".join(out)


def _common_ends(old: list[str], new: list[str]) -> tuple[int, int]:
    """How many units the two sequences share at the start, and then at the end."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, suffix


def diff_units(old: list[str], new: list[str],
               limit: int = WORD_DIFF_LIMIT) -> list[tuple[int, list[str]]]:
    """diff-match-patch over sequences of units (paragraphs or words), deterministic.

    When the part that differs (the sequences without their common start and
    end) holds more than ``limit`` units, or has no unit in common, it is one
    replacement: a diff of it would cost time growing with the square of its
    size, to say little more than "rewritten".
    """
    prefix, suffix = _common_ends(old, new)
    middle_old, middle_new = old[prefix:len(old) - suffix], new[prefix:len(new) - suffix]
    if len(middle_old) + len(middle_new) > limit or not set(middle_old) & set(middle_new) \
            or len(set(old) | set(new)) > MAX_DISTINCT_UNITS:
        ops = [(EQUAL, old[:prefix]), (DELETE, middle_old), (INSERT, middle_new),
               (EQUAL, old[len(old) - suffix:])]
        return [(op, units) for op, units in ops if units]
    table: list[str] = []
    index: dict[str, int] = {}
    a, b = _encode(old, table, index), _encode(new, table, index)
    dmp = _differ()
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    return [(op, [table[ord(c)] for c in text]) for op, text in diffs]


def similar(before: str, after: str) -> bool:
    """Whether an added paragraph is a removed one edited, rather than a new one."""
    return SequenceMatcher(None, before, after, autojunk=False).quick_ratio() >= SIMILAR


def pair_paragraphs(old: list[str], new: list[str],
                    same: Callable[[str, str], bool] = similar,
                    ) -> list[tuple[str | None, str | None]]:
    """Match the removed and added paragraphs of one replaced run, in order.

    A run of changed paragraphs is usually paragraphs edited in place, sometimes
    with one inserted or dropped. Each edited paragraph is paired with its old
    self (the first similar one, within ``PAIRING_WINDOW``), so that words are
    diffed within one paragraph; the others are wholly removed or added.
    """
    pairs: list[tuple[str | None, str | None]] = []
    added: list[str] = []  # new paragraphs with no old one, shown after the removed ones
    start = 0
    for after in new:
        window = range(start, min(len(old), start + PAIRING_WINDOW))
        match = next((j for j in window if same(old[j], after)), None)
        if match is None:
            added.append(after)
            continue
        pairs += [(before, None) for before in old[start:match]]
        pairs += [(None, a) for a in added]
        pairs.append((old[match], after))
        added, start = [], match + 1
    pairs += [(before, None) for before in old[start:]]
    pairs += [(None, a) for a in added]
    return pairs


def changed_paragraphs(old: list[str], new: list[str]) -> list[tuple[str | None, str | None]]:
    """The paragraphs that differ, as (old, new) pairs; None where one side has none."""
    return [(before, after) for before, after, _ in _changed_paragraphs(old, new)]


def _changed_paragraphs(old: list[str], new: list[str],
                        ) -> list[tuple[str | None, str | None, int]]:
    """As changed_paragraphs, each with its index (in ``new``; in ``old`` if removed)."""
    changes: list[tuple[str | None, str | None, int]] = []
    pending: dict[int, list[str]] = {DELETE: [], INSERT: []}
    old_at = new_at = 0  # where the next unit starts in old, in new
    for op, units in [*diff_units(old, new, PARAGRAPH_DIFF_LIMIT), (EQUAL, [])]:
        if op != EQUAL:
            pending[op].extend(units)
            continue
        for before, after in pair_paragraphs(pending[DELETE], pending[INSERT]):
            if before != after:
                changes.append((before, after, new_at if after is not None else old_at))
            old_at += before is not None
            new_at += after is not None
        pending = {DELETE: [], INSERT: []}
        old_at += len(units)
        new_at += len(units)
    return changes


def _word_changes(field: str, before: str | None, after: str | None,
                  paragraph: int | None) -> tuple[list[str], list[str], list[Span]]:
    """Whole-word fragments removed and added within one field or paragraph, and
    its changed spans (a run of removed and added words between unchanged words)."""
    removed: list[str] = []
    added: list[str] = []
    spans: list[Span] = []
    if before is None or after is None:  # a whole paragraph added or removed
        spans.append(Span(field, before, after, paragraph, whole=True))
    run: dict[int, list[str]] = {DELETE: [], INSERT: []}
    at = {DELETE: 0, INSERT: 0}  # characters consumed of the old and the new text
    run_at = dict(at)

    def close_run() -> None:
        old_words, new_words = "".join(run[DELETE]), "".join(run[INSERT])
        if before is not None and after is not None and (old_words.strip()
                                                         or new_words.strip()):
            lead_old = len(old_words) - len(old_words.lstrip())
            lead_new = len(new_words) - len(new_words.lstrip())
            spans.append(Span(field, old_words.strip() or None, new_words.strip() or None,
                              paragraph, at_before=run_at[DELETE] + lead_old,
                              at_after=run_at[INSERT] + lead_new))
        run[DELETE], run[INSERT] = [], []

    for op, units in diff_units(tokens(before or ""), tokens(after or "")):
        size = sum(len(unit) for unit in units)
        if op == EQUAL:
            if "".join(units).strip():  # a space alone does not end a span
                close_run()
            if not run[DELETE] and not run[INSERT]:
                at[DELETE] += size
                at[INSERT] += size
                run_at.update(at)
            else:  # spaces inside a run: part of it
                run[DELETE].extend(units)
                run[INSERT].extend(units)
                at[DELETE] += size
                at[INSERT] += size
            continue
        if not run[DELETE] and not run[INSERT]:
            run_at.update(at)
        run[op].extend(units)
        at[op] += size
        target = removed if op == DELETE else added
        for piece in "".join(units).split("\n"):
            if piece.strip():
                target.append(piece.strip())
    close_run()
    return removed, added, spans


def same_wording(old: Document, new: Document) -> bool:
    """Whether nothing that counts changed: the same folded text, or only the date
    moved forward.

    trafilatura takes the date from the page's metadata or, lacking that, from
    elements such as "Page last updated ...", which tick forward on every fetch.
    A date that moves *back* (an article backdated) or appears with a text change
    still counts. Invisible characters and compatibility forms never count
    (monitor.core.words).
    """
    if old == new:
        return True
    old, new = folded(old), folded(new)
    return old == new or (replace(new, date=old.date) == old and new.date > old.date)


def diff_documents(old: Document, new: Document) -> Diff:
    """Title, standfirst, byline and date word by word (the stated and the visible
    forms), then each changed paragraph word by word, all in folded form; each
    changed span classified as an editor would (monitor.core.changes)."""
    old, new = folded(old), folded(new)
    removed: list[str] = []
    added: list[str] = []
    spans: list[Span] = []
    changes: list[Change] = []
    fields: list[tuple[str, str | None, str | None, int | None]] = [
        ("title", old.title, new.title, None), ("standfirst", old.standfirst, new.standfirst,
                                                None),
        ("byline", old.author, new.author, None), ("published", old.date, new.date, None)]
    # What a reader sees, where it changed otherwise than the stated title or author.
    for name, shown, stated in (
            ("title", (old.shown_headline, new.shown_headline), (old.title, new.title)),
            ("byline", (old.byline, new.byline), (old.author, new.author))):
        if shown != stated:
            fields.insert(1 if name == "title" else 4, (name, *shown, None))
    fields += [("body", before, after, index) for before, after, index
               in _changed_paragraphs(list(old.paragraphs), list(new.paragraphs))]
    for field, before, after, index in fields:
        if before == after:
            continue
        if field != "body":  # a field is one line of text, maybe empty, never absent
            before, after = before or "", after or ""
        field_removed, field_added, field_spans = _word_changes(field, before, after, index)
        removed.extend(field_removed)
        added.extend(field_added)
        spans.extend(field_spans)
        changes.extend(_classified(span, before, after, old, new) for span in field_spans)
    old_lines, new_lines = old.lines(), new.lines()
    unified = "\n".join(difflib.unified_diff(old_lines, new_lines, "before", "after",
                                             n=1, lineterm=""))
    return Diff(added=added, removed=removed, unified=unified, spans=tuple(spans),
                changes=tuple(changes))


def _names_the_author(span: Span, old: Document, new: Document) -> bool:
    before = {name for name in (old.author, old.byline) if name}
    after = {name for name in (new.author, new.byline) if name}
    return bool((span.before and span.before in before) or (span.after and span.after in after))


def _classified(span: Span, before: str | None, after: str | None, old: Document,
                new: Document) -> Change:
    """A span as a Change: a body paragraph that is a correction note is that field,
    and a span inside quotation marks (on either side) is a quote."""
    field = span.field
    if field == "body" and (is_correction_note(after) or (after is None
                            and is_correction_note(before))):
        field = "correction"
    elif field == "body" and _names_the_author(span, old, new):
        field = "byline"  # the byline's line, which extraction took as text
    quoted = in_quote(before, span.at_before, len(span.before or "")) \
        or in_quote(after, span.at_after, len(span.after or ""))
    kind = kind_of(field, span.before, span.after, whole=span.whole, quoted=quoted,
                   field_before=before if span.field != "body" else None,
                   field_after=after if span.field != "body" else None)
    page = None
    if span.paragraph is not None:
        page = page_of(new.paragraphs if span.after is not None else old.paragraphs,
                       span.paragraph)
    return Change(field=field, kind=kind, before=span.before, after=span.after,
                  paragraph=span.paragraph, page=page)
