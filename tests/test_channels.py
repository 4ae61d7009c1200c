"""Channel types against real local receivers that speak each service's format.

Every chat service is a real HTTP server on 127.0.0.1 (tests/receivers.py) that
validates like the service (limits, tokens, HTML entities) and answers like it,
including 429 with Retry-After and 500s. Email goes to a real aiosmtpd server
with STARTTLS or implicit TLS from a throwaway trustme CA, which checks AUTH.
The alerts carry a real diff: the law firm's letter with "80,000" edited to
"8,000", diffed by monitor.core.diff.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import re
import ssl
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.cli.demo_site import Article
from monitor.core.diff import diff_documents
from monitor.core.document import Document
from monitor.notify.channels import REGISTRY, Channel, DeliveryError
from monitor.notify.channels import discord as discord_format
from monitor.notify.channels import matrix as matrix_format
from monitor.notify.channels import mattermost as mattermost_format
from monitor.notify.channels import render as r
from monitor.notify.channels import slack as slack_format
from monitor.notify.channels import teams as teams_format
from monitor.notify.channels import telegram as telegram_format
from testing.receivers import (
    Accept,
    Answer,
    Discord,
    Matrix,
    Mattermost,
    Receiver,
    Request,
    Slack,
    Teams,
    Telegram,
    units,
)

SOURCE_URL = "https://www.lawyersforuyghurrights.org/news/huawei-5g-letter"
TRICKY_TITLE = "Huawei <b>“5G”</b> & *contracts* @everyone"
TELEGRAM_TOKEN = "123456:AAE-secret_TOKEN_abcdefghijklmnopqrstuv"
MATRIX_TOKEN = "syt_bWF0cml4_SECRETtoken_0123"
ROOM = "!newsroom:example.org"
SMTP_USER, SMTP_PASSWORD = "alerts@example.org", "correct horse battery staple"


# --- alerts with real diffs ---------------------------------------------------------


def document(article: Article, title: str | None = None) -> Document:
    return Document(title=title or article.title, author=article.author, date=article.date,
                    paragraphs=article.paragraphs)


def make_alert(old: Document, new: Document, *, alert_id: str = "01JD5W2V3K8Q0000000000AAAA",
               source_id: str = "huawei-5g-letter", event: str = "changed",
               **extra: Any) -> dict[str, Any]:
    """An alert as the pipeline builds it (the design's JSON document)."""
    return {
        "id": alert_id, "event": event, "reason": None, "source_id": source_id,
        "url": SOURCE_URL, "title": new.title, "detected_at": "2026-11-25T10:00:00Z",
        "revision": "3f2a9c1d7e5b4a6f8091a2b3c4d5e6f708192a3b",
        "previous_revision": "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807",
        "diff": diff_documents(old, new).as_dict(), "tags": ["uk"], **extra,
    }


@pytest.fixture(scope="module")
def letter_alert() -> dict[str, Any]:
    letter = Article.load("huawei-5g-letter")
    return make_alert(document(letter), document(letter.edited("80,000", "8,000")))


@pytest.fixture(scope="module")
def long_alert() -> dict[str, Any]:
    """Hundreds of changed words, a 6,000-character new paragraph, a title full of markup."""
    letter = Article.load("huawei-5g-letter")
    edited = tuple(re.sub(r"\bthe\b", "THE", p) for p in letter.paragraphs)
    inserted = " ".join(["An entirely new paragraph of added words."] * 150)
    new = Document(title=TRICKY_TITLE, author=letter.author, date=letter.date,
                   paragraphs=(*edited[:3], inserted, *edited[3:]))
    alert = make_alert(document(letter), new, alert_id="01JD5W2V3K8Q0000000000BBBB")
    assert len(alert["diff"]["added"]) > 60
    return alert


@pytest.fixture(scope="module")
def digest(letter_alert: dict[str, Any]) -> dict[str, Any]:
    alerts = [
        letter_alert,
        {**letter_alert, "id": "01JD5W2V3K8Q0000000000CCCC", "detected_at": "2026-11-25T10:20:00Z"},
        {**letter_alert, "id": "01JD5W2V3K8Q0000000000DDDD", "event": "removed",
         "reason": "gone-404", "source_id": "bbc-raab-uighurs", "diff": None,
         "title": "UK accuses China of ‘gross’ human rights violations",
         "url": "https://www.bbc.co.uk/news/uk-53463003", "detected_at": "2026-11-25T10:40:00Z"},
        {**letter_alert, "id": "01JD5W2V3K8Q0000000000EEEE", "event": "moved",
         "source_id": "un-statement", "diff": None, "title": TRICKY_TITLE,
         "from_url": "https://www.ohchr.org/a", "to_url": "https://www.ohchr.org/b",
         "detected_at": "2026-11-25T10:59:00Z"},
    ]
    return {"id": "01JD5W2V3K8Q000000000DIGEST", "event": "digest", "alerts": alerts,
            "since": "2026-11-25T10:00:00Z", "until": "2026-11-25T10:59:00Z"}


@pytest.fixture(scope="module")
def big_digest(letter_alert: dict[str, Any]) -> dict[str, Any]:
    """A site-wide change: 300 sources in one window."""
    alerts = [{**letter_alert, "id": f"01JD5W2V3K8Q00000000{i:06d}",
               "source_id": f"site-page-{i:03d}", "title": f"Page {i} " + "long title " * 20}
              for i in range(300)]
    return {"id": "01JD5W2V3K8Q00000000BIGDIG", "event": "digest", "alerts": alerts,
            "since": "2026-11-25T10:00:00Z", "until": "2026-11-25T11:00:00Z"}


def channel(kind: str, **options: Any) -> Channel:
    """A channel built as the config builds it, after its own option checks pass."""
    cls = REGISTRY[kind]
    assert cls.check_options(options) == []
    return cls(f"test-{kind}", options)


def deliver(target: Channel, document: dict[str, Any], *, timeout: float = 2.0) -> None:
    async def go() -> None:
        async with httpx.AsyncClient(timeout=timeout) as client:
            if document["event"] == "digest":
                await target.send_digest(document, client)
            else:
                await target.send(document, client)

    asyncio.run(go())


def failure(target: Channel, document: dict[str, Any], *, timeout: float = 2.0) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        deliver(target, document, timeout=timeout)
    return caught.value


# --- rendering ---------------------------------------------------------------------


def test_word_blocks_mark_exactly_the_alert_fragments(letter_alert: dict[str, Any]) -> None:
    [block] = r.word_blocks(letter_alert["diff"])
    assert [text for op, text in block if op == r.DELETE] == ["80,000"]
    assert [text for op, text in block if op == r.INSERT] == ["8,000"]
    [excerpt] = r.excerpts([block])
    assert r.plain(excerpt) == ("… workers forced into servitude by the Chinese authorities are "
                                "that [-80,000-]{+8,000+} have been enslaved in this way; "
                                "however, as …")
    assert r.count_changes(block) == 1


def test_markup_escapes_each_format() -> None:
    segments = [(r.EQUAL, "a <b>&amp; "), (r.DELETE, "*x*"), (r.INSERT, "@here <i>"),
                (r.EQUAL, " end")]
    assert r.slack(segments) == "a &lt;b&gt;&amp;amp; ~*x*~ *@here &lt;i&gt;* end"
    assert r.markdown(segments) == "a \\<b\\>&amp; ~~\\*x\\*~~ **@\u200bhere \\<i\\>** end"
    assert r.telegram_html(segments) == ("a &lt;b&gt;&amp;amp; <s>*x*</s> "
                                         "<b>@\u200bhere &lt;i&gt;</b> end")
    assert '<del style="color:#b31d28;background:#ffeef0">*x*</del>' in r.email_html(segments)
    assert r.plain(segments) == "a <b>&amp; [-*x*-]{+@here <i>+} end"


def test_fit_keeps_whole_pieces_and_counts_what_it_left_out() -> None:
    pieces = [("a" * 40, 1), ("b" * 40, 2), ("c" * 40, 3)]
    fitted = r.fit(pieces, 100, note=lambda n: f"…and {n} more changes")
    assert fitted.pieces == ["a" * 40] and fitted.left_out == 5
    assert r.fit(pieces, 124, note=lambda n: "x" * 50).left_out == 0  # all fit: no note needed
    assert r.fit(pieces, 123, note=lambda n: "x").pieces == ["a" * 40, "b" * 40]
    assert r.truncate("hello wonderful world", 12) == "hello…"
    assert r.units("😀") == 2


def test_titles_and_removed_pages_without_a_diff_render() -> None:
    alert = {"id": "X1", "event": "removed", "reason": "gone-410", "source_id": "s",
             "url": "https://e.org/a", "title": "", "diff": None}
    v = r.view(alert)
    assert v.headline == "Removed: s" and v.blocks == []
    assert v.reason == "the page now answers 410 Gone"  # kept from before reason_text
    assert r.gist(v) == "🗑️ Removed: s — the page now answers 410 Gone"


WORDS = st.sampled_from(["80,000", "8,000", "the", "<b>", "&amp;", "*bold*", "_x_", "~~",
                         "`code`", "@everyone", "# head", "- item", "[a](b)", "‘quoted’",
                         "été", "😀", "|", "\\", "ok."])
PARAGRAPH = st.lists(WORDS, min_size=1, max_size=30).map(" ".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=st.lists(PARAGRAPH, min_size=1, max_size=6),
       new=st.lists(PARAGRAPH, min_size=1, max_size=6), title=PARAGRAPH)
def test_any_diff_renders_to_payloads_each_service_accepts(old: list[str], new: list[str],
                                                           title: str) -> None:
    """Whatever the text, each service's own checks (limits, HTML parsing) pass."""
    before = Document(title="Old title", paragraphs=tuple(old))
    after = Document(title=title, paragraphs=tuple(new))
    alert = {**make_alert(before, after), "id": "01JD5W2V3K8Q0000000000HHHH"}

    def post(payload: dict[str, Any], path: str = "/", method: str = "POST") -> Request:
        return Request(method, path, {"Authorization": "Bearer t"}, json.dumps(payload).encode())

    assert Slack()(post(slack_format.alert_payload(alert))).status == 200
    assert Discord()(post(discord_format.embed_payload(alert))).status == 204
    assert Discord()(post(discord_format.diff_payload(alert))).status == 204
    assert Teams()(post(teams_format.alert_payload(alert))).status == 202
    assert Mattermost()(post(mattermost_format.alert_payload(alert))).status == 200
    text = telegram_format.alert_text(alert)
    answer = Telegram("1:a")(post({"chat_id": 1, "parse_mode": "HTML", "text": text},
                                  "/bot1:a/sendMessage"))
    assert answer.status == 200, answer.body
    room = "/_matrix/client/v3/rooms/%21r%3Ax/send/m.room.message/1"
    content = matrix_format.alert_content(alert)
    assert Matrix("t", "!r:x")(post(content, room, "PUT")).status == 200


EVENTS = {
    "removed": {"reason": "redirect-home", "diff": None},
    "restored": {},
    "moved": {"reason": "redirected", "diff": None, "from_url": SOURCE_URL,
              "to_url": "https://www.lawyersforuyghurrights.org/2020/huawei"},
    "failing": {"reason": "DNS lookup failed: name not known", "diff": None,
                "revision": None, "previous_revision": None},
    "recovered": {"diff": None, "revision": None, "previous_revision": None},
}


@pytest.mark.parametrize("event", list(EVENTS))
def test_every_event_renders_for_every_service(event: str,
                                               letter_alert: dict[str, Any]) -> None:
    alert = {**letter_alert, "event": event, **EVENTS[event]}
    v = r.view(alert)
    assert v.headline.startswith(r.EVENT_LABELS[event] + ": ")
    assert Slack()(Request("POST", "/", {}, json.dumps(
        slack_format.alert_payload(alert)).encode())).status == 200
    embed = discord_format.embed_payload(alert)["embeds"][0]
    assert Discord()(Request("POST", "/", {}, json.dumps({"embeds": [embed]}).encode())
                     ).status == 204
    assert Teams()(Request("POST", "/", {}, json.dumps(
        teams_format.alert_payload(alert)).encode())).status == 202
    text = telegram_format.alert_text(alert)
    assert Telegram("1:a")(Request("POST", "/bot1:a/sendMessage", {}, json.dumps(
        {"chat_id": 1, "parse_mode": "HTML", "text": text}).encode())).status == 200
    if event == "moved":
        assert "https://www.lawyersforuyghurrights.org/2020/huawei" in text
        assert embed["url"] == "https://www.lawyersforuyghurrights.org/2020/huawei"
    if event == "failing":
        assert "DNS lookup failed" in text
    if event == "removed":
        assert ("Reason: the page now redirects to the site&#x27;s home or a section page"
                in text)


# --- Slack ---------------------------------------------------------------------


@pytest.fixture
def slack() -> Iterator[Receiver]:
    with Receiver(Slack()) as receiver:
        yield receiver


def test_slack_block_kit_with_struck_and_bold_words(slack: Receiver,
                                                    letter_alert: dict[str, Any]) -> None:
    deliver(channel("slack", url=f"{slack.url}/services/T0/B0/XXXX"), letter_alert)
    [message] = slack.service.messages  # type: ignore[attr-defined]
    assert message["text"].startswith("✏️ Changed: Request that Government")
    assert "removed “80,000”" in message["text"] and "added “8,000”" in message["text"]
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["header", "section", "section", "context"]
    assert f"<{SOURCE_URL}|Request that Government" in message["blocks"][1]["text"]["text"]
    assert "are that ~80,000~ *8,000* have been enslaved" in message["blocks"][2]["text"]["text"]
    assert "`3f2a9c1d7e5b`" in message["blocks"][3]["elements"][0]["text"]
    assert "`monitor diff huawei-5g-letter`" in message["blocks"][3]["elements"][0]["text"]


def test_slack_long_diff_stays_within_limits_and_is_cut_cleanly(
        slack: Receiver, long_alert: dict[str, Any]) -> None:
    deliver(channel("slack", url=f"{slack.url}/hook"), long_alert)
    [message] = slack.service.messages  # type: ignore[attr-defined]
    assert len(message["blocks"]) <= 50
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert all(units(t) <= 3000 for t in texts)
    assert units(json.dumps(message)) < 40_000
    assert re.fullmatch(r"_…and \d+ more changes_", texts[-1])
    footer = message["blocks"][-1]
    assert footer["type"] == "context" and "`monitor diff huawei-5g-letter`" in \
        footer["elements"][0]["text"]
    header = message["blocks"][0]["text"]["text"]
    assert header == f"✏️ Changed: {TRICKY_TITLE}"  # plain_text: shown as is
    assert "Huawei &lt;b&gt;“5G”&lt;/b&gt; &amp; *contracts* @everyone>" in texts[0]
    assert "<b>" not in json.dumps(message["blocks"][1:])
    assert "[+" in json.dumps(message) or "more characters" in json.dumps(message)


def test_slack_429_and_500_are_delivery_errors_naming_no_url(
        slack: Receiver, letter_alert: dict[str, Any]) -> None:
    url = f"{slack.url}/services/T0/B0/SECRETSECRET"
    target = channel("slack", url=url)
    slack.queue(Answer.text(429, "rate_limited", **{"Retry-After": "7"}),
                Answer.text(500, "rollup_error"))
    throttled = failure(target, letter_alert)
    assert throttled.retry_after == 7.0 and "429" in str(throttled)
    broken = failure(target, letter_alert)
    assert str(broken) == "HTTP 500 Internal Server Error: rollup_error"
    deliver(target, letter_alert)
    assert len(slack.requests) == 3 and len(slack.service.messages) == 1  # type: ignore[attr-defined]
    for error in (throttled, broken):
        assert "SECRET" not in str(error) and slack.url not in str(error)


def test_slack_timeout_surfaces_as_httpx_timeout(slack: Receiver,
                                                 letter_alert: dict[str, Any]) -> None:
    """notify turns httpx timeouts into "timed out"; the channel must not hang past it."""
    slack.queue(Answer(200, b"ok", delay=1.0))
    with pytest.raises(httpx.TimeoutException):
        deliver(channel("slack", url=f"{slack.url}/hook"), letter_alert, timeout=0.2)


def test_slack_digest_lists_each_source_with_its_events(
        slack: Receiver, digest: dict[str, Any], big_digest: dict[str, Any]) -> None:
    target = channel("slack", url=f"{slack.url}/hook")
    deliver(target, digest)
    deliver(target, big_digest)
    small, big = slack.service.messages  # type: ignore[attr-defined]
    text = json.dumps(small, ensure_ascii=False)
    assert "Digest: 4 alerts from 3 sources" in small["blocks"][0]["text"]["text"]
    assert "2026-11-25 10:00–10:59 UTC" in text
    assert "`huawei-5g-letter`" in text and "changed ×2" in text
    assert "`bbc-raab-uighurs`" in text and "removed" in text
    assert len(big["blocks"]) <= 50
    assert "more sources" in json.dumps(big)


# --- Discord -------------------------------------------------------------------


@pytest.fixture
def discord() -> Iterator[Receiver]:
    with Receiver(Discord()) as receiver:
        yield receiver


def test_discord_embed_with_link_fields_and_no_mentions(discord: Receiver,
                                                        letter_alert: dict[str, Any]) -> None:
    deliver(channel("discord", url=f"{discord.url}/api/webhooks/1/tok", username="monitor"),
            letter_alert)
    [message] = discord.service.messages  # type: ignore[attr-defined]
    assert message["allowed_mentions"] == {"parse": []}
    assert message["username"] == "monitor"
    [embed] = message["embeds"]
    assert embed["url"] == SOURCE_URL and embed["title"].startswith("✏️ Changed: ")
    assert "are that ~~80,000~~ **8,000** have been enslaved" in embed["description"]
    assert [f["name"] for f in embed["fields"]] == ["Source", "Detected"]  # hashes: footer
    assert embed["footer"]["text"] == ("Revision 3f2a9c1d7e5b · Previous 9e8d7c6b5a4f · "
                                       "Full diff monitor diff huawei-5g-letter")
    assert "content" not in message  # only a test alert says so in its content
    assert embed["timestamp"] == "2026-11-25T10:00:00Z"


def test_discord_long_diff_fits_embed_limits(discord: Receiver,
                                             long_alert: dict[str, Any]) -> None:
    deliver(channel("discord", url=f"{discord.url}/api/webhooks/1/tok"), long_alert)
    [message] = discord.service.messages  # type: ignore[attr-defined]
    [embed] = message["embeds"]
    assert units(embed["description"]) <= 4096 and units(embed["title"]) <= 256
    assert re.search(r"\n\n\*…and \d+ more changes\*$", embed["description"])
    assert embed["footer"]["text"].endswith("Full diff monitor diff huawei-5g-letter")
    # Markdown in the title is escaped; @everyone is inert (allowed_mentions)
    assert "\\<b\\>“5G”\\</b\\> & \\*contracts\\*" in embed["title"]


def test_discord_diff_style_is_a_diff_code_block_within_2000(
        discord: Receiver, letter_alert: dict[str, Any], long_alert: dict[str, Any]) -> None:
    target = channel("discord", url=f"{discord.url}/api/webhooks/1/tok", style="diff")
    deliver(target, letter_alert)
    deliver(target, long_alert)
    short, long = discord.service.messages  # type: ignore[attr-defined]
    content = short["content"]
    assert "```diff\n- " in content and content.count("```") == 2
    assert "\n- … workers forced into servitude by the Chinese authorities are that 80,000 " \
           "have been enslaved" in content
    assert "\n+ … workers forced into servitude by the Chinese authorities are that 8,000 " \
           "have been enslaved" in content
    assert units(long["content"]) <= 2000
    assert re.search(r"\n…and \d+ more changes\n-# Revision `3f2a9c1d7e5b` · Previous "
                     r"`9e8d7c6b5a4f` · Full diff `monitor diff huawei-5g-letter`$",
                     long["content"])


def test_discord_rate_limit_from_json_body_and_errors_without_token(
        discord: Receiver, letter_alert: dict[str, Any]) -> None:
    target = channel("discord", url=f"{discord.url}/api/webhooks/1/SECRETTOKEN")
    discord.queue(Answer.json(429, {"message": "You are being rate limited.",
                                    "retry_after": 1.5, "global": False}),
                  Answer.json(404, {"message": "Unknown Webhook", "code": 10015}))
    throttled = failure(target, letter_alert)
    assert throttled.retry_after == 1.5
    gone = failure(target, letter_alert)
    assert str(gone) == "HTTP 404 Not Found: Unknown Webhook"
    assert all("SECRETTOKEN" not in str(e) for e in (throttled, gone))


def test_discord_digest(discord: Receiver, digest: dict[str, Any],
                        big_digest: dict[str, Any]) -> None:
    target = channel("discord", url=f"{discord.url}/api/webhooks/1/tok")
    deliver(target, digest)
    deliver(target, big_digest)
    small, big = discord.service.messages  # type: ignore[attr-defined]
    description = small["embeds"][0]["description"]
    assert "• `huawei-5g-letter` [Request that Government" in description
    assert "changed ×2" in description and "moved" in description
    assert "more sources" in big["embeds"][0]["description"]


# --- Teams ------------------------------------------------------------------------


@pytest.fixture
def teams() -> Iterator[Receiver]:
    with Receiver(Teams()) as receiver:
        yield receiver


def runs(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [run for block in card["body"] if block["type"] == "RichTextBlock"
            for run in block["inlines"]]


def test_teams_adaptive_card_strikes_old_and_bolds_new(teams: Receiver,
                                                      letter_alert: dict[str, Any]) -> None:
    deliver(channel("teams", url=f"{teams.url}/workflows/abc/triggers/manual/paths/invoke"
                                 "?api-version=1&sig=SIGNATURE"), letter_alert)
    [card] = teams.service.cards  # type: ignore[attr-defined]
    assert card["version"] == "1.4" and card["msteams"] == {"width": "Full"}
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the page",
                                "url": SOURCE_URL}]
    all_runs = runs(card)
    assert {"type": "TextRun", "text": "80,000", "strikethrough": True,
            "color": "Attention"} in all_runs
    assert {"type": "TextRun", "text": "8,000", "weight": "Bolder", "color": "Good"} in all_runs
    assert any(run["text"] == "3f2a9c1d7e5b" for run in all_runs)


