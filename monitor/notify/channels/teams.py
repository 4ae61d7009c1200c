"""Microsoft Teams: a Workflows webhook ("Post to a channel when a webhook request
is received"), one Adaptive Card per alert.

Teams retired the Office 365 connector cards; a Workflows webhook takes an
Adaptive Card in a ``message`` envelope and answers 202 Accepted. The card uses
RichTextBlock/TextRun (card version 1.4) rather than TextBlock Markdown because
TextRuns are never parsed as Markdown, so article text needs no escaping, and
they can strike a run through and colour it: old words struck in red, new words
bold in green. The revisions and the ``monitor diff`` command close the card in
small, subtle text. Teams refuses messages past about 28 KB ("Request Entity too
large"; some tenants fail nearer 21 KB), so passages are added while the whole
payload stays under 20,000 bytes and the rest is summed up as "…and N more
changes".
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx

from monitor.core.diff import DELETE, INSERT
from monitor.notify.channels import render as r
from monitor.notify.channels.base import WebhookChannel, short_text

PAYLOAD_LIMIT = 20_000  # bytes of JSON; Teams' documented limit is ~28 KB
CARD_VERSION = "1.4"
MAX_PASSAGES = 10
#: Adaptive Card colours by kind (a variant not named here takes its event's)
COLOURS = {"changed": "Warning", "removed": "Attention", "restored": "Good", "moved": "Accent",
           "failing": "Attention", "recovered": "Good", "new": "Accent",
           "new/held-back": "Default", "delisted": "Warning", "delisted/reverted": "Good",
           "noindexed": "Attention", "noindexed/reverted": "Good",
           "canonical-changed": "Warning", "canonical-changed/reverted": "Good",
           "digest": "Default"}


def run(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": text, **style}


def line(*inlines: dict[str, Any], **block: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": list(inlines), **block}


def segment_lines(segments: list[r.Segment]) -> list[dict[str, Any]]:
    """A passage as RichTextBlocks, one per paragraph, its changed runs styled."""
    blocks: list[list[dict[str, Any]]] = [[]]
    for op, text in segments:
        style: dict[str, Any] = {}
        if op == DELETE:
            style = {"strikethrough": True, "color": "Attention"}
        elif op == INSERT:
            style = {"weight": "Bolder", "color": "Good"}
        for index, part in enumerate(text.split("\n")):
            if index:
                blocks.append([])
            if part:
                if op == INSERT and blocks[-1] and blocks[-1][-1].get("strikethrough") \
                        and not part[:1].isspace():
                    blocks[-1].append(run(" "))
                blocks[-1].append(run(part, **style))
    return [line(*inlines, spacing="Small") for inlines in blocks if inlines]


def envelope(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard", "version": CARD_VERSION, "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
        "content": card}]}


def size(payload: dict[str, Any]) -> int:
    return len(json.dumps(payload, ensure_ascii=False).encode())


def open_url(url: str, title: str) -> list[dict[str, Any]]:
    if not url.startswith(("http://", "https://")):
        return []
    return [{"type": "Action.OpenUrl", "title": title, "url": url}]


def footer_lines(v: r.AlertView) -> list[dict[str, Any]]:
    """The footer: revisions and the ``monitor diff`` command, small and subtle."""
    if not v.footer:
        return []
    inlines: list[dict[str, Any]] = []
    for index, (name, value) in enumerate(v.footer):
        inlines.append(run(f"{' · ' if index else ''}{name} ", isSubtle=True, size="Small"))
        inlines.append(run(value, fontType="Monospace", isSubtle=True, size="Small"))
    return [line(*inlines, separator=True, spacing="Medium")]


def alert_payload(alert: dict[str, Any]) -> dict[str, Any]:
    v = r.view(alert)
    body: list[dict[str, Any]] = [
        line(run(f"{v.icon} {v.label}", weight="Bolder",
                 color=r.by_kind(COLOURS, v.kind, "Default"))),
        line(run(r.truncate(v.heading, 400), size="Medium", weight="Bolder")),
    ]
    if v.name:
        body.append(line(run(r.truncate(v.title, 400)), spacing="None"))
    body += [
        *(line(run(r.truncate(text, 400), weight="Bolder"), spacing="Small")
          for text in v.classes),
        line(run("Source: ", weight="Bolder"), run(v.source_id), spacing="Small"),
    ]
    body += [line(run(f"{name}: ", weight="Bolder"), run(r.truncate(value, 500)),
                  spacing="None") for name, value in v.facts]
    body += [line(run(note, italic=True), spacing="Small") for note in v.notes]
    if v.excerpt:
        body.append(line(run(f"{v.excerpt_label}:", weight="Bolder"), separator=True,
                         spacing="Medium"))
        body += [line(run(r.truncate(paragraph, 1500), italic=True), spacing="Small")
                 for paragraph in v.excerpt.split("\n\n")]
    actions = open_url(v.url, "Open the page")
    if v.review:  # the web view's page of the change: "See the change"
        actions += open_url(v.review[1], v.review[0].capitalize())
    footer = footer_lines(v)
    excerpts = r.excerpts(v.blocks)
    passages = [segment_lines(e) for e in excerpts]
    counts = [r.count_changes(e) for e in excerpts]
    note_room = len(r.more_changes(sum(counts)).encode()) + 200
    shown = 0
    for index, passage in enumerate(passages[:MAX_PASSAGES]):
        if not passage:
            continue
        passage[0] = {**passage[0], "separator": True, "spacing": "Medium"}
        candidate = body + passage
        reserve = 0 if index == len(passages) - 1 else note_room
        if size(envelope(candidate + footer, actions)) + reserve > PAYLOAD_LIMIT:
            break
        body = candidate
        shown += counts[index]
    left_out = sum(counts) - shown
    if left_out:
        body.append(line(run(r.more_changes(left_out), italic=True, isSubtle=True),
                         separator=True))
    return envelope(body + footer, actions)


def review_runs(row: r.DigestRow) -> list[dict[str, Any]]:
    """A digest row's link into the web view: `` · see the change``, the words a link."""
    if not row.review or not row.review[1].startswith(("http://", "https://")):
        return []
    words, url = row.review
    return [run(" · "), run(words, color="Accent",
                            selectAction={"type": "Action.OpenUrl", "url": url})]


