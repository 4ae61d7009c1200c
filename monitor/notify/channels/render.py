"""Pure rendering of alerts and digests, shared by the chat and email channels.

An alert must say at a glance what changed, so every channel shows the same
thing: the event and title, the source and link, the reason, the words removed
and added, and the git revision, in the markup its service understands. The
word-level diff is rebuilt here from ``diff["unified"]``, paragraph by
paragraph, with the same tokens and the same diff-match-patch call that produced
``diff["added"]`` / ``diff["removed"]`` (``monitor.core.diff``), so the struck and
highlighted words are the alert's whole-word fragments, never ``-0`` inside
``80,000``.

Nothing here does I/O; the channel modules only choose a format and a size
budget. The few pure helpers they share for options and error messages
(``url_problems``, ``flag``, ``redact``) live at the end. Sizes are counted
in UTF-16 code units (``units``), which is what the JavaScript services (Slack,
Discord, Telegram) count and never less than the number of code points, so a
message that fits here fits there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import zip_longest
from typing import Any
from urllib.parse import urlsplit

from monitor.core.diff import DELETE, EQUAL, INSERT, TOKENS, diff_units, pair_paragraphs, similar
from monitor.core.timestamps import STAMP

#: One piece of a word diff: (DELETE | EQUAL | INSERT, text).
Segment = tuple[int, str]

EVENT_LABELS = {
    "changed": "Changed", "removed": "Removed", "restored": "Restored", "moved": "Moved",
    "failing": "Failing", "recovered": "Recovered", "digest": "Digest",
}
EVENT_ICONS = {
    "changed": "✏️", "removed": "🗑️", "restored": "♻️", "moved": "➡️",
    "failing": "⚠️", "recovered": "✅", "digest": "📋",
}
#: One colour per event for the services that show one (hex, GitHub's palette).
EVENT_COLOURS = {
    "changed": "#dbab09", "removed": "#cb2431", "restored": "#22863a", "moved": "#0366d6",
    "failing": "#e36209", "recovered": "#22863a", "digest": "#6a737d",
}
REASONS = {
    "gone-404": "404 Not Found", "gone-410": "410 Gone",
    "gone-451": "451 Unavailable For Legal Reasons",
    "redirect-home": "redirects to the site's home or a section page",
    "soft-404": "the page now says it is not found",
    "redirected": "redirects to another article",
}

#: Facts whose values are revision hashes, shown as code.
CODE_FACTS = ("Revision", "Previous", "Reverts to")

DEL_STYLE = "color:#b31d28;background:#ffeef0"
INS_STYLE = "color:#22863a;background:#e6ffed"

CONTEXT_WORDS = 10  # words of unchanged text kept each side of a change in chat excerpts
CONTEXT_CHARS_PER_WORD = 30  # context is also capped in characters: words * this
CHAT_CHANGE_CHARS = 500  # a longer inserted or deleted run is cut in chat messages
CHAT_DIGEST_ROWS = 50  # sources listed in a chat digest; the rest are counted
EMAIL_CHANGE_CHARS = 5000  # ... and in an email


# --- sizes and escaping ------------------------------------------------------


def units(text: str) -> int:
    """Length in UTF-16 code units: what Slack, Discord and Telegram count."""
    return len(text.encode("utf-16-le")) // 2


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` cut to ``limit`` UTF-16 units, at a word boundary when one is near."""
    if units(text) <= limit:
        return text
    room = limit - units(ellipsis)
    size = end = 0
    for index, char in enumerate(text):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > room:
            break
        end = index + 1
    out = text[:end]
    mid_word = not text[end:end + 1].isspace()
    cut = out.rsplit(" ", 1)[0] if mid_word and " " in out[-20:] else out
    return cut.rstrip() + ellipsis


def escape_html(text: str) -> str:
    """HTML text and attribute escaping (email, Telegram, Matrix formatted_body)."""
    return html.escape(text, quote=True)


