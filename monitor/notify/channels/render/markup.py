"""A word diff in each service's markup: struck old words, highlighted new ones.

One ``mark`` knows the rules every chat markup shares (markers must touch the
word, cannot cross a line break, and a replacement reads as two words); each
service is its escape and its pair of markers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from monitor.core.diff import DELETE, EQUAL
from monitor.notify.channels.render.text import (
    defuse_mentions,
    escape_html,
    escape_markdown,
    escape_slack,
)
from monitor.notify.channels.render.words import Segment

DEL_STYLE = "color:#b31d28;background:#ffeef0"
INS_STYLE = "color:#22863a;background:#e6ffed"


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
