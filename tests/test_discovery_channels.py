"""Every channel shows the discovery and page-signal alerts well, through real receivers.

Each alert (testing/discovery_alerts.py: built by make_alert, as the pipeline
builds them) goes over real HTTP to the local receiver of its service
(testing/receivers.py, which validates like the service) or over real SMTP to
an aiosmtpd mailbox; what the service kept is turned into the text a reader
sees and checked for the alert's label, its facts and its quoted text.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from monitor.notify.channels import REGISTRY, Channel
from monitor.notify.channels import apprise as apprise_format
from monitor.notify.channels import render as r
from monitor.notify.channels import teams as teams_format
from testing.discovery_alerts import (
    ARTICLE_URL,
    ELSEWHERE,
    LISTING_ID,
    OPENING,
    TITLE,
    every_kind,
)
from testing.mailbox import body, mailbox
from testing.receivers import (
    Accept,
    Discord,
    Matrix,
    Mattermost,
    Receiver,
    Slack,
    Teams,
    Telegram,
)

TOKEN = "123456:AAE-secret_TOKEN_abcdefghijklmnopqrstuv"
ROOM = "!newsroom:example.org"
ALERTS = every_kind()

#: (fact name, value) each kind must show; names are matched case-insensitively
FACTS = {
    "new": [("Listing", LISTING_ID)],
    "new/held-back": [("Waiting", "7 articles")],
    "delisted": [("Listing", LISTING_ID)],
    "delisted/reverted": [("Listing", LISTING_ID), ("Reason", "the article is listed again")],
    "noindexed": [("Noindex from", "the X-Robots-Tag header")],
    "noindexed/reverted": [("Noindex was from", "the page's robots meta tag")],
    "canonical-changed": [("Canonical was", ARTICLE_URL), ("Canonical now", ELSEWHERE)],
    "canonical-changed/reverted": [("Canonical was", ELSEWHERE), ("Canonical now", ARTICLE_URL)],
}
LABELS = {"new": "New article", "new/held-back": "7 new articles waiting",
          "delisted": "Delisted", "delisted/reverted": "Listed again", "noindexed": "Noindexed",
          "noindexed/reverted": "Indexable again", "canonical-changed": "Canonical changed",
          "canonical-changed/reverted": "Canonical restored"}
EXCERPTS = {"new": "Opening text", "delisted": "Text as last checked",
            "delisted/reverted": "Text as last checked"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """What a reader sees of HTML: its text, cells and lines a space apart."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def markdown_text(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).replace("\u200b", "")


def slack_text(message: dict[str, Any]) -> str:
    texts = [message["text"]]
    for block in message["blocks"]:
        texts += [block.get("text", {}).get("text", ""),
                  *(e["text"] for e in block.get("elements", []))]
    return unescape("\n".join(texts))