def escape_slack(text: str) -> str:
    """Slack mrkdwn: only ``&``, ``<`` and ``>`` are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MARKDOWN = re.compile(r"([\\`*_~|<>\[\]])")
_LINE_START = re.compile(r"^(\s*)(#|\+|-|\d+(?=[.)]))", re.M)


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown punctuation (Discord, Mattermost), so text stays text.

    Emphasis, code, links and spoilers anywhere; headings, quotes and list
    markers only where they would start a line.
    """
    def line_start(match: re.Match[str]) -> str:
        lead, marker = match.groups()
        return f"{lead}{marker}\\" if marker[0].isdigit() else f"{lead}\\{marker}"

    return _LINE_START.sub(line_start, _MARKDOWN.sub(r"\\\1", text))


def defuse_mentions(text: str) -> str:
    """``@name`` in article text must not ping anyone: a zero-width space after ``@``."""
    return re.sub(r"@(?=\w)", "@\u200b", text)


def safe_url(url: str) -> str:
    """A URL that cannot close the markup around it (``)``, ``>``, ``|``, spaces)."""
    return (url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            .replace("<", "%3C").replace(">", "%3E").replace("|", "%7C").replace('"', "%22"))


# --- what an alert says -------------------------------------------------------


@dataclass(frozen=True)
class AlertView:
    """The parts of an alert every channel shows, in plain text, ready for markup."""

    event: str
    label: str
    icon: str
    colour: str
    title: str
    url: str
    source_id: str
    reason: str | None
    facts: list[tuple[str, str]]  # (name, plain value): reason, move, revisions, time
    removed: list[str]
    added: list[str]
    blocks: list[list[Segment]] = field(default_factory=list)  # changed paragraphs
    test: bool = False

    @property
    def headline(self) -> str:
        return f"{self.label}: {self.title}"

    @property
    def pointer(self) -> str:
        """The command that shows the whole change."""
        return f"monitor diff {self.source_id}"

    @property
    def changes(self) -> int:
        return sum(count_changes(block) for block in self.blocks)


def short_revision(revision: str | None) -> str:
    return (revision or "")[:12]


def view(alert: dict[str, Any]) -> AlertView:
    """What to show of one alert (the JSON document of the design)."""
    event = str(alert.get("event") or "changed")
    source_id = str(alert.get("source_id") or "")
    raw_reason = alert.get("reason")
    reason = REASONS.get(raw_reason, raw_reason) if raw_reason else None
    facts: list[tuple[str, str]] = []
    if alert.get("test"):
        facts.append(("Test", "a sample alert sent by monitor test-alert"))
    if reason and event != "moved":
        facts.append(("Reason", str(reason)))
    if alert.get("from_url") or alert.get("to_url"):
        facts.append(("Moved from", str(alert.get("from_url") or "")))
        facts.append(("Moved to", str(alert.get("to_url") or "")))
    if alert.get("revision"):
        facts.append(("Revision", short_revision(alert["revision"])))
        if alert.get("previous_revision") and alert["previous_revision"] != alert["revision"]:
            facts.append(("Previous", short_revision(alert["previous_revision"])))
    if alert.get("reverts_to"):
        facts.append(("Reverts to", short_revision(alert["reverts_to"])))
    if alert.get("detected_at"):
        facts.append(("Detected", str(alert["detected_at"]).replace("T", " ")
                      .replace("Z", " UTC")))
    diff = alert.get("diff") or {}
    return AlertView(
        event=event, label=EVENT_LABELS.get(event, event.capitalize()),
        icon=EVENT_ICONS.get(event, "🔔"), colour=EVENT_COLOURS.get(event, "#6a737d"),
        title=" ".join(str(alert.get("title") or source_id or "untitled").split()),
        url=str(alert.get("to_url") or alert.get("url") or ""), source_id=source_id,
        reason=str(reason) if reason else None, facts=facts,
        removed=[str(f) for f in diff.get("removed") or []],
        added=[str(f) for f in diff.get("added") or []],
        blocks=word_blocks(diff), test=bool(alert.get("test")))


