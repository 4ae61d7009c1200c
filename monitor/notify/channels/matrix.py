"""Matrix: the client-server API, one ``m.room.message`` per alert.

``PUT {homeserver}/_matrix/client/v3/rooms/{room_id}/send/m.room.message/{txnId}``
with a Bearer access token (a bot account's; keep it in ``${ENV}``). The alert
id is the transaction id, which is Matrix's own idempotency: a repeat of the
same PUT (after a crash between "sent" and "recorded as sent") returns the
first event instead of posting twice.

The event has a plain ``body`` and an HTML ``formatted_body`` in which old words
are struck red and new words bold green. Matrix strips ``style`` attributes, so
colours use the spec's ``data-mx-color`` / ``data-mx-bg-color``. The event carries
an empty ``m.mentions`` so that ``@room`` quoted in an article pings nobody.
The revisions and the ``monitor diff`` command close the message, after a ``-- ``
line in the body and in ``<sub>`` in the HTML. Events are capped at 65,536 bytes;
each body is kept to 24,000 bytes and long diffs end in "…and N more changes".
A 429's ``retry_after_ms`` becomes the delivery's ``retry_after``.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from monitor.notify.channels import Channel
from monitor.notify.channels import render as r
from monitor.notify.channels.base import api_error, json_object, reach
from monitor.notify.channels.render import Note

BODY_LIMIT = 24_000  # bytes for each of body and formatted_body (event limit 65,536)
MAX_PASSAGES = 20
MSGTYPES = ("m.text", "m.notice")


def utf8(text: str) -> int:
    return len(text.encode())


def h(text: str) -> str:
    return r.escape_html(text)


def a(url: str, label: str) -> str:
    if not url.startswith(("http://", "https://")):
        return h(label)
    return f'<a href="{h(url)}">{h(label)}</a>'


def plain_body(v: r.AlertView, passages: list[list[r.Segment]]) -> str:
    lines = [f"{v.icon} {v.headline}", v.title if v.name else "", v.url, *v.classes,
             f"Source: {v.source_id}"]
    lines += [f"{name}: {value}" for name, value in v.facts]
    lines += v.notes
    if v.review:
        lines.append(f"{v.review[0]}: {v.review[1]}")
    if v.excerpt:
        lines += ["", f"{v.excerpt_label}:", *(f"> {line}" for line in v.excerpt.split("\n"))]
    note: Note = lambda n: r.more_changes(n)  # noqa: E731
    head = "\n".join(line for line in lines if line)
    footer = f"-- \n{v.footer_text()}" if v.footer else ""
    fitted = r.fit([(r.plain(e), r.count_changes(e)) for e in passages],
                   BODY_LIMIT - utf8(head) - utf8(footer) - 4, note=note,
                   max_pieces=MAX_PASSAGES, measure=utf8)
    parts = [head, *fitted.pieces]
    if fitted.left_out:
        parts.append(note(fitted.left_out))
    if footer:
        parts.append(footer)
    return "\n\n".join(parts)


def html_body(v: r.AlertView, passages: list[list[r.Segment]]) -> str:
    facts = r.html_facts(v, h, a)
    classes = "".join(f"<strong>{h(line)}</strong><br>" for line in v.classes)
    title = f"{h(v.title)}<br>" if v.name else ""
    notes = "".join(f"<br><em>{h(note)}</em>" for note in v.notes)
    if v.review:
        notes += f"<br>{a(v.review[1], v.review[0])}"
    head = (f"<p>{v.icon} <strong>{h(v.label)}:</strong> {a(v.url, v.heading)}<br>"
            f"{title}{classes}{' · '.join(facts)}{notes}</p>")
    if v.excerpt:
        paragraphs = "".join(f"<p>{h(p)}</p>" for p in v.excerpt.split("\n\n"))
        head += (f"<p><strong>{h(v.excerpt_label)}:</strong></p>"
                 f"<blockquote>{paragraphs}</blockquote>")
    footer = (f"<p><sub>{v.footer_text(lambda value: f'<code>{h(value)}</code>', h)}</sub></p>"
              if v.footer else "")
    note: Note = lambda n: f"<p><em>{r.more_changes(n)}</em></p>"  # noqa: E731
    fitted = r.fit([(f"<blockquote>{r.matrix_html(e)}</blockquote>", r.count_changes(e))
                    for e in passages], BODY_LIMIT - utf8(head) - utf8(footer), note=note,
                   sep="", max_pieces=MAX_PASSAGES, measure=utf8)
    return (head + fitted.joined("") + (note(fitted.left_out) if fitted.left_out else "")
            + footer)


def alert_content(alert: dict[str, Any], msgtype: str = "m.text") -> dict[str, Any]:
    v = r.view(alert)
    passages = r.excerpts(v.blocks)
    return {"msgtype": msgtype, "body": plain_body(v, passages),
            "format": "org.matrix.custom.html", "formatted_body": html_body(v, passages),
            "m.mentions": {}}


def digest_content(digest: dict[str, Any], msgtype: str = "m.text") -> dict[str, Any]:
    d = r.digest_view(digest)
    rows = len(d.rows)
    while True:  # fewer rows until both bodies fit
        text = f"📋 {d.headline} ({d.period})\n\n{r.digest_text_table(d, max_rows=rows)}"
        markup = (f"<p>📋 <strong>{h(d.headline)}</strong> ({h(d.period)})</p>"
                  f"{r.digest_html_table(d, styled=False, max_rows=rows)}")
        if rows == 0 or (utf8(text) <= BODY_LIMIT and utf8(markup) <= BODY_LIMIT):
            break
        rows = max(rows * 3 // 4, 0)
    return {"msgtype": msgtype, "body": text, "format": "org.matrix.custom.html",
            "formatted_body": markup, "m.mentions": {}}


class Matrix(Channel):
    type = "matrix"
    options: ClassVar[dict[str, str]] = {
        "homeserver": "the homeserver's client API base URL, e.g. https://matrix.example.org",
        "room_id": "the room's internal id, !abc123:example.org (Room settings → Advanced)",
        "access_token": "the bot account's access token; keep it in ${ENV}",
        "msgtype": "m.text (default; notifies like a message) or m.notice (a quieter "
                   "bot message)",
    }
    required = ("homeserver", "room_id", "access_token")

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[str]:
        problems = [*super().check_options(options), *r.url_problems(options, "homeserver")]
        room = str(options.get("room_id") or "")
        if room and not (room.startswith("!") and ":" in room):
            problems.append("'room_id' must be the room's id (!abc123:example.org), not its "
                            "alias (#room:example.org): Room settings → Advanced")
        if options.get("msgtype", "m.text") not in MSGTYPES:
            problems.append(f"'msgtype' must be one of: {', '.join(MSGTYPES)}")
        return problems

    async def send(self, alert: dict[str, Any], client: httpx.AsyncClient) -> None:
        await self._put(alert["id"], alert_content(alert, self._msgtype()), client)

    async def send_digest(self, digest: dict[str, Any], client: httpx.AsyncClient) -> None:
        await self._put(digest["id"], digest_content(digest, self._msgtype()), client)

    def _msgtype(self) -> str:
        return str(self.settings.get("msgtype") or "m.text")

    async def _put(self, txn_id: str, content: dict[str, Any],
                   client: httpx.AsyncClient) -> None:
        base = str(self.settings["homeserver"]).rstrip("/")
        room = quote(str(self.settings["room_id"]), safe="")
        url = (f"{base}/_matrix/client/v3/rooms/{room}/send/m.room.message/"
               f"{quote(txn_id, safe='')}")
        token = str(self.settings["access_token"])
        response = await reach(client.put(url, json=content,
                                          headers={"Authorization": f"Bearer {token}"}),
                               "the homeserver")
        if response.is_success:
            return
        body = json_object(response)
        wait = body.get("retry_after_ms")
        detail = r.redact(" ".join(str(body.get(k) or "") for k in ("errcode", "error")), token)
        raise api_error(response, detail, wait / 1000 if isinstance(wait, int | float) else None)
