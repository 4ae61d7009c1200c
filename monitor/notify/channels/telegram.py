"""Telegram: the Bot API's ``sendMessage``, one HTML message per alert.

``POST {api_url}/bot<token>/sendMessage`` with ``chat_id``, ``parse_mode: HTML``
and the text. Telegram's HTML subset has no colours, so old words are ``<s>``
struck and new words ``<b>`` bold; everything else is escaped. The revisions
and the ``monitor diff`` command end the message, in italics. A message holds
4,096 characters after the markup is parsed; the HTML itself is kept under that,
which is always enough, and long diffs end in "…and N more changes".

The token is part of the URL path, so it must never reach an error message:
errors are built from Telegram's own ``description`` (``Bad Request: chat not
found``) with the token redacted, and transport errors are re-raised without
their request. A 429 carries ``parameters.retry_after``, which becomes the
delivery's ``retry_after``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import httpx

from monitor.notify.channels import Channel
from monitor.notify.channels import render as r
from monitor.notify.channels.base import api_error, json_object, reach
from monitor.notify.channels.render import Note

TEXT_LIMIT = 4096
DEFAULT_API = "https://api.telegram.org"
MAX_PASSAGES = 8
TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
CHAT_ID = re.compile(r"^(-?\d+|@[A-Za-z][A-Za-z0-9_]{3,})$")


def h(text: str) -> str:
    return r.defuse_mentions(r.escape_html(text))


def a(url: str, label: str) -> str:
    if not url.startswith(("http://", "https://")):
        return h(label)
    return f'<a href="{r.escape_html(url)}">{h(label)}</a>'


def alert_text(alert: dict[str, Any]) -> str:
    v = r.view(alert)
    head = [f"{v.icon} <b>{h(v.label)}:</b> {a(v.url, r.truncate(v.heading, 300))}"]
    if v.name:
        head.append(h(r.truncate(v.title, 300)))
    head += [f"<b>{h(line)}</b>" for line in v.classes]
    facts = r.html_facts(v, h, a, shorten=r.truncate, skip=("Detected",))
    head.append(" · ".join(facts))
    head += [f"<i>{h(note)}</i>" for note in v.notes]
    if v.review:
        head.append(a(v.review[1], v.review[0]))
    if v.excerpt:
        head.append(f"<b>{h(v.excerpt_label)}:</b>\n<blockquote>{h(r.truncate(v.excerpt, 1500))}"
                    "</blockquote>")
    top = "\n".join(head)
    footer = (f"<i>{v.footer_text(lambda value: f'<code>{h(value)}</code>', h)}</i>"
              if v.footer else "")
    note: Note = lambda n: f"<i>{r.more_changes(n)}</i>"  # noqa: E731
    passages = [(f"<blockquote>{r.telegram_html(e)}</blockquote>", r.count_changes(e))
                for e in r.excerpts(v.blocks)]
    room = TEXT_LIMIT - r.units(top) - r.units(footer) - 4
    fitted = r.fit([(p, n) for p, n in passages if r.units(p) <= room], room, note=note,
                   max_pieces=MAX_PASSAGES)
    left_out = fitted.left_out + sum(n for p, n in passages if r.units(p) > room)
    parts = [top, *fitted.pieces]
    if left_out:
        parts.append(note(left_out))
    if footer:
        parts.append(footer)
    return "\n\n".join(parts)


def digest_text(digest: dict[str, Any]) -> str:
    d = r.digest_view(digest)
    top = f"📋 <b>{h(d.headline)}</b>\n<i>{h(d.period)}</i>"
    lines: list[str] = []
    for row in d.rows[:r.CHAT_DIGEST_ROWS]:
        candidate = (f"• <code>{h(row.source_id)}</code> "
                     f"{a(row.url, r.truncate(row.title, 100))} — {h(row.events_text())}"
                     + (f" · {a(row.review[1], row.review[0])}" if row.review else ""))
        if r.units("\n".join([top, "", *lines, candidate])) > TEXT_LIMIT - 80:
            break
        lines.append(candidate)
    text = top + "\n\n" + "\n".join(lines)
    if len(lines) < len(d.rows):
        text += (f"\n<i>…and {len(d.rows) - len(lines)} more sources</i> — see "
                 "<code>monitor alerts</code>")
    return text


class Telegram(Channel):
    type = "telegram"
    options: ClassVar[dict[str, str]] = {
        "token": "the bot token from @BotFather (123456:ABC…); keep it in ${ENV}",
        "chat_id": "the chat to post to: a number (groups are negative, -100… for "
                   "channels) or @channelname",
        "thread_id": "a forum topic's message_thread_id, to post into that topic",
        "api_url": f"the Bot API server (default {DEFAULT_API}; a local Bot API server)",
    }
    required = ("token", "chat_id")

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[str]:
        problems = [*super().check_options(options), *r.url_problems(options, "api_url")]
        token = options.get("token")
        if token and not TOKEN.match(str(token)):
            problems.append("'token' does not look like a bot token (digits, ':', then "
                            "letters); copy it from @BotFather")
        chat_id = options.get("chat_id")
        if chat_id is not None and chat_id != "" and not CHAT_ID.match(str(chat_id)):
            problems.append("'chat_id' must be a number such as -1001234567890 or "
                            "@channelname")
        thread = options.get("thread_id")
        if thread is not None and not str(thread).isdigit():
            problems.append("'thread_id' must be a whole number")
        return problems

    async def send(self, alert: dict[str, Any], client: httpx.AsyncClient) -> None:
        await self._send_message(alert_text(alert), client)

    async def send_digest(self, digest: dict[str, Any], client: httpx.AsyncClient) -> None:
        await self._send_message(digest_text(digest), client)

    async def _send_message(self, text: str, client: httpx.AsyncClient) -> None:
        token = str(self.settings["token"])
        chat_text = str(self.settings["chat_id"])
        chat_id: int | str = int(chat_text) if re.fullmatch(r"-?\d+", chat_text) else chat_text
        payload: dict[str, Any] = {
            "chat_id": chat_id, "text": text, "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if self.settings.get("thread_id"):
            payload["message_thread_id"] = int(self.settings["thread_id"])
        api = str(self.settings.get("api_url") or DEFAULT_API).rstrip("/")
        response = await reach(client.post(f"{api}/bot{token}/sendMessage", json=payload),
                               "the Bot API")
        body = json_object(response)
        if response.is_success and body.get("ok"):
            return
        parameters = body.get("parameters")
        wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
        detail = r.redact(str(body.get("description") or ""), token)
        raise api_error(response, detail, float(wait) if isinstance(wait, int) else None)