def quoted(fragments: Sequence[str], *, max_items: int = 5, max_chars: int = 60) -> str:
    """``“80,000”, “8,000” and 3 more``: fragments for a one-line summary."""
    shown = [f"“{truncate(' '.join(f.split()), max_chars)}”" for f in fragments[:max_items]]
    text = ", ".join(shown)
    if len(fragments) > max_items:
        text += f" and {len(fragments) - max_items} more"
    return text


def gist(v: AlertView) -> str:
    """One line for notification previews: the headline and the words that changed."""
    parts = [f"{v.icon} {v.headline}"]
    if v.removed:
        parts.append(f"removed {quoted(v.removed, max_items=3)}")
    if v.added:
        parts.append(f"added {quoted(v.added, max_items=3)}")
    if v.reason:
        parts.append(v.reason)
    return " — ".join(parts)


def more_changes(count: int) -> str:
    """The words that end a cut diff; the channel adds the pointer in its markup."""
    return f"…and {count} more change{'' if count == 1 else 's'}"


# --- the word diff ---------------------------------------------------------------


def word_blocks(diff: dict[str, Any] | None) -> list[list[Segment]]:
    """Each changed paragraph in ``diff["unified"]`` as word-level segments.

    The '-' and '+' lines of one run are paired paragraph by paragraph and each
    pair diffed token by token (monitor.core.diff's TOKENS and diff_units), so
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
    for op, tokens in diff_units(TOKENS.findall(old), TOKENS.findall(new)):
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
    return TOKENS.findall(text)


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


# --- markup -------------------------------------------------------------------


def mark(segments: Sequence[Segment], *, escape: Callable[[str], str],
         deleted: tuple[str, str], inserted: tuple[str, str], newline: str = "\n",
         between: str = " ") -> str:
    """Segments in one markup: each changed run wrapped, whitespace kept outside.

    Chat markup (``~x~``, ``**x**``) only works when the markers touch the word,
    and not across a line break, so each line of a run is wrapped on its own
    and its leading/trailing spaces stay outside. A deletion directly followed by
    an insertion gets ``between`` so that ``~~80,000~~ **8,000**`` reads as two words.
    """
    out: list[str] = []
    previous = EQUAL
    for op, text in segments:
        if op == EQUAL:
            out.append(escape(text).replace("\n", newline))
            previous = op
            continue
        if previous != EQUAL and previous != op and out and not out[-1][-1:].isspace():
            out.append(between)
        opening, closing = deleted if op == DELETE else inserted
        lines = []
        for line in text.split("\n"):
            match = re.match(r"(\s*)(.*?)(\s*)$", line, re.S)
            assert match is not None
            lead, core, trail = match.groups()
            lines.append(f"{lead}{opening}{escape(core)}{closing}{trail}" if core else line)
        out.append(newline.join(lines))
        previous = op
    return "".join(out)


def plain(segments: Sequence[Segment]) -> str:
    """wdiff / ``git diff --word-diff=plain`` notation: ``[-80,000-]{+8,000+}``."""
    return mark(segments, escape=lambda s: s, deleted=("[-", "-]"), inserted=("{+", "+}"),
                between="")


def slack(segments: Sequence[Segment]) -> str:
    """Slack mrkdwn: ``~struck~`` old words, ``*bold*`` new words."""
    return mark(segments, escape=escape_slack, deleted=("~", "~"), inserted=("*", "*"))


def markdown(segments: Sequence[Segment]) -> str:
    """Discord / Mattermost Markdown: ``~~struck~~`` old words, ``**bold**`` new words."""
    return mark(segments, escape=lambda s: defuse_mentions(escape_markdown(s)),
                deleted=("~~", "~~"), inserted=("**", "**"))


def email_html(segments: Sequence[Segment]) -> str:
    """HTML with GitHub's red strike-through deletions and green insertions."""
    return mark(segments, escape=escape_html,
                deleted=(f'<del style="{DEL_STYLE}">', "</del>"),
                inserted=(f'<ins style="{INS_STYLE}">', "</ins>"), newline="<br>\n")


