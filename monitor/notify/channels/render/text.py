"""Sizes and escaping: what every markup needs before text goes into it.

Article text is untrusted: a title with ``<b>``, ``*``, ``@everyone`` or a
``)`` in a URL must stay text in every service, so each markup has one escape
here and every renderer uses it. Sizes are counted in UTF-16 code units
(``units``), which is what the JavaScript services (Slack, Discord, Telegram)
count and never less than the number of code points, so a message that fits
here fits there.
"""

from __future__ import annotations

import html
import re


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
