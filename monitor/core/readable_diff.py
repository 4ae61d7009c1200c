"""``monitor diff`` for people: the two versions named, then only what changed.

git's word diff shows ``diff --git``/``index`` lines and three whole paragraphs
of context, and no dates: a reader has to know git to read it. Here a header
names the two versions (short revision, time, event), and each changed field
or paragraph follows once, with removed words marked ``[-like this-]`` and
added words ``{+like this+}``, as the plain-text alerts mark them. Words are
diffed with the tokens and the diff that made the alert's fragments
(``monitor.core.diff``), so the marks fall on whole words (``8,000``, never
``-0``). Pure: it renders the two snapshots it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from monitor.core.diff import DELETE, EQUAL, INSERT, diff_units, pair_paragraphs
from monitor.core.document import Snapshot
from monitor.core.people_time import for_people
from monitor.core.safe_text import for_terminal
from monitor.core.words import fold, tokens

#: One piece of a word diff: (DELETE | EQUAL | INSERT, text).
Segment = tuple[int, str]

PARAGRAPH_DIFF_LIMIT = 4_000  # as monitor.core.diff: past it, a changed middle is replaced
MARKS = {DELETE: ("[-", "-]"), INSERT: ("{+", "+}")}
COLOURS = {DELETE: "\x1b[31m", INSERT: "\x1b[32m"}  # red, green: git's own
BOLD, RESET = "\x1b[1m", "\x1b[0m"

#: the snapshot's header fields, in the order the file has them
FIELDS: tuple[tuple[str, Callable[[Snapshot], str]], ...] = (
    ("Title", lambda s: s.document.title),
    ("URL", lambda s: s.url),
    ("Headline", lambda s: s.document.headline),
    ("Standfirst", lambda s: s.document.standfirst),
    ("Author", lambda s: s.document.author),
    ("Byline", lambda s: s.document.byline),
    ("Date", lambda s: s.document.date),
    ("Status", lambda s: s.status),
)


@dataclass(frozen=True)
class Side:
    """One of the two versions compared, as the header names it."""

    revision: str
    when: str  # RFC 3339, or git's ISO 8601 with an offset
    event: str  # baseline, changed, removed, ...
    reason: str = ""


@dataclass(frozen=True)
class Block:
    """One changed field or paragraph: its label, both texts and their word diff."""

    label: str  # "Title", "Paragraph 5"
    before: str | None  # None: the paragraph is new
    after: str | None  # None: the paragraph is gone
    segments: tuple[Segment, ...]

    @property
    def is_paragraph(self) -> bool:
        return self.label.startswith("Paragraph")


def changed_blocks(old: Snapshot, new: Snapshot) -> list[Block]:
    """The header fields, then the paragraphs, that differ in wording (in folded form:
    an invisible character alone is no change)."""
    blocks = []
    for label, value in FIELDS:
        before, after = value(old), value(new)
        if fold(before) != fold(after):
            blocks.append(Block(label, before, after, inline_diff(before, after)))
    for old_paragraph, new_paragraph, number in paragraph_pairs(old.document.paragraphs,
                                                                new.document.paragraphs):
        state = " (added)" if old_paragraph is None else \
            " (removed)" if new_paragraph is None else ""
        blocks.append(Block(f"Paragraph {number}{state}", old_paragraph, new_paragraph,
                            inline_diff(old_paragraph or "", new_paragraph or "")))
    return blocks


def paragraph_pairs(old: Sequence[str], new: Sequence[str],
                    ) -> list[tuple[str | None, str | None, int]]:
    """The paragraphs that differ as (old, new, number): an edited paragraph is paired
    with its old self; the number counts from 1 in the new version (in the old one
    for a removed paragraph)."""
    changes: list[tuple[str | None, str | None, int]] = []
    pending: dict[int, list[str]] = {DELETE: [], INSERT: []}
    old_at = new_at = 0
    for op, units in [*diff_units(list(old), list(new), PARAGRAPH_DIFF_LIMIT), (EQUAL, [])]:
        if op != EQUAL:
            pending[op].extend(units)
            continue
        for before, after in pair_paragraphs(pending[DELETE], pending[INSERT]):
            if before is None or after is None or fold(before) != fold(after):
                changes.append((before, after, 1 + (new_at if after is not None else old_at)))
            old_at += before is not None
            new_at += after is not None
        pending = {DELETE: [], INSERT: []}
        old_at += len(units)
        new_at += len(units)
    return changes


def inline_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Word-level segments turning ``old`` into ``new``; neighbours of one op merged."""
    segments: list[Segment] = []
    for op, units in diff_units(tokens(old), tokens(new)):
        text = "".join(units)
        if not text:
            continue
        if segments and segments[-1][0] == op:
            segments[-1] = (op, segments[-1][1] + text)
        else:
            segments.append((op, text))
    return tuple(segments)