def telegram_html(segments: Sequence[Segment]) -> str:
    """Telegram's HTML subset has no colours: ``<s>`` old words, ``<b>`` new words."""
    return mark(segments, escape=lambda s: defuse_mentions(escape_html(s)),
                deleted=("<s>", "</s>"), inserted=("<b>", "</b>"))


def matrix_html(segments: Sequence[Segment]) -> str:
    """Matrix ``formatted_body``: colours through ``data-mx-*`` (``style`` is stripped)."""
    return mark(segments, escape=escape_html,
                deleted=('<span data-mx-color="#b31d28" data-mx-bg-color="#ffeef0"><del>',
                         "</del></span>"),
                inserted=('<span data-mx-color="#22863a" data-mx-bg-color="#e6ffed"><b>',
                          "</b></span>"),
                newline="<br>")


# --- fitting into a size limit ------------------------------------------------------


#: what says how many changes a message had no room for
Note = Callable[[int], str]


@dataclass(frozen=True)
class Fitted:
    """The rendered pieces that fit, and how many changes were left out."""

    pieces: list[str]
    left_out: int

    def joined(self, sep: str) -> str:
        return sep.join(self.pieces)


def fit(pieces: Sequence[tuple[str, int]], budget: int, *, note: Note,
        sep: str = "\n\n", max_pieces: int | None = None,
        measure: Callable[[str], int] = units) -> Fitted:
    """Keep whole pieces, in order, while they and the "…and N more" note fit.

    ``pieces`` are (rendered text, changes in it); ``note(n)`` renders the note
    that replaces what is left out; room for it is kept unless every piece fits.
    """
    total = sum(n for _, n in pieces)
    if (max_pieces is None or len(pieces) <= max_pieces) and \
            measure(sep.join(text for text, _ in pieces)) <= budget:
        return Fitted([text for text, _ in pieces], 0)
    reserve = measure(sep + note(total))
    kept: list[str] = []
    shown = 0
    for index, (text, count) in enumerate(pieces):
        if max_pieces is not None and len(kept) >= max_pieces:
            break
        size = measure(sep.join([*kept, text]))
        last = index == len(pieces) - 1
        if size + (0 if last else reserve) > budget:
            break
        kept.append(text)
        shown += count
    return Fitted(kept, total - shown)


# --- digests -------------------------------------------------------------------------


@dataclass
class DigestRow:
    """One source in a digest: its events (in order, with counts) and latest title."""

    source_id: str
    title: str
    url: str
    counts: dict[str, int] = field(default_factory=dict)
    words: int = 0  # words added + removed across its changes

    def events_text(self) -> str:
        return ", ".join(f"{event} ×{n}" if n > 1 else event for event, n in self.counts.items())


@dataclass(frozen=True)
class DigestView:
    rows: list[DigestRow]
    events: list[str]  # the columns: events that occur, in the design's order
    alerts: int
    period: str

    @property
    def headline(self) -> str:
        sources = len(self.rows)
        return (f"Digest: {self.alerts} alert{'' if self.alerts == 1 else 's'} from {sources} "
                f"source{'' if sources == 1 else 's'}")


def digest_view(digest: dict[str, Any]) -> DigestView:
    """A digest (``{"id", "event": "digest", "alerts", "since", "until"}``) as rows."""
    rows: dict[str, DigestRow] = {}
    for alert in digest.get("alerts") or []:
        source_id = str(alert.get("source_id") or "")
        row = rows.get(source_id)
        if row is None:
            row = rows[source_id] = DigestRow(source_id, "", "")
        row.title = " ".join(str(alert.get("title") or row.title or source_id).split())
        row.url = str(alert.get("to_url") or alert.get("url") or row.url)
        event = str(alert.get("event"))
        row.counts[event] = row.counts.get(event, 0) + 1
        diff = alert.get("diff") or {}
        row.words += sum(len(str(f).split()) for key in ("added", "removed")
                         for f in diff.get(key) or [])
    order = list(EVENT_LABELS)
    events = sorted({e for row in rows.values() for e in row.counts},
                    key=lambda e: order.index(e) if e in order else len(order))
    return DigestView(list(rows.values()), events, len(digest.get("alerts") or []),
                      period(digest.get("since"), digest.get("until")))