def test_teams_long_diff_stays_under_the_card_size_limit(teams: Receiver,
                                                         long_alert: dict[str, Any]) -> None:
    deliver(channel("teams", url=f"{teams.url}/invoke"), long_alert)
    [request] = teams.requests
    assert len(request.body) <= 20_000
    [card] = teams.service.cards  # type: ignore[attr-defined]
    texts = [run["text"] for run in runs(card)]
    assert TRICKY_TITLE in texts  # TextRuns are never Markdown: no escaping needed
    assert any(re.fullmatch(r"…and \d+ more changes", t) for t in texts)
    assert texts[-2:] == [" · Full diff ", "monitor diff huawei-5g-letter"]  # the footer


def test_teams_errors_name_no_signature(teams: Receiver, letter_alert: dict[str, Any]) -> None:
    target = channel("teams", url=f"{teams.url}/invoke?sig=SIGNATURE123")
    teams.queue(Answer.json(429, {"error": {"code": "TooManyRequests", "message":
                                            "Rate limit is exceeded. sig=SIGNATURE123"}},
                            **{"Retry-After": "30"}),
                Answer(500, b"", {}))
    throttled = failure(target, letter_alert)
    assert throttled.retry_after == 30.0 and "TooManyRequests" in str(throttled)
    assert "SIGNATURE123" not in str(throttled)
    assert str(failure(target, letter_alert)) == "HTTP 500 Internal Server Error"