def digest_payload(digest: dict[str, Any]) -> dict[str, Any]:
    d = r.digest_view(digest)
    body: list[dict[str, Any]] = [
        line(run(f"📋 {d.headline}", weight="Bolder", size="Medium")),
        line(run(d.period, isSubtle=True), spacing="None"),
    ]
    shown = 0
    for row in d.rows[:r.CHAT_DIGEST_ROWS]:
        title: dict[str, Any] = run(r.truncate(row.title, 200))
        if row.url.startswith(("http://", "https://")):
            title["selectAction"] = {"type": "Action.OpenUrl", "url": row.url}
        candidate = [*body, line(run(f"{row.source_id}  ", fontType="Monospace",
                                     weight="Bolder"),
                                 run(f"{row.events_text()} — "), title, *review_runs(row),
                                 spacing="Small")]
        if size(envelope(candidate, [])) + 300 > PAYLOAD_LIMIT:
            break
        body = candidate
        shown += 1
    if shown < len(d.rows):
        body.append(line(run(f"…and {len(d.rows) - shown} more sources — see: ", italic=True),
                         run("monitor alerts", fontType="Monospace")))
    return envelope(body, [])


class Teams(WebhookChannel):
    type = "teams"
    options: ClassVar[dict[str, str]] = {
        "url": "the Workflows webhook URL (Teams channel → Workflows → 'Post to a channel "
               "when a webhook request is received'); keep it in ${ENV}",
    }

    def alert_payload(self, alert: dict[str, Any]) -> dict[str, Any]:
        return alert_payload(alert)

    def digest_payload(self, digest: dict[str, Any]) -> dict[str, Any]:
        return digest_payload(digest)

    def secrets(self) -> tuple[str, ...]:
        """The URL, and its ``sig`` alone: Power Automate may quote the signature."""
        url = str(self.settings["url"])
        return url, parse_qs(urlsplit(url).query).get("sig", [""])[0]

    def error_detail(self, response: httpx.Response) -> str:
        return _error_message(response)


def _error_message(response: httpx.Response) -> str:
    """Power Automate's ``{"error": {"code", "message"}}``, or a short text body."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return short_text(response)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', '')} {error.get('message', '')}".strip()
    return ""
