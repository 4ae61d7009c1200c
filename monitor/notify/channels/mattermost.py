"""Mattermost: an incoming webhook (Slack-compatible), one post per alert.

The post is a Markdown headline linking to the page and a message attachment
with the event's colour bar, the changed passages (old words ~~struck~~, new
words **bold**; a removal: the last text seen) and fields for the source, reason
and times; the attachment's footer holds the revisions and the ``monitor diff``
command. Mattermost
Markdown is CommonMark, so article text is backslash-escaped, and ``@`` is
followed by a zero-width space so that ``@channel`` or ``@all`` quoted in an
article never notifies a whole team. A post holds 16,383 characters; past 4,000
Mattermost folds it behind "Show more", so passages are fitted to 4,000 and the
rest summed up as "…and N more changes".
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from monitor.notify.channels import render as r
from monitor.notify.channels.base import WebhookChannel, json_object
from monitor.notify.channels.render import Note

TEXT_LIMIT = 4000  # characters shown before "Show more"; the hard limit is 16,383
MAX_PASSAGES = 10


def md(text: str) -> str:
    return r.defuse_mentions(r.escape_markdown(text))


def link(url: str, label: str) -> str:
    return f"[{md(label)}]({r.safe_url(url)})" if url else md(label)


def alert_payload(alert: dict[str, Any]) -> dict[str, Any]:
    v = r.view(alert)
    fields = [{"short": True, "title": "Source", "value": f"`{v.source_id}`"}]
    for name, value in v.facts:
        shown = r.safe_url(value) if name in r.URL_FACTS else md(value)
        fields.append({"short": name in ("Detected", "Previous version", "Last seen online"),
                       "title": name, "value": r.truncate(shown, 1000)})
    note: Note = lambda n: f"*{r.more_changes(n)}*"  # noqa: E731
    passages = [(r.truncate(r.markdown(e), TEXT_LIMIT // 2), r.count_changes(e))
                for e in r.excerpts(v.blocks)]
    fitted = r.fit(passages, TEXT_LIMIT, note=note, max_pieces=MAX_PASSAGES)
    pieces = [f"> {p}".replace("\n", "\n> ") for p in fitted.pieces]
    head = [f"**{md(line)}**" for line in v.classes] + [f"*{md(note)}*" for note in v.notes]
    if head:
        pieces.insert(0, "\n".join(head))
    if v.excerpt:
        pieces.append(f"**{v.excerpt_label}:**\n> " + md(r.truncate(v.excerpt, 1500))
                      .replace("\n", "\n> "))
    if fitted.left_out:
        pieces.append(note(fitted.left_out))
    attachment: dict[str, Any] = {
        "fallback": r.gist(v), "color": v.colour,
        "title": r.truncate(v.title, 250), "text": "\n\n".join(pieces), "fields": fields,
        "footer": r.truncate(v.footer_text() or "monitor", 1000),
    }
    if v.url.startswith(("http://", "https://")):
        attachment["title_link"] = v.url
    review = f" · {link(v.review[1], v.review[0])}" if v.review else ""
    return {"text": f"{v.icon} **{md(v.label)}:** {link(v.url, r.truncate(v.heading, 300))}"
                    f"{review}", "attachments": [attachment]}


def digest_payload(digest: dict[str, Any]) -> dict[str, Any]:
    """A Markdown table, sources × events, each source linked to its page."""
    d = r.digest_view(digest)
    header = "| Source | " + " | ".join(r.kind_label(e) for e in d.events) + " |"
    rule = "|:--|" + "".join(":-:|" for _ in d.events)
    lines = [f"{r.EVENT_ICONS['digest']} **{d.headline}** ({d.period})", "", header, rule]
    shown = 0
    for row in d.rows[:r.CHAT_DIGEST_ROWS]:
        counts = " | ".join(str(row.counts.get(e, "")) or "·" for e in d.events)
        title = link(row.url, r.truncate(row.title, 120)).replace("|", "\\|")
        if row.review:
            title += f" · {link(row.review[1], row.review[0])}"
        candidate = f"| `{row.source_id}` {title} | {counts} |"
        if r.units("\n".join([*lines, candidate])) > TEXT_LIMIT * 3:
            break
        lines.append(candidate)
        shown += 1
    if shown < len(d.rows):
        lines += ["", f"*…and {len(d.rows) - shown} more sources* — see `monitor alerts`"]
    return {"text": "\n".join(lines)}


class Mattermost(WebhookChannel):
    type = "mattermost"
    options: ClassVar[dict[str, str]] = {
        "url": "the incoming webhook URL (https://HOST/hooks/KEY); keep it in ${ENV}",
        "channel": "post to this channel instead of the webhook's (if the webhook allows it)",
        "username": "the name posts appear under (if the server allows overriding it)",
        "icon_url": "the picture posts appear with (if the server allows overriding it)",
    }
    url_options = ("url", "icon_url")
    decorations = ("channel", "username", "icon_url")

    def alert_payload(self, alert: dict[str, Any]) -> dict[str, Any]:
        return alert_payload(alert)

    def digest_payload(self, digest: dict[str, Any]) -> dict[str, Any]:
        return digest_payload(digest)

    def error_detail(self, response: httpx.Response) -> str:
        """Mattermost's AppError: ``{"id", "message", "status_code", ...}``."""
        return str(json_object(response).get("message") or "")