def test_teams_digest(teams: Receiver, digest: dict[str, Any],
                      big_digest: dict[str, Any]) -> None:
    target = channel("teams", url=f"{teams.url}/invoke")
    deliver(target, digest)
    deliver(target, big_digest)
    small, big = teams.service.cards  # type: ignore[attr-defined]
    texts = [run["text"] for run in runs(small)]
    assert "📋 Digest: 4 alerts from 3 sources" in texts
    assert "huawei-5g-letter  " in texts and "changed ×2 — " in texts
    assert any("more sources" in run["text"] for run in runs(big))
    assert all(len(r.body) <= 20_000 for r in teams.requests)


# --- Mattermost ----------------------------------------------------------------


@pytest.fixture
def mattermost() -> Iterator[Receiver]:
    with Receiver(Mattermost()) as receiver:
        yield receiver


def test_mattermost_attachment_with_colour_and_markdown(mattermost: Receiver,
                                                        letter_alert: dict[str, Any]) -> None:
    deliver(channel("mattermost", url=f"{mattermost.url}/hooks/abc", channel="town-square"),
            letter_alert)
    [post] = mattermost.service.posts  # type: ignore[attr-defined]
    assert post["channel"] == "town-square"
    assert post["text"].startswith("✏️ **Changed:** [Request that Government")
    [attachment] = post["attachments"]
    assert attachment["color"] == "#dbab09" and attachment["title_link"] == SOURCE_URL
    assert "are that ~~80,000~~ **8,000** have been enslaved" in attachment["text"]
    assert [f["title"] for f in attachment["fields"]] == ["Source", "Detected"]
    assert attachment["footer"] == ("Revision 3f2a9c1d7e5b · Previous 9e8d7c6b5a4f · "
                                    "Full diff monitor diff huawei-5g-letter")


