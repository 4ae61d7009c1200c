"""Slack: an incoming webhook, one Block Kit message per alert.

The message is a header (the event and the source's name or the page title), the
linked title with the source, reason and times, one section per changed passage
(old words ~struck~, new words *bold*) or, for a removal, the last text seen, and
a context line, the footer, with the revisions and the ``monitor diff`` command. Slack refuses
a message whose section text passes 3,000 characters or that has more than 50
blocks (HTTP 400 ``invalid_blocks``), so the passages are fitted to those
limits and the rest is summed up as "…and N more changes". ``text`` is the
fallback Slack shows in notifications and to screen readers.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from monitor.notify.channels import render as r
from monitor.notify.channels.base import WebhookChannel, short_text

SECTION_LIMIT = 3000  # characters of mrkdwn in one section block
HEADER_LIMIT = 150  # characters of plain_text in a header block
MAX_BLOCKS = 50
TEXT_LIMIT = 4000  # the fallback text; Slack truncates past 40,000, previews need far less
MAX_PASSAGES = 10  # changed passages shown; more would bury the channel


def link(url: str, label: str) -> str:
    """``<url|label>`` with both parts unable to break out of the link."""
    return f"<{r.safe_url(url)}|{r.escape_slack(label)}>" if url else r.escape_slack(label)


def facts_line(v: r.AlertView) -> str:
    parts = [f"`{r.escape_slack(v.source_id)}`"]
    for name, value in v.facts:
        if name in r.URL_FACTS:
            parts.append(f"{name.lower()} {link(value, value)}")
        else:
            parts.append(f"{name}: {r.escape_slack(value)}")
    return " · ".join(parts)


def review_line(review: tuple[str, str] | None) -> str:
    """The web view's link on a line of its own ("see the change"), or nothing."""
    return f"\n{link(review[1], review[0])}" if review else ""


def quote(text: str) -> str:
    """Text as a Slack block quote, line by line."""
    return "\n".join(f">{r.escape_slack(line)}" for line in text.split("\n"))


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": r.truncate(text, SECTION_LIMIT)}}


def alert_payload(alert: dict[str, Any]) -> dict[str, Any]:
    """The webhook body for one alert: Block Kit blocks plus the fallback text."""
    v = r.view(alert)
    notes = "".join(f"\n_{r.escape_slack(note)}_" for note in v.notes)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                    "text": r.truncate(f"{v.icon} {v.headline}", HEADER_LIMIT)}},
        section(f"*{link(v.url, v.title)}*\n{facts_line(v)}{notes}{review_line(v.review)}"),
    ]
    if v.classes:
        blocks.insert(1, section("\n".join(f"*{r.escape_slack(line)}*" for line in v.classes)))
    if v.excerpt:
        blocks.append(section(f"*{v.excerpt_label}:*\n{quote(v.excerpt)}"))
    passages = [(r.truncate(r.slack(e), SECTION_LIMIT), r.count_changes(e))
                for e in r.excerpts(v.blocks)]
    fitted = r.fit(passages, SECTION_LIMIT * MAX_PASSAGES, max_pieces=MAX_PASSAGES,
                   note=lambda n: r.more_changes(n))
    for passage in fitted.pieces:
        blocks.append(section(passage))
    if fitted.left_out:
        blocks.append(section(f"_{r.more_changes(fitted.left_out)}_"))
    if v.footer:
        footer = v.footer_text(lambda value: f"`{r.escape_slack(value)}`", r.escape_slack)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    return {"text": r.truncate(r.escape_slack(r.gist(v)), TEXT_LIMIT),
            "blocks": blocks[:MAX_BLOCKS], "unfurl_links": False, "unfurl_media": False}


def digest_payload(digest: dict[str, Any]) -> dict[str, Any]:
    """One message for a digest: a line per source with its events, fitted to sections."""
    d = r.digest_view(digest)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                    "text": r.truncate(f"📋 {d.headline}", HEADER_LIMIT)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": r.escape_slack(d.period)}]},
    ]
    lines = [f"• `{r.escape_slack(row.source_id)}` {link(row.url, r.truncate(row.title, 100))}"
             f" — {r.escape_slack(row.events_text())}"
             + (f" · {link(row.review[1], row.review[0])}" if row.review else "")
             for row in d.rows]
    section: list[str] = []
    shown = 0
    for line in lines[:r.CHAT_DIGEST_ROWS]:
        if units_of([*section, line]) > SECTION_LIMIT:
            if len(blocks) >= MAX_BLOCKS - 2:
                break
            blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                       "text": "\n".join(section)}})
            section = []
        section.append(line)
        shown += 1
    if section:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(section)}})
    if shown < len(lines):
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"…and {len(lines) - shown} more sources — see `monitor alerts`")}]})
    return {"text": r.escape_slack(f"📋 {d.headline} ({d.period})"), "blocks": blocks,
            "unfurl_links": False, "unfurl_media": False}


def units_of(lines: list[str]) -> int:
    return r.units("\n".join(lines))


class Slack(WebhookChannel):
    type = "slack"
    options: ClassVar[dict[str, str]] = {
        "url": "the incoming webhook URL (https://hooks.slack.com/services/…); keep it in ${ENV}",
    }

    def alert_payload(self, alert: dict[str, Any]) -> dict[str, Any]:
        return alert_payload(alert)

    def digest_payload(self, digest: dict[str, Any]) -> dict[str, Any]:
        return digest_payload(digest)

    def error_detail(self, response: httpx.Response) -> str:
        return short_text(response)  # Slack says why in a word: invalid_blocks, no_service…