def render(source_id: str, old: Side, new: Side, blocks: Sequence[Block], *,
           lines: bool = False, color: bool = False) -> str:
    """The whole answer: the header naming both versions, then each changed block.

    ``lines`` shows each changed block as its old and its new line (``-``/``+``)
    instead of marked words. Every piece of page text goes through
    ``for_terminal`` before any colour is added, so a page cannot move the cursor.
    """
    if not blocks:
        return ""
    out = [*header(source_id, old, new, blocks, lines=lines, color=color), ""]
    for block in blocks:
        if lines:
            out += _as_lines(block, color)
        elif block.is_paragraph:
            out += [_bold(block.label, color), marked(block.segments, color=color), ""]
        else:
            out += [f"{_bold(block.label + ':', color)} {marked(block.segments, color=color)}",
                    ""]
    return "\n".join(out).rstrip("\n") + "\n"


def header(source_id: str, old: Side, new: Side, blocks: Sequence[Block], *,
           lines: bool = False, color: bool = False) -> list[str]:
    """``letter: 1 paragraph changed``, then one line for each version."""
    legend = "- old line, + new line" if lines else "[-removed-] {+added+}"
    return [_bold(for_terminal(f"{source_id}: {what_changed(blocks)}"), color),
            _side("from", old), _side("to", new), f"  ({legend})"]


def what_changed(blocks: Sequence[Block]) -> str:
    """"the title and 2 paragraphs changed"."""
    fields = [b.label.lower() for b in blocks if not b.is_paragraph]
    paragraphs = sum(b.is_paragraph for b in blocks)
    parts = [f"the {name}" for name in fields]
    if paragraphs:
        parts.append(f"{paragraphs} paragraph{'s' if paragraphs != 1 else ''}")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{listed} changed"


def _side(word: str, side: Side) -> str:
    event = side.event + (f" ({side.reason})" if side.reason else "")
    return for_terminal(f"  {word:<4}  {side.revision[:10]}  {for_people(side.when)}  {event}")


def marked(segments: Sequence[Segment], *, color: bool = False) -> str:
    """Removed words in ``[-…-]``, added in ``{+…+}`` (red and green on a terminal);
    the spaces round a run stay outside its marks."""
    out = []
    for op, text in segments:
        safe = for_terminal(text)
        if op == EQUAL:
            out.append(safe)
            continue
        lead = safe[:len(safe) - len(safe.lstrip())]
        trail = safe[len(safe.rstrip()):]
        core = safe.strip()
        if not core:
            out.append(safe)
            continue
        opening, closing = MARKS[op]
        run = f"{opening}{core}{closing}"
        out.append(lead + (f"{COLOURS[op]}{run}{RESET}" if color else run) + trail)
    return "".join(out)


def _as_lines(block: Block, color: bool) -> list[str]:
    out = [_bold(block.label, color)]
    for op, text in ((DELETE, block.before), (INSERT, block.after)):
        if not text:  # a new paragraph or field has no old line, a gone one no new line
            continue
        line = f"{'-' if op == DELETE else '+'} {for_terminal(text)}"
        out.append(f"{COLOURS[op]}{line}{RESET}" if color else line)
    return [*out, ""]


def _bold(text: str, color: bool) -> str:
    return f"{BOLD}{text}{RESET}" if color else text