def test_mattermost_long_diff_and_mentions_are_defused(mattermost: Receiver,
                                                       long_alert: dict[str, Any]) -> None:
    deliver(channel("mattermost", url=f"{mattermost.url}/hooks/abc"), long_alert)
    [post] = mattermost.service.posts  # type: ignore[attr-defined]
    text = post["attachments"][0]["text"]
    assert units(text) <= 4000
    assert re.search(r"\*…and \d+ more changes\*$", text)
    assert "@\u200beveryone" in post["text"] and "\\<b\\>" in post["text"]


def test_mattermost_errors_and_digest_table(mattermost: Receiver, letter_alert: dict[str, Any],
                                            digest: dict[str, Any]) -> None:
    target = channel("mattermost", url=f"{mattermost.url}/hooks/SECRETKEY")
    mattermost.queue(Answer.json(429, {"message": "Too many requests"},
                                 **{"Retry-After": "3"}))
    throttled = failure(target, letter_alert)
    assert throttled.retry_after == 3.0 and "SECRETKEY" not in str(throttled)
    deliver(target, digest)
    [post] = mattermost.service.posts  # type: ignore[attr-defined]
    lines = post["text"].splitlines()
    assert "| Source | Changed | Removed | Moved |" in lines
    assert any(line.startswith("| `huawei-5g-letter` [Request that") and
               line.endswith("| 2 | · | · |") for line in lines)