def discord_text(message: dict[str, Any]) -> str:
    if "content" in message and not message.get("embeds"):
        return markdown_text(message["content"])
    [embed] = message["embeds"]
    fields = [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return markdown_text("\n".join([embed["title"], embed.get("description", ""), *fields]))


def teams_text(card: dict[str, Any]) -> str:
    return "\n".join("".join(run["text"] for run in block["inlines"])
                     for block in card["body"] if block["type"] == "RichTextBlock")


def mattermost_text(post: dict[str, Any]) -> str:
    [attachment] = post["attachments"]
    fields = [f"{f['title']}: {f['value']}" for f in attachment["fields"]]
    return markdown_text("\n".join([post["text"], attachment["title"], attachment["text"],
                                    *fields]))


def deliver(target: Channel, document: dict[str, Any]) -> None:
    async def go() -> None:
        async with httpx.AsyncClient(timeout=5.0) as client:
            if document["event"] == "digest":
                await target.send_digest(document, client)
            else:
                await target.send(document, client)

    asyncio.run(go())


def channel(kind: str, **options: Any) -> Channel:
    cls = REGISTRY[kind]
    assert cls.check_options(options) == []
    return cls(f"test-{kind}", options)


Sent = list[tuple[str, str]]  # (kind, what a reader sees), one per alert


def through(service: Any, make: Callable[[str], Channel],
            read: Callable[[Any], list[str]]) -> Sent:
    """Every alert delivered by the channel ``make`` builds for the receiver's URL."""
    with Receiver(service) as receiver:
        target = make(receiver.url)
        for alert in ALERTS.values():
            deliver(target, alert)
        texts = read(receiver.service)
    assert len(texts) == len(ALERTS)
    return list(zip(ALERTS, texts, strict=True))


def send_slack() -> Sent:
    return through(Slack(), lambda url: channel("slack", url=f"{url}/services/T/B/X"),
                   lambda s: [slack_text(m) for m in s.messages])


def send_discord(style: str) -> Sent:
    return through(Discord(), lambda url: channel("discord", url=f"{url}/api/webhooks/1/t",
                                                  style=style),
                   lambda s: [discord_text(m) for m in s.messages])


def send_teams() -> Sent:
    return through(Teams(), lambda url: channel("teams", url=f"{url}/workflows/x?sig=S"),
                   lambda s: [teams_text(c) for c in s.cards])


def send_mattermost() -> Sent:
    return through(Mattermost(), lambda url: channel("mattermost", url=f"{url}/hooks/k"),
                   lambda s: [mattermost_text(p) for p in s.posts])


def send_telegram() -> Sent:
    return through(Telegram(TOKEN), lambda url: channel("telegram", token=TOKEN,
                                                        chat_id="-100123", api_url=url),
                   lambda s: [html_text(m["text"]) for m in s.messages])


def send_matrix(part: str) -> Sent:
    def read(service: Matrix) -> list[str]:
        return [e["body"] if part == "body" else html_text(e["formatted_body"])
                for e in service.events]
    return through(Matrix("tok", ROOM), lambda url: channel(
        "matrix", homeserver=url, room_id=ROOM, access_token="tok"), read)


def send_email(part: str) -> Sent:
    with mailbox() as box:
        target = channel("email", host="127.0.0.1", port=box.port, starttls=False,
                         **{"from": "monitor@example.org"}, to=["desk@example.org"])
        for alert in ALERTS.values():
            deliver(target, alert)
        messages = box.messages
    texts = [f"{m['Subject']}\n{body(m, 'plain')}" if part == "text"
             else f"{m['Subject']}\n{html_text(body(m, 'html'))}" for m in messages]
    return list(zip(ALERTS, texts, strict=True))


def send_apprise() -> Sent:
    """Apprise's own text: title and body (the library is an optional extra)."""
    return [(kind, "\n".join(apprise_format.alert_body(alert))) for kind, alert in ALERTS.items()]


SENDERS: dict[str, Callable[[], Sent]] = {
    "slack": send_slack, "discord-embed": lambda: send_discord("embed"),
    "discord-diff": lambda: send_discord("diff"), "teams": send_teams,
    "mattermost": send_mattermost, "telegram": send_telegram,
    "matrix-body": lambda: send_matrix("body"), "matrix-html": lambda: send_matrix("html"),
    "email-text": lambda: send_email("text"), "email-html": lambda: send_email("html"),
    "apprise": send_apprise,
}


def shows_fact(text: str, name: str, value: str) -> bool:
    """The fact's name, then its value (a colon, markup or a table cell between)."""
    return re.search(rf"{re.escape(name)}:?[\W_]*{re.escape(value)}", text, re.I) is not None


@pytest.mark.parametrize("name", list(SENDERS))
def test_each_channel_shows_each_kind_with_its_label_facts_and_text(name: str) -> None:
    for kind, text in SENDERS[name]():
        assert LABELS[kind] in text, (name, kind)
        heading = "MFA press releases" if kind == "new/held-back" else TITLE
        assert heading in text, (name, kind)
        for fact, value in FACTS[kind]:
            assert shows_fact(text, fact, value), (name, kind, fact, text)
        assert "moved from" not in text.lower() and "moved to" not in text.lower(), (name, kind)
        if kind in EXCERPTS:
            assert OPENING in text, (name, kind)
            assert EXCERPTS[kind] in text, (name, kind)
        else:
            assert OPENING not in text, (name, kind)
        if kind == "new/held-back":  # one alert about the waiting articles, not a new one
            assert "New article" not in text, (name, text)


def test_colours_follow_the_kind_in_the_services_that_show_one() -> None:
    with Receiver(Mattermost()) as receiver:
        target = channel("mattermost", url=f"{receiver.url}/hooks/k")
        for alert in ALERTS.values():
            deliver(target, alert)
        colours = [p["attachments"][0]["color"] for p in receiver.service.posts]  # type: ignore[attr-defined]
    assert colours == [r.EVENT_COLOURS[kind] for kind in ALERTS]
    with Receiver(Teams()) as receiver:
        target = channel("teams", url=f"{receiver.url}/workflows/x?sig=S")
        for alert in ALERTS.values():
            deliver(target, alert)
        cards = receiver.service.cards  # type: ignore[attr-defined]
        labels = [card["body"][0]["inlines"][0]["color"] for card in cards]
    assert labels == [teams_format.COLOURS.get(k, teams_format.COLOURS[k.split("/")[0]])
                      for k in ALERTS]
    assert labels[:4] == ["Accent", "Default", "Warning", "Good"]
    with Receiver(Discord()) as receiver:
        target = channel("discord", url=f"{receiver.url}/api/webhooks/1/t")
        deliver(target, ALERTS["noindexed"])
        [message] = receiver.service.messages  # type: ignore[attr-defined]
    assert message["embeds"][0]["color"] == int(r.EVENT_COLOURS["noindexed"][1:], 16)
    assert [apprise_format.notify_type(a) for a in ALERTS.values()] == [
        "info", "info", "warning", "success", "warning", "success", "warning", "success"]


def test_the_canonicals_are_links_and_the_page_is_the_link_of_the_alert() -> None:
    alert = ALERTS["canonical-changed"]
    with Receiver(Slack()) as receiver:
        deliver(channel("slack", url=f"{receiver.url}/services/T/B/X"), alert)
        [message] = receiver.service.messages  # type: ignore[attr-defined]
    facts = message["blocks"][1]["text"]["text"]
    assert f"canonical now <{ELSEWHERE}|{ELSEWHERE}>" in facts
    assert facts.startswith(f"*<{ARTICLE_URL}|{TITLE}>*")
    with Receiver(Discord()) as receiver:
        deliver(channel("discord", url=f"{receiver.url}/api/webhooks/1/t"), alert)
        [embed] = receiver.service.messages[0]["embeds"]  # type: ignore[attr-defined]
    assert embed["url"] == ARTICLE_URL
    assert {"name": "Canonical now", "value": ELSEWHERE, "inline": False} in embed["fields"]
    with Receiver(Telegram(TOKEN)) as receiver:
        deliver(channel("telegram", token=TOKEN, chat_id="-100123", api_url=receiver.url),
                alert)
        [sent] = receiver.service.messages  # type: ignore[attr-defined]
    assert f'canonical now <a href="{ELSEWHERE}">{ELSEWHERE}</a>' in sent["text"]
    with mailbox() as box:
        deliver(channel("email", host="127.0.0.1", port=box.port, starttls=False,
                        **{"from": "monitor@example.org"}, to=["desk@example.org"]), alert)
        [mail] = box.messages
    assert f'<a href="{ELSEWHERE}">{ELSEWHERE}</a>' in body(mail, "html")
    assert mail["Subject"] == f"[monitor] Canonical changed: {TITLE}"
    assert mail["X-Monitor-Event"] == "canonical-changed"


def test_the_webhook_posts_each_alert_as_it_is() -> None:
    with Receiver(Accept()) as receiver:
        target = channel("webhook", url=f"{receiver.url}/hook")
        for alert in ALERTS.values():
            deliver(target, alert)
        requests = list(receiver.requests)
    assert [q.json() for q in requests] == list(ALERTS.values())
    assert [q.headers["X-Monitor-Event"] for q in requests] == [
        a["event"] for a in ALERTS.values()]
    assert requests[0].json()["listing_id"] == LISTING_ID
    assert requests[5].json()["noindex_source"] == "meta"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # apprise imports imghdr
def test_apprise_sends_the_kind_s_type_through_a_real_apprise_url() -> None:
    pytest.importorskip("apprise")
    with Receiver(Accept()) as receiver:
        port = receiver.server.server_address[1]
        target = channel("apprise", urls=[f"json://127.0.0.1:{port}/hook"])
        deliver(target, ALERTS["delisted/reverted"])
        [request] = receiver.requests
    assert request.json()["type"] == "success"
    assert request.json()["title"] == f"📥 Listed again: {TITLE}"


def test_a_digest_of_every_kind_goes_through_every_channel() -> None:
    document = {"id": "01JD5W2V3K8Q000000000DIGEST", "event": "digest",
                "alerts": list(ALERTS.values()), "since": "2026-11-25T10:00:00Z",
                "until": "2026-11-25T10:59:00Z"}
    services: list[tuple[Any, Callable[[str], Channel]]] = [
        (Slack(), lambda url: channel("slack", url=f"{url}/s")),
        (Discord(), lambda url: channel("discord", url=f"{url}/api/webhooks/1/t")),
        (Teams(), lambda url: channel("teams", url=f"{url}/w?sig=S")),
        (Mattermost(), lambda url: channel("mattermost", url=f"{url}/hooks/k")),
        (Telegram(TOKEN), lambda url: channel("telegram", token=TOKEN, chat_id="-100123",
                                              api_url=url)),
        (Matrix("tok", ROOM), lambda url: channel("matrix", homeserver=url, room_id=ROOM,
                                                  access_token="tok")),
    ]
    for service, make in services:
        with Receiver(service) as receiver:
            deliver(make(receiver.url), document)
            [request] = receiver.requests
        shown = unescape(markdown_text(json.dumps(request.json(), ensure_ascii=False)))
        assert "listed again" in shown.lower() and "canonical restored" in shown.lower(), \
            type(service).__name__
    with mailbox() as box:
        deliver(channel("email", host="127.0.0.1", port=box.port, starttls=False,
                        **{"from": "monitor@example.org"}, to=["desk@example.org"]), document)
        [mail] = box.messages
    html = body(mail, "html")
    assert re.search(r"<th[^>]*>New article</th><th[^>]*>New articles waiting</th>", html)
    assert "<strong>Listed again</strong>" in html
    assert "<strong>7 new articles waiting</strong>" in html
    assert mail["Subject"] == "[monitor] Digest: 8 alerts from 2 sources"