def period(since: Any, until: Any) -> str:
    """``2026-11-25 10:00–11:00 UTC`` from two ISO times (either may be missing)."""
    def parse(value: Any) -> datetime | None:
        try:
            return datetime.strptime(str(value), STAMP)
        except ValueError:
            return None

    start, end = parse(since), parse(until)
    if start and end:
        if start.date() == end.date():
            return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC"
        return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"
    return " – ".join(str(v) for v in (since, until) if v)


def digest_text_table(d: DigestView, *, max_rows: int | None = None) -> str:
    """A monospace table, sources × events, for plain text and code blocks."""
    rows = d.rows[:max_rows] if max_rows is not None else d.rows
    width = max([len("source"), *(len(r.source_id) for r in rows)])
    header = "source".ljust(width) + "".join(f"  {e:>9}" for e in d.events)
    lines = [header, "-" * len(header)]
    for row in rows:
        cells = "".join(f"  {(str(row.counts[e]) if e in row.counts else '·'):>9}"
                        for e in d.events)
        lines.append(row.source_id.ljust(width) + cells)
    if len(rows) < len(d.rows):
        lines.append(f"…and {len(d.rows) - len(rows)} more sources")
    return "\n".join(lines)


def digest_html_table(d: DigestView, *, styled: bool = True,
                      max_rows: int | None = None) -> str:
    """An HTML table, sources × events, each source linked to its page.

    ``styled`` adds inline CSS for email; Matrix strips ``style``, so it gets bare tags.
    """
    rows = d.rows[:max_rows] if max_rows is not None else d.rows

    def style(css: str) -> str:
        return f' style="{css}"' if styled else ""

    cell = "padding:6px 10px;border-bottom:1px solid #d0d7de;text-align:left"
    num = "padding:6px 10px;border-bottom:1px solid #d0d7de;text-align:center"
    head = "".join(f"<th{style(num)}>{escape_html(EVENT_LABELS.get(e, e))}</th>"
                   for e in d.events)
    out = [f"<table{style('border-collapse:collapse;font-size:14px')}>",
           f"<thead><tr><th{style(cell)}>Source</th>{head}</tr></thead>", "<tbody>"]
    for row in rows:
        link = (f'<a href="{escape_html(row.url)}">{escape_html(row.title)}</a>' if row.url
                else escape_html(row.title))
        counts = "".join(f"<td{style(num)}>{row.counts.get(e, '') or '·'}</td>"
                         for e in d.events)
        out.append(f"<tr><td{style(cell)}><code>{escape_html(row.source_id)}</code><br>"
                   f"{link}</td>{counts}</tr>")
    out.append("</tbody></table>")
    if len(rows) < len(d.rows):
        out.append(f"<p>…and {len(d.rows) - len(rows)} more sources</p>")
    return "\n".join(out)


# --- shared by the channel modules: option checks and safe error messages --------------


def url_problems(options: dict[str, Any], key: str = "url") -> list[str]:
    """The URL check the HTTP channels share: http(s) with a host (never echoing it)."""
    url = options.get(key)
    if not url:
        return []
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"'{key}' must be an http:// or https:// URL with a host"]
    return []


def flag(value: Any, default: bool) -> bool | None:
    """A yes/no option from YAML or from ``${ENV}`` text; None when it is neither."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    return None


def redact(text: str, *secrets: Any) -> str:
    """``text`` (a service's error answer) with every secret replaced, and kept short."""
    for secret in secrets:
        if secret and str(secret) in text:
            text = text.replace(str(secret), "[secret]")
    return " ".join(text.split())[:200]