# --- Telegram --------------------------------------------------------------------


@pytest.fixture
def telegram() -> Iterator[Receiver]:
    with Receiver(Telegram(TELEGRAM_TOKEN)) as receiver:
        yield receiver


def test_telegram_html_message(telegram: Receiver, letter_alert: dict[str, Any]) -> None:
    deliver(channel("telegram", token=TELEGRAM_TOKEN, chat_id="-1001234567890",
                    api_url=telegram.url), letter_alert)
    [message] = telegram.service.messages  # type: ignore[attr-defined]
    assert message["chat_id"] == -1001234567890 and message["parse_mode"] == "HTML"
    assert message["link_preview_options"] == {"is_disabled": True}
    text = message["text"]
    assert text.startswith(f'✏️ <b>Changed:</b> <a href="{SOURCE_URL}">Request that')
    assert "are that <s>80,000</s> <b>8,000</b> have been enslaved" in text
    assert "<code>huawei-5g-letter</code>" in text


def test_telegram_long_diff_parses_and_fits_4096(telegram: Receiver,
                                                 long_alert: dict[str, Any]) -> None:
    deliver(channel("telegram", token=TELEGRAM_TOKEN, chat_id="@newsroom",
                    api_url=telegram.url), long_alert)
    [message] = telegram.service.messages  # type: ignore[attr-defined]
    assert units(message["text"]) <= 4096  # the receiver also parsed its entities
    assert "Huawei &lt;b&gt;“5G”&lt;/b&gt; &amp; *contracts* @\u200beveryone" in message["text"]
    assert re.search(r"<i>…and \d+ more changes</i>\n\n<i>Revision <code>3f2a9c1d7e5b</code> · "
                     r"Previous <code>9e8d7c6b5a4f</code> · Full diff <code>monitor diff "
                     r"huawei-5g-letter</code></i>$", message["text"])


def test_telegram_errors_carry_retry_after_and_never_the_token(
        telegram: Receiver, letter_alert: dict[str, Any], digest: dict[str, Any]) -> None:
    target = channel("telegram", token=TELEGRAM_TOKEN, chat_id="42", api_url=telegram.url)
    telegram.queue(Answer.json(429, {"ok": False, "error_code": 429, "description":
                                     "Too Many Requests: retry after 5",
                                     "parameters": {"retry_after": 5}}),
                   Answer.json(500, {"ok": False, "error_code": 500,
                                     "description": f"Internal error for {TELEGRAM_TOKEN}"}))
    throttled = failure(target, letter_alert)
    assert throttled.retry_after == 5.0
    assert str(throttled) == "HTTP 429: Too Many Requests: retry after 5"
    broken = failure(target, letter_alert)
    wrong = failure(channel("telegram", token="999:wrong", chat_id="42", api_url=telegram.url),
                    letter_alert)
    assert str(wrong) == "HTTP 401: Unauthorized"
    assert wrong.permanent and not broken.permanent and not throttled.permanent
    down = failure(channel("telegram", token=TELEGRAM_TOKEN, chat_id="42",
                           api_url="http://127.0.0.1:9"), letter_alert)
    assert str(down).startswith("cannot reach the Bot API")
    for error in (throttled, broken, wrong, down):
        assert TELEGRAM_TOKEN not in str(error) and "secret_TOKEN" not in str(error)
    deliver(target, digest)
    [message] = telegram.service.messages  # type: ignore[attr-defined]
    assert "<code>bbc-raab-uighurs</code>" in message["text"]


def test_telegram_check_options() -> None:
    check = REGISTRY["telegram"].check_options
    assert check({"token": TELEGRAM_TOKEN, "chat_id": "@newsroom"}) == []
    problems = check({"token": "nope", "chat_id": "news room"})
    assert any("bot token" in p for p in problems) and any("chat_id" in p for p in problems)
    assert all("nope" not in p for p in problems)
    assert check({"token": TELEGRAM_TOKEN}) == ["'chat_id' is required (the chat to post to: "
                                                "a number (groups are negative, -100… for "
                                                "channels) or @channelname)"]


# --- Matrix --------------------------------------------------------------------------


@pytest.fixture
def matrix() -> Iterator[Receiver]:
    with Receiver(Matrix(MATRIX_TOKEN, ROOM)) as receiver:
        yield receiver


def test_matrix_message_is_idempotent_by_alert_id(matrix: Receiver,
                                                  letter_alert: dict[str, Any]) -> None:
    target = channel("matrix", homeserver=matrix.url, room_id=ROOM, access_token=MATRIX_TOKEN)
    deliver(target, letter_alert)
    deliver(target, letter_alert)  # a crash between "sent" and "recorded": the same PUT again
    first, second = matrix.requests
    assert first.method == "PUT" and first.path == second.path == (
        "/_matrix/client/v3/rooms/%21newsroom%3Aexample.org/send/m.room.message/"
        f"{letter_alert['id']}")
    [event] = matrix.service.events  # type: ignore[attr-defined]
    assert event["msgtype"] == "m.text" and event["format"] == "org.matrix.custom.html"
    assert event["m.mentions"] == {}
    assert "are that [-80,000-]{+8,000+} have been enslaved" in event["body"]
    assert ('are that <span data-mx-color="#b31d28" data-mx-bg-color="#ffeef0"><del>80,000'
            '</del></span> <span data-mx-color="#22863a" data-mx-bg-color="#e6ffed"><b>8,000'
            "</b></span> have been enslaved") in event["formatted_body"]


def test_matrix_long_diff_and_escaping(matrix: Receiver, long_alert: dict[str, Any]) -> None:
    deliver(channel("matrix", homeserver=matrix.url, room_id=ROOM, access_token=MATRIX_TOKEN,
                    msgtype="m.notice"), long_alert)
    [event] = matrix.service.events  # type: ignore[attr-defined]
    assert event["msgtype"] == "m.notice"
    assert len(json.dumps(event).encode()) < 65_536
    assert "Huawei &lt;b&gt;“5G”&lt;/b&gt; &amp; *contracts* @everyone" in event["formatted_body"]
    assert re.search(r"…and \d+ more changes</em></p><p><sub>Revision .*Full diff "
                     r"<code>monitor diff huawei-5g-letter</code></sub></p>$",
                     event["formatted_body"])
    assert re.search(r"…and \d+ more changes\n\n-- \nRevision 3f2a9c1d7e5b · Previous "
                     r"9e8d7c6b5a4f · Full diff monitor diff huawei-5g-letter$", event["body"])


