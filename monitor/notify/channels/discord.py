"""Discord: a channel webhook, one message per alert.

Two looks (option ``style``): ``embed`` (default) is a coloured card whose title
links to the page and whose description quotes the changed passages with old
words ~~struck~~ and new words **bold** (a removal: the last text seen), the
revisions and the ``monitor diff`` command in its footer; ``diff`` is a plain
message with a ```diff code block that Discord colours red and green line by
line, and the same footer as small subtext. A test alert also carries a
``content`` line saying it is a test, which is what notifications show. Discord
answers 400 to a message past its limits (content 2,000 characters; embed title
256, description 4,096, field value 1,024, 6,000 in all), so passages are
fitted and the rest summed up as "…and N more changes". Article text must never
ping anyone: every message sets ``allowed_mentions`` to nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from monitor.core.diff import DELETE, INSERT
from monitor.notify.channels import DeliveryError
from monitor.notify.channels import render as r
from monitor.notify.channels.base import WebhookChannel, json_object
from monitor.notify.channels.render import Note

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL = 6000
MAX_PASSAGES = 10
STYLES = ("embed", "diff")


def colour(v_colour: str) -> int:
    return int(v_colour.lstrip("#"), 16)


def embed_size(embed: dict[str, Any]) -> int:
    """What Discord counts against the 6,000 total: title, description, fields, footer."""
    size = r.units(embed.get("title", "")) + r.units(embed.get("description", ""))
    size += sum(r.units(f["name"]) + r.units(f["value"]) for f in embed.get("fields", []))
    return size + r.units(embed.get("footer", {}).get("text", ""))


def _fields(v: r.AlertView) -> list[dict[str, Any]]:
    fields = [{"name": "Source", "value": f"`{v.source_id}`", "inline": True}]
    for name, value in v.facts:
        # Discord links a bare URL; escapes would break it
        text = r.safe_url(value) if name in r.URL_FACTS else r.escape_markdown(value)
        fields.append({"name": name, "value": r.truncate(text, FIELD_LIMIT),
                       "inline": name not in (*r.URL_FACTS, "Reason", "Test")})
    return fields[:25]


def quote(text: str) -> str:
    """Text as a Markdown block quote, line by line, that pings no one."""
    return "\n".join(f"> {r.defuse_mentions(r.escape_markdown(line))}" if line else ">"
                      for line in text.split("\n"))


TEST_CONTENT = f"{r.TEST_MARK} a sample alert from monitor test-alert, not a real change"


def embed_payload(alert: dict[str, Any]) -> dict[str, Any]:
    v = r.view(alert)
    embed: dict[str, Any] = {
        "title": r.truncate(f"{v.icon} {v.label}: {r.escape_markdown(v.heading)}", TITLE_LIMIT),
        "color": colour(v.colour),
        "fields": _fields(v),
        "footer": {"text": r.truncate(v.footer_text() or "monitor", FOOTER_LIMIT)},
    }
    if v.url.startswith(("http://", "https://")):
        embed["url"] = v.url
    if alert.get("detected_at"):
        embed["timestamp"] = alert["detected_at"]
    head = []
    if v.name:  # the title names the source: the page's own title goes first
        head.append(f"**{r.escape_markdown(v.title)}**")
    head += [f"**{r.escape_markdown(line)}**" for line in v.classes]
    head += [f"*{r.escape_markdown(note)}*" for note in v.notes]
    if v.review:
        head.append(masked_link(*v.review))
    if v.excerpt:
        head.append(f"**{v.excerpt_label}:**\n" + quote(r.truncate(v.excerpt, 1500)))
    top = "\n".join(head)
    room = min(DESCRIPTION_LIMIT, EMBED_TOTAL - embed_size(embed) - 100) - r.units(top) - 2
    passages = [(r.truncate(r.markdown(e), room), r.count_changes(e))
                for e in r.excerpts(v.blocks)]
    note: Note = lambda n: f"*{r.more_changes(n)}*"  # noqa: E731
    fitted = r.fit(passages, room, note=note, max_pieces=MAX_PASSAGES)
    pieces = ([top] if top else []) + fitted.pieces
    if fitted.left_out:
        pieces.append(note(fitted.left_out))
    if pieces:
        embed["description"] = "\n\n".join(pieces)
    payload: dict[str, Any] = {"embeds": [embed], "allowed_mentions": {"parse": []}}
    if v.test:  # what a notification shows: it must read as a test
        payload["content"] = TEST_CONTENT
    return payload


def masked_link(words: str, url: str) -> str:
    """``[see the change](<url>)``: a Markdown link that Discord shows without a preview."""
    return f"[{r.escape_markdown(words)}](<{r.safe_url(url)}>)"


def _code(text: str) -> str:
    """Text that cannot end a code block early."""
    return text.replace("```", "`\u200b`\u200b`")


def diff_payload(alert: dict[str, Any]) -> dict[str, Any]:
    """Content only: a bold headline, the link, a ```diff block of old/new lines, and a
    footer in Discord's small subtext (``-#``)."""
    v = r.view(alert)
    head = [f"**{r.escape_markdown(r.truncate(f'{v.icon} {v.headline}', 300))}**"]
    if v.name:
        head.append(r.escape_markdown(r.truncate(v.title, 300)))
    if v.url:
        head.append(f"<{r.safe_url(v.url)}>")
    head += [r.escape_markdown(line) for line in v.classes]
    facts = [f"`{v.source_id}`"] + [f"{name}: {r.escape_markdown(value)}"
                                    for name, value in v.facts]
    head.append(r.truncate(" · ".join(facts), 600))
    head += [f"*{r.escape_markdown(note)}*" for note in v.notes]
    if v.review:
        head.append(masked_link(*v.review))
    if v.excerpt:
        head.append(f"**{v.excerpt_label}:**\n" + quote(r.truncate(v.excerpt, 900)))
    top = "\n".join(head)
    footer = f"\n-# {r.truncate(v.footer_text(lambda c: f'`{c}`'), 300)}" if v.footer else ""
    passages = []
    for e in r.excerpts(v.blocks):
        old = "\n".join(f"- {line}" for line in _code(r.side(e, DELETE)).split("\n"))
        new = "\n".join(f"+ {line}" for line in _code(r.side(e, INSERT)).split("\n"))
        passages.append((f"{old}\n{new}", r.count_changes(e)))
    note: Note = lambda n: r.more_changes(n)  # noqa: E731
    # the budget counts the block's fences, the note that may follow it and the footer
    room = CONTENT_LIMIT - r.units(top) - r.units(footer) - len("\n```diff\n\n```") - 1
    fitted = r.fit([(p, n) for p, n in passages if r.units(p) <= room], room,
                   note=note, sep="\n", max_pieces=MAX_PASSAGES)
    left_out = fitted.left_out + sum(n for p, n in passages if r.units(p) > room)
    content = top
    if fitted.pieces:
        content += "\n```diff\n" + fitted.joined("\n") + "\n```"
    if left_out:
        content += "\n" + note(left_out)
    content = r.truncate(content, CONTENT_LIMIT - r.units(footer)) + footer
    return {"content": content, "allowed_mentions": {"parse": []}}


def digest_payload(digest: dict[str, Any]) -> dict[str, Any]:
    d = r.digest_view(digest)
    lines = []
    for row in d.rows:
        title = r.escape_markdown(r.truncate(row.title, 120))
        label = f"[{title}]({r.safe_url(row.url)})" if row.url else title
        review = f" · {masked_link(*row.review)}" if row.review else ""
        lines.append(f"• `{row.source_id}` {label} — {row.events_text()}{review}")
    kept: list[str] = []
    for line in lines[:r.CHAT_DIGEST_ROWS]:
        if r.units("\n".join([*kept, line])) > DESCRIPTION_LIMIT - 60:
            break
        kept.append(line)
    if len(kept) < len(lines):
        kept.append(f"*…and {len(lines) - len(kept)} more sources* — see `monitor alerts`")
    embed = {"title": r.truncate(f"📋 {d.headline}", TITLE_LIMIT),
             "description": "\n".join(kept), "color": colour(r.EVENT_COLOURS["digest"]),
             "footer": {"text": d.period}}
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


class Discord(WebhookChannel):
    type = "discord"
    options: ClassVar[dict[str, str]] = {
        "url": "the channel webhook URL (https://discord.com/api/webhooks/ID/TOKEN); "
               "keep it in ${ENV}",
        "style": "embed (a card, default) or diff (a ```diff code block)",
        "username": "the name the messages are posted under (default: the webhook's)",
        "avatar_url": "the picture the messages are posted with",
    }
    url_options = ("url", "avatar_url")
    decorations = ("username", "avatar_url")

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[str]:
        problems = super().check_options(options)
        url = str(options.get("url") or "")
        if url and not problems and "/api/webhooks/" not in url:
            problems.append("'url' must be a webhook URL, …/api/webhooks/ID/TOKEN: copy it "
                            "from the channel's Integrations → Webhooks")
        if options.get("style", "embed") not in STYLES:
            problems.append(f"'style' must be one of: {', '.join(STYLES)}")
        return problems

    def alert_payload(self, alert: dict[str, Any]) -> dict[str, Any]:
        style = self.settings.get("style", "embed")
        return diff_payload(alert) if style == "diff" else embed_payload(alert)

    def digest_payload(self, digest: dict[str, Any]) -> dict[str, Any]:
        return digest_payload(digest)

    def error_detail(self, response: httpx.Response) -> str:
        return str(json_object(response).get("message") or "")

    def explained(self, exc: DeliveryError, response: httpx.Response) -> DeliveryError:
        """Discord's JSON error: its message, and ``retry_after`` (seconds) on a 429."""
        error = super().explained(exc, response)
        wait = json_object(response).get("retry_after")
        if error.retry_after is None and isinstance(wait, int | float):
            error.retry_after = float(wait)
        return error
