"""The word diff of an alert, rebuilt from ``diff["unified"]``, and excerpts of it.

The word-level diff is rebuilt paragraph by paragraph with the same tokens
and the same diff-match-patch call that produced ``diff["added"]`` /
``diff["removed"]`` (``monitor.core.diff``), so the struck and highlighted words
are the alert's whole-word fragments, never ``-0`` inside ``80,000``. Chat
messages show excerpts around each change; email shows whole paragraphs with
only long runs clipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Any

from monitor.core.diff import DELETE, EQUAL, INSERT, diff_units, pair_paragraphs, similar
from monitor.core.words import tokens as word_tokens

#: One piece of a word diff: (DELETE | EQUAL | INSERT, text).
Segment = tuple[int, str]

CONTEXT_WORDS = 10  # words of unchanged text kept each side of a change in chat excerpts
CONTEXT_CHARS_PER_WORD = 30  # context is also capped in characters: words * this
CHAT_CHANGE_CHARS = 500  # a longer inserted or deleted run is cut in chat messages
EMAIL_CHANGE_CHARS = 5000  # ... and in an email


def word_blocks(diff: dict[str, Any] | None) -> list[list[Segment]]:
    """Each changed paragraph in ``diff["unified"]`` as word-level segments.

    The '-' and '+' lines of one run are paired paragraph by paragraph and each
    pair diffed token by token (monitor.core.words.tokens and diff_units), so
    the marked words are whole words. Without a
    unified diff the fragments alone are shown, each removal beside its addition.
    """
    if not diff:
        return []
    unified = str(diff.get("unified") or "")
    blocks = _unified_blocks(unified) if unified else []
    if blocks:
        return blocks
    removed, added = diff.get("removed") or [], diff.get("added") or []
    fallback: list[list[Segment]] = []
    for old, new in zip_longest(removed, added):
        block: list[Segment] = []
        if old:
            block.append((DELETE, str(old)))
        if new:
            block.append((INSERT, str(new)))
        fallback.append(block)
    return fallback


_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def _unified_blocks(unified: str) -> list[list[Segment]]:
    blocks: list[list[Segment]] = []
    old: list[str] = []
    new: list[str] = []
    old_line = new_line = 0
    started = False

    def flush() -> None:
        for before, after in pair_paragraphs(old, new, _same_paragraph):
            blocks.append(inline_diff(before or "", after or ""))
        old.clear()
        new.clear()

    for line in unified.split("\n"):
        hunk = _HUNK.match(line)
        if hunk:
            flush()
            started = True
            old_line, new_line = int(hunk.group(1)), int(hunk.group(2))
            continue
        if not started or not line:  # the ---/+++ file header
            continue
        mark, text = line[0], line[1:]
        if mark == "-":
            old.append(_label_title(text, old_line))
            old_line += 1
        elif mark == "+":
            new.append(_label_title(text, new_line))
            new_line += 1
        else:
            flush()
            old_line += 1
            new_line += 1
    flush()
    return [b for b in blocks if any(op != EQUAL for op, _ in b)]


HEADER_LINE = re.compile(r"^(Title|Author|Date): ")


def _same_paragraph(before: str, after: str) -> bool:
    """One paragraph edited, not one replaced: the same header field, or similar text."""
    field_before, field_after = HEADER_LINE.match(before), HEADER_LINE.match(after)
    if field_before or field_after:
        return bool(field_before and field_after
                    and field_before.group(1) == field_after.group(1))
    return similar(before, after)


def _label_title(text: str, line: int) -> str:
    """Line 1 of a snapshot is ``# Title``: show it as a title, not as Markdown."""
    return "Title: " + text[2:] if line == 1 and text.startswith("# ") else text


def inline_diff(old: str, new: str) -> list[Segment]:
    """Word-level segments turning ``old`` into ``new``; neighbours of one op merged."""
    segments: list[Segment] = []
    for op, tokens in diff_units(word_tokens(old), word_tokens(new)):
        text = "".join(tokens)
        if not text:
            continue
        if segments and segments[-1][0] == op:
            segments[-1] = (op, segments[-1][1] + text)
        else:
            segments.append((op, text))
    return segments


def count_changes(segments: Iterable[Segment]) -> int:
    """Runs of deleted/inserted text; a replacement (delete beside insert) is one."""
    count, inside = 0, False
    for op, text in segments:
        if op == EQUAL and text.strip():
            inside = False
        elif op != EQUAL and not inside:
            count, inside = count + 1, True
    return count


def _words(text: str) -> list[str]:
    return word_tokens(text)


def _head(text: str, words: int) -> str:
    """The first ``words`` words of ``text`` and an ellipsis if that is not all."""
    tokens = _words(text)
    kept: list[str] = []
    seen = 0
    for token in tokens:
        if not token.isspace():
            if seen == words:
                return "".join(kept).rstrip() + " …"
            seen += 1
        kept.append(token)
    return text


def _tail(text: str, words: int) -> str:
    tokens = _words(text)
    kept: list[str] = []
    seen = 0
    for token in reversed(tokens):
        if not token.isspace():
            if seen == words:
                return "… " + "".join(reversed(kept)).lstrip()
            seen += 1
        kept.append(token)
    return text


def clip(text: str, limit: int) -> str:
    """A deleted or inserted run cut to about ``limit`` characters, saying how much is left."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[limit // 2: limit] else text[:limit]
    return f"{cut} … [{len(text) - len(cut):,} more characters]"


def excerpts(blocks: Sequence[Sequence[Segment]], *, context: int = CONTEXT_WORDS,
             change_chars: int = CHAT_CHANGE_CHARS) -> list[list[Segment]]:
    """Short excerpts around each change: ``context`` words either side, long runs clipped.

    Changes closer than twice the context share one excerpt; an excerpt never
    spans two blocks (paragraphs), so each reads as one quote.
    """
    out: list[list[Segment]] = []
    for block in blocks:
        changed = [i for i, (op, _) in enumerate(block) if op != EQUAL]
        if not changed:
            continue
        first, last = changed[0], changed[-1]
        current: list[Segment] = []
        room = context * CONTEXT_CHARS_PER_WORD  # a "word" can be a 5,000-character URL
        for i, (op, text) in enumerate(block):
            if op != EQUAL:
                current.append((op, clip(text, change_chars)))
            elif i < first:
                current.append((EQUAL, _last_chars(_tail(text, context), room)))
            elif i > last:
                current.append((EQUAL, _first_chars(_head(text, context), room)))
            elif len([t for t in _words(text) if not t.isspace()]) <= 2 * context \
                    and len(text) <= 2 * room:
                current.append((EQUAL, text))
            else:
                current.append((EQUAL, _first_chars(_head(text, context), room)))
                out.append(current)
                current = [(EQUAL, _last_chars(_tail(text, context), room))]
        out.append(current)
    return out


def _first_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


def _last_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else "… " + text[-limit:]


def side(segments: Sequence[Segment], op: int) -> str:
    """The old (``DELETE``) or new (``INSERT``) text of segments."""
    return "".join(text for o, text in segments if o in (EQUAL, op))