def test_matrix_errors(matrix: Receiver, letter_alert: dict[str, Any],
                       digest: dict[str, Any]) -> None:
    target = channel("matrix", homeserver=matrix.url, room_id=ROOM, access_token=MATRIX_TOKEN)
    matrix.queue(Answer.json(429, {"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests",
                                   "retry_after_ms": 2500}))
    throttled = failure(target, letter_alert)
    assert throttled.retry_after == 2.5 and "M_LIMIT_EXCEEDED" in str(throttled)
    wrong = failure(channel("matrix", homeserver=matrix.url, room_id=ROOM,
                            access_token="syt_wrong_token"), letter_alert)
    assert str(wrong) == "HTTP 401: M_UNKNOWN_TOKEN Invalid access token passed."
    assert wrong.permanent and not throttled.permanent  # a revoked token: dead at once
    assert "syt_wrong_token" not in str(wrong)
    assert REGISTRY["matrix"].check_options({"homeserver": matrix.url, "room_id": "#news:x.org",
                                             "access_token": "t"}) == [
        "'room_id' must be the room's id (!abc123:example.org), not its alias "
        "(#room:example.org): Room settings → Advanced"]
    deliver(target, digest)
    [event] = matrix.service.events  # type: ignore[attr-defined]
    assert "<table>" in event["formatted_body"] and "<th>Removed</th>" in event["formatted_body"]
    assert "huawei-5g-letter" in event["body"] and "changed" in event["body"]


# --- Apprise -----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # apprise imports imghdr
def test_apprise_posts_through_a_real_apprise_url(letter_alert: dict[str, Any]) -> None:
    pytest.importorskip("apprise")
    with Receiver(Accept()) as receiver:
        port = receiver.server.server_address[1]
        target = channel("apprise", urls=[f"json://user:SECRETPASS@127.0.0.1:{port}/hook"])
        deliver(target, letter_alert)
        [request] = receiver.requests
        body = request.json()
        assert body["title"].startswith("✏️ Changed: Request that Government")
        assert "are that [-80,000-]{+8,000+} have been enslaved" in body["message"]
        assert body["type"] == "info"
        receiver.queue(Answer(500))
        error = failure(target, letter_alert)
        assert str(error) == "apprise: 1 of 1 services failed (json)"
        assert REGISTRY["apprise"].check_options({"urls": ["nonsense://x"]}) == [
            "'urls' entry 1 is not a URL Apprise understands (see its wiki for the service's "
            "form)"]


def test_apprise_missing_is_a_clear_config_error(monkeypatch: pytest.MonkeyPatch,
                                                 letter_alert: dict[str, Any]) -> None:
    monkeypatch.setitem(sys.modules, "apprise", None)  # as if the extra were not installed
    cls = REGISTRY["apprise"]
    assert cls.check_options({"urls": ["json://x"]}) == [
        "the apprise channel needs Apprise: pip install 'monitor[apprise]'"]
    error = failure(cls("a", {"urls": ["json://x"]}), letter_alert)
    assert "pip install 'monitor[apprise]'" in str(error)


# --- email ---------------------------------------------------------------------------


@dataclass
class Inbox:
    """What the SMTP server received, and how each client authenticated."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (mechanism, login)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(email.message_from_bytes(  # type: ignore[arg-type]
            envelope.content, policy=email.policy.default))
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        ok = (auth_data.login.decode(), auth_data.password.decode()) == (SMTP_USER,
                                                                         SMTP_PASSWORD)
        if ok:
            self.logins.append((mechanism, auth_data.login.decode()))
        return AuthResult(success=ok, handled=False)


class LocalController(Controller):
    """aiosmtpd's controller on a free port (it cannot take port 0 by itself)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SMTPServer:
    inbox: Inbox
    port: int


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    """A throwaway CA: the server's TLS context and the CA file the client trusts."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return context, path


def smtp_server(mode: str, context: ssl.SSLContext, **smtp: Any) -> Iterator[SMTPServer]:
    inbox = Inbox()
    options: dict[str, Any] = {"authenticator": inbox.authenticate, "auth_require_tls": True,
                               **smtp}
    if mode == "starttls":
        options.update(tls_context=context, require_starttls=True)
    elif mode == "tls":  # aiosmtpd only counts STARTTLS as TLS for auth_require_tls
        options.update(ssl_context=context, auth_require_tls=False)
    else:
        options.update(auth_require_tls=False)
    controller = LocalController(inbox, hostname="127.0.0.1", port=0, **options)
    controller.start()
    try:
        yield SMTPServer(inbox, controller.port)
    finally:
        controller.stop()


@pytest.fixture
def starttls_server(ca: tuple[ssl.SSLContext, Path]) -> Iterator[SMTPServer]:
    yield from smtp_server("starttls", ca[0])


def email_channel(server: SMTPServer, ca_file: Path | None, **options: Any) -> Channel:
    settings: dict[str, Any] = {
        "host": "127.0.0.1", "port": server.port, "username": SMTP_USER,
        "password": SMTP_PASSWORD, "from": "Monitor <monitor@example.org>",
        "to": ["desk@example.org", "editor@example.org"], **options}
    if ca_file:
        settings["ca_file"] = str(ca_file)
    return channel("email", **settings)


def html_part(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def text_part(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_email_over_starttls_with_auth_and_the_word_diff(
        mechanism: str, ca: tuple[ssl.SSLContext, Path], letter_alert: dict[str, Any]) -> None:
    exclude = ["PLAIN"] if mechanism == "LOGIN" else []
    for server in smtp_server("starttls", ca[0], auth_exclude_mechanism=exclude):
        deliver(email_channel(server, ca[1]), letter_alert)
        assert server.inbox.logins == [(mechanism, SMTP_USER)]
        [message] = server.inbox.messages
        assert server.inbox.envelopes == [("monitor@example.org",
                                           ["desk@example.org", "editor@example.org"])]
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain",
                                                                         "text/html"]
        assert message["Subject"] == ("[monitor] Changed: Request that Government Reconsider 5G "
                                      "Contracting with Huawei Over Allegations of Slavery and "
                                      "Company’s Implication in the Repression and Persecution "
                                      "of the Uyghur People")
        assert message["To"] == "desk@example.org, editor@example.org"
        assert message["Auto-Submitted"] == "auto-generated"
        html = html_part(message)
        assert ('are that <del style="color:#b31d28;background:#ffeef0">80,000</del> '
                '<ins style="color:#22863a;background:#e6ffed">8,000</ins> have been enslaved'
                ) in html
        assert f'<a href="{SOURCE_URL}"' in html
        assert "3f2a9c1d7e5b4a6f8091a2b3c4d5e6f708192a3b" in html  # the full git revision
        text = text_part(message)
        assert "are that [-80,000-]{+8,000+} have been enslaved" in text
        footer = text.split("\n-- \n")[1]  # the revisions are for tools: after the body
        assert footer == ("Revision: 3f2a9c1d7e5b4a6f8091a2b3c4d5e6f708192a3b\n"
                          "Previous: 9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807\n"
                          "Full diff: monitor diff huawei-5g-letter\n"
                          f"Alert: {letter_alert['id']}\n")
        assert "3f2a9c1d7e5b" not in text.split("\n-- \n")[0]
        assert SOURCE_URL in text


def test_email_threads_alerts_of_one_source(starttls_server: SMTPServer,
                                            ca: tuple[ssl.SSLContext, Path],
                                            letter_alert: dict[str, Any]) -> None:
    target = email_channel(starttls_server, ca[1])
    second = {**letter_alert, "id": "01JD5W2V3K8Q0000000000FFFF", "event": "removed",
              "reason": "gone-404", "diff": None}
    other = {**letter_alert, "id": "01JD5W2V3K8Q0000000000GGGG", "source_id": "bbc-raab"}
    for alert in (letter_alert, second, other):
        deliver(target, alert)
    first, removed, elsewhere = starttls_server.inbox.messages
    assert first["Message-ID"] == f"<{letter_alert['id']}@example.org>"
    assert removed["Message-ID"] == "<01JD5W2V3K8Q0000000000FFFF@example.org>"
    thread = "<monitor.huawei-5g-letter@example.org>"
    assert first["In-Reply-To"] == first["References"] == thread
    assert removed["In-Reply-To"] == removed["References"] == thread
    assert elsewhere["References"] == "<monitor.bbc-raab@example.org>"
    assert removed["Subject"].startswith("[monitor] Removed: ")
    assert "404 Not Found" in html_part(removed) and "What changed" not in html_part(removed)


def test_email_long_diff_and_escaped_title(starttls_server: SMTPServer,
                                           ca: tuple[ssl.SSLContext, Path],
                                           long_alert: dict[str, Any]) -> None:
    deliver(email_channel(starttls_server, ca[1], subject_prefix="[watch]"), long_alert)
    [message] = starttls_server.inbox.messages
    assert message["Subject"] == f"[watch] Changed: {TRICKY_TITLE}"
    html = html_part(message)
    assert "Huawei &lt;b&gt;“5G”&lt;/b&gt; &amp; *contracts* @everyone" in html
    assert "<b>“5G”</b>" not in html
    assert html.count("<ins ") > 60 and "more characters]" in html


def test_email_implicit_tls(ca: tuple[ssl.SSLContext, Path],
                            letter_alert: dict[str, Any]) -> None:
    for server in smtp_server("tls", ca[0]):
        deliver(email_channel(server, ca[1], tls=True), letter_alert)
        assert len(server.inbox.messages) == 1 and server.inbox.logins


def test_email_failures_are_clear_and_never_show_the_password(
        starttls_server: SMTPServer, ca: tuple[ssl.SSLContext, Path],
        letter_alert: dict[str, Any]) -> None:
    wrong = failure(email_channel(starttls_server, ca[1], password="not the password"),
                    letter_alert)
    assert str(wrong).startswith("SMTP authentication failed at 127.0.0.1:")
    untrusted = failure(email_channel(starttls_server, None), letter_alert)
    assert "is not trusted" in str(untrusted) and "ca_file" in str(untrusted)
    missing = failure(email_channel(starttls_server, Path("/nonexistent/ca.pem")), letter_alert)
    assert str(missing) == "cannot read 'ca_file' (a PEM file of trusted CA certificates)"
    closed = failure(channel("email", host="127.0.0.1", port=9, **{"from": "m@example.org"},
                             to=["a@example.org"]), letter_alert)
    assert str(closed).startswith("cannot connect to the SMTP server 127.0.0.1:9")
    for error in (wrong, untrusted, closed):
        assert SMTP_PASSWORD not in str(error) and "not the password" not in str(error)
    assert starttls_server.inbox.messages == []


def test_email_refuses_a_server_without_starttls(ca: tuple[ssl.SSLContext, Path],
                                                 letter_alert: dict[str, Any]) -> None:
    for server in smtp_server("plain", ca[0]):
        error = failure(email_channel(server, ca[1]), letter_alert)
        assert "does not offer STARTTLS" in str(error)
        assert server.inbox.logins == [] and server.inbox.messages == []


def test_email_digest_is_a_table_of_sources_and_events(starttls_server: SMTPServer,
                                                       ca: tuple[ssl.SSLContext, Path],
                                                       digest: dict[str, Any]) -> None:
    deliver(email_channel(starttls_server, ca[1]), digest)
    [message] = starttls_server.inbox.messages
    assert message["Subject"] == "[monitor] Digest: 4 alerts from 3 sources"
    assert message["References"] == "<monitor.digest@example.org>"
    html = html_part(message)
    assert re.search(r"<th[^>]*>Changed</th><th[^>]*>Removed</th><th[^>]*>Moved</th>", html)
    assert re.search(r"<code[^>]*>huawei-5g-letter</code><br><a href=\"[^\"]+\">Request that "
                     r"[^<]+</a></td><td[^>]*>2</td><td[^>]*>·</td>", html)
    text = text_part(message)
    assert re.search(r"^huawei-5g-letter +2 +· +·$", text, re.M)


def test_email_check_options() -> None:
    check = REGISTRY["email"].check_options
    good = {"host": "smtp.example.org", "from": "m@example.org", "to": ["a@example.org"]}
    assert check(good) == []
    assert check({**good, "host": "smtp://smtp.example.org:587"}) == [
        "'host' is the server's name only, e.g. smtp.example.org (the port goes in 'port')"]
    assert check({**good, "to": ["not an address"]}) == [
        "'to' must be a list of addresses, e.g. [desk@example.org, editor@example.org]"]
    assert check({**good, "username": "u", "password": "p", "starttls": False}) == [
        "the password would cross the network in plain text: set 'starttls: true' or "
        "'tls: true'"]
    assert check({**good, "tls": True, "starttls": True}) == [
        "set either 'tls: true' (implicit TLS, port 465) or 'starttls: true' (port 587), "
        "not both"]
    assert check({**good, "username": "u"}) == [
        "'username' and 'password' go together: set both or neither"]


# --- the config sees every type --------------------------------------------------------


def test_every_channel_type_is_registered_and_documents_its_options() -> None:
    assert set(REGISTRY) >= {"webhook", "slack", "discord", "teams", "mattermost", "telegram",
                             "matrix", "email", "apprise"}
    for cls in REGISTRY.values():
        assert cls.options and all(cls.options.values())
        assert set(cls.required) <= set(cls.options)
        assert cls.check_options({}) == [f"'{key}' is required ({cls.options[key]})"
                                         for key in cls.required] or cls.type == "apprise"


# --- change classes, in every channel ------------------------------------------------


def test_every_channel_shows_the_change_classes_before_the_words() -> None:
    from monitor.notify.channels import apprise as apprise_format
    from monitor.notify.channels import email_message

    letter = Article.load("huawei-5g-letter")
    old, new = document(letter), document(letter.edited("80,000", "8,000"))
    changes = [c.as_dict() for c in diff_documents(old, new).changes]
    alert = make_alert(old, new, changes=changes,
                       silent=True, modified_moved=False,
                       previous_detected_at="2026-11-24T09:30:00Z")
    assert alert["changes"] == [{"field": "body", "kind": "figure", "before": "80,000",
                                 "after": "8,000", "paragraph": 4}]
    v = r.view(alert)
    assert v.classes == ["Figure changed: 80,000 → 8,000"]
    assert ("Previous version", "2026-11-24 09:30 UTC") in v.facts
    assert v.notes == ["Silent edit: no correction or update note, and the page's own "
                       "last-modified date did not move"]
    assert r.view({**alert, "silent": False}).notes == [
        "The page's own last-modified date did not move"]
    assert r.view({**alert, "silent": False, "modified_moved": True}).notes == [
        "The page's own last-modified date moved"]
    assert r.gist(v).startswith("✏️ Changed: Request that Government") \
        and "Figure changed: 80,000 → 8,000" in r.gist(v)
    rendered = {
        "slack": json.dumps(slack_format.alert_payload(alert), ensure_ascii=False),
        "discord": json.dumps(discord_format.embed_payload(alert), ensure_ascii=False),
        "discord-diff": json.dumps(discord_format.diff_payload(alert), ensure_ascii=False),
        "teams": json.dumps(teams_format.alert_payload(alert), ensure_ascii=False),
        "mattermost": json.dumps(mattermost_format.alert_payload(alert)["attachments"][0]
                                 ["text"], ensure_ascii=False),
        "telegram": telegram_format.alert_text(alert),
        "matrix": json.dumps(matrix_format.alert_content(alert), ensure_ascii=False),
        "email-text": email_message.alert_text(alert),
        "email-html": email_message.alert_html(alert, "subject"),
        "apprise": "\n".join(apprise_format.alert_body(alert)),
    }
    for name, text in rendered.items():
        assert "Figure changed: 80,000 → 8,000" in text, name
        assert text.index("Figure changed") < text.index("enslaved"), name


def test_a_digest_lists_silent_edits_first(digest: dict[str, Any]) -> None:
    quiet = {**digest["alerts"][-1], "id": "01JD5W2V3K8Q0000000000ZZZZ", "source_id": "quiet",
             "event": "changed", "silent": True}
    d = r.digest_view({**digest, "alerts": [*digest["alerts"], quiet]})
    assert d.rows[0].source_id == "quiet"
    assert d.rows[0].events_text() == "changed (silent)"
    assert all("(silent)" not in row.events_text() for row in d.rows[1:])


# --- a removal, a source's name, and the footer, in every channel ------------------------


def rendered_everywhere(alert: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each channel's message for ``alert`` as (body, footer), both as text."""
    from monitor.notify.channels import apprise as apprise_format
    from monitor.notify.channels import email_message

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def split(text: str, footer_starts: str) -> tuple[str, str]:
        body, footer = text.rsplit(footer_starts, 1)
        return body, footer

    slack = slack_format.alert_payload(alert)
    embed = discord_format.embed_payload(alert)["embeds"][0]
    content = discord_format.diff_payload(alert)["content"]
    teams = teams_format.alert_payload(alert)["attachments"][0]["content"]["body"]
    attachment = mattermost_format.alert_payload(alert)["attachments"][0]
    telegram = telegram_format.alert_text(alert)
    matrix = matrix_format.alert_content(alert)
    mail = email_message.alert_text(alert)
    html = email_message.alert_html(alert, "subject")
    _, apprise = apprise_format.alert_body(alert)
    return {
        "slack": (dumps(slack["blocks"][:-1]), dumps(slack["blocks"][-1])),
        "discord": (dumps({k: v for k, v in embed.items() if k != "footer"}),
                    embed["footer"]["text"]),
        "discord-diff": split(content, "\n-# "),
        "teams": (dumps(teams[:-1]), dumps(teams[-1])),
        "mattermost": (dumps({k: v for k, v in attachment.items() if k != "footer"}),
                       attachment["footer"]),
        "telegram": split(telegram, "\n\n"),
        "matrix": split(matrix["body"], "\n-- \n"),
        "matrix-html": split(matrix["formatted_body"], "<p><sub>"),
        "email-text": split(mail, "\n-- \n"),
        "email-html": split(html, '<p style="margin:12px 4px 0;font-size:12px'),
        "apprise": split(apprise, "\n-- \n"),
    }


def test_every_channel_quotes_a_removed_pages_last_text(letter_alert: dict[str, Any]) -> None:
    removed = {**letter_alert, "event": "removed", "reason": "gone-404", "diff": None,
               "name": "Huawei letter (LfUR)", "last_seen_at": "2026-11-24T09:00:00Z",
               "reason_text": "the page now answers 404 Not Found",
               "excerpt": "Request that Government Reconsider\n\nToday a letter has been sent."}
    v = r.view(removed)
    assert v.headline == "Removed: Huawei letter (LfUR)" and v.title.startswith("Request")
    assert ("Last seen online", "2026-11-24 09:00 UTC") in v.facts
    for name, (text, footer) in rendered_everywhere(removed).items():
        assert "Today a letter has been sent." in text, name
        assert "the page now answers 404 Not Found" in text, name
        assert "Huawei letter (LfUR)" in text or name == "apprise", name  # apprise: its title
        assert "3f2a9c1d7e5b" in footer and "3f2a9c1d7e5b" not in text, name
    assert "Last seen online: 2026-11-24 09:00 UTC" in rendered_everywhere(removed)[
        "email-text"][0]
    assert Slack()(Request("POST", "/", {}, json.dumps(
        slack_format.alert_payload(removed)).encode())).status == 200
    text = telegram_format.alert_text(removed)
    assert Telegram("1:a")(Request("POST", "/bot1:a/sendMessage", {}, json.dumps(
        {"chat_id": 1, "parse_mode": "HTML", "text": text}).encode())).status == 200


def test_every_channel_keeps_revisions_and_the_diff_command_in_its_footer(
        letter_alert: dict[str, Any]) -> None:
    for name, (text, footer) in rendered_everywhere(letter_alert).items():
        assert "monitor diff huawei-5g-letter" in footer, name
        assert "monitor diff" not in text and "3f2a9c1d7e5b" not in text, name
        assert "8,000" in text, name
