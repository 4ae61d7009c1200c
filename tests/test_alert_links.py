"""``settings.web.base_url``: alerts link the web view, and every channel shows the link.

DESIGN.md "Review": with a base_url, alerts carry ``"links": {"diff":
"<base_url>/sources/<id>/diff/<rev>"}`` and every channel shows it as "see the
change". The alerts here are built by ``make_alert`` itself (so the JSON is the
pipeline's, not a hand-written copy) and go to real receivers on 127.0.0.1 and
a real SMTP server; the last test runs ``monitor check`` end to end.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from conftest import Project

from monitor.cli.demo_site import Article
from monitor.core.alert import make_alert
from monitor.core.diff import diff_documents
from monitor.core.document import Document
from monitor.core.events import ALERT_EVENTS
from monitor.core.model import Source
from monitor.core.schedule import Schedule
from monitor.notify.channels import REGISTRY, Channel
from monitor.notify.channels import apprise as apprise_format
from monitor.notify.channels import discord as discord_format
from monitor.notify.channels import mattermost as mattermost_format
from monitor.notify.channels import render as r
from monitor.notify.channels import teams as teams_format
from monitor.notify.sample_alert import sample_alert
from testing.mailbox import Mailbox, body, mailbox
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

BASE = "https://monitor.example.org"
REVISION = "3f2a9c1d7e5b4a6f8091a2b3c4d5e6f708192a3b"
PREVIOUS = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807"
DIFF_URL = f"{BASE}/sources/huawei-5g-letter/diff/{REVISION}"
SOURCE_URL = f"{BASE}/sources/huawei-5g-letter"
TOKEN = "123456:AAE-secret_TOKEN_abcdefghijklmnopqrstuv"
MATRIX_TOKEN = "syt_bWF0cml4_SECRETtoken_0123"
ROOM = "!newsroom:example.org"
SOURCE = Source(id="huawei-5g-letter",
                url="https://www.lawyersforuyghurrights.org/news/huawei-5g-letter",
                schedule=Schedule(every=3600), tags=("uk",))


def alert_json(base_url: str = BASE, event: str = "changed",
               source: Source = SOURCE) -> dict[str, Any]:
    """A changed alert as the pipeline makes it: built, then committed as REVISION."""
    letter = Article.load("huawei-5g-letter")
    before = Document(title=letter.title, paragraphs=letter.paragraphs)
    after = Document(title=letter.title, paragraphs=letter.edited("80,000", "8,000").paragraphs)
    alert = make_alert(event, alert_id="01JD5W2V3K8Q0000000000LINK", source=source,
                       title=letter.title, detected_at="2026-11-25T10:00:00Z",
                       revision=PREVIOUS, previous_revision=PREVIOUS,
                       diff=diff_documents(before, after), base_url=base_url)
    return alert.committed_as(REVISION).to_json()


# --- the alert JSON ------------------------------------------------------------------


def test_a_changed_alert_links_the_diff_of_its_own_commit() -> None:
    alert = alert_json()
    assert alert["links"] == {"diff": DIFF_URL, "source": SOURCE_URL}
    assert alert["revision"] == REVISION  # the commit, not the version before it
    assert alert_json(BASE + "/")["links"]["diff"] == DIFF_URL  # a trailing slash is dropped
    restored = alert_json(event="restored")
    assert restored["links"] == {"diff": DIFF_URL, "source": SOURCE_URL}


def test_events_without_a_diff_link_only_the_sources_timeline() -> None:
    for event in ALERT_EVENTS:
        links = alert_json(event=event)["links"]
        if event in ("changed", "restored"):
            assert set(links) == {"diff", "source"}, event
        else:
            assert links == {"source": SOURCE_URL}, event


def test_no_base_url_no_links_key() -> None:
    for event in ALERT_EVENTS:
        assert "links" not in alert_json("", event=event), event
    assert "links" not in sample_alert().to_json()


def test_the_id_and_revision_are_url_quoted() -> None:
    odd = Source(id="a b/c", url=SOURCE.url, schedule=SOURCE.schedule)
    alert = make_alert("changed", alert_id="x", source=odd, title="t",
                       detected_at="2026-11-25T10:00:00Z", revision="r/1?x",
                       base_url=BASE)
    assert dict(alert.links) == {"diff": f"{BASE}/sources/a%20b%2Fc/diff/r%2F1%3Fx",
                                 "source": f"{BASE}/sources/a%20b%2Fc"}


def test_a_test_alert_names_no_commit_so_it_links_the_timeline() -> None:
    sample = sample_alert(base_url=BASE).to_json()
    assert sample["links"] == {"source": f"{BASE}/sources/test-alert"}
    assert r.view(sample).review == ("see its history", f"{BASE}/sources/test-alert")


def test_the_view_takes_only_web_addresses() -> None:
    assert r.view(alert_json()).review == ("see the change", DIFF_URL)
    assert r.view(alert_json("")).review is None
    assert r.review_link({"links": {"diff": "javascript:alert(1)"}}) is None


# --- every channel, over real sockets -------------------------------------------------


def channel(kind: str, **options: Any) -> Channel:
    cls = REGISTRY[kind]
    assert cls.check_options(options) == []
    return cls(f"test-{kind}", options)


def deliver(target: Channel, document: dict[str, Any]) -> None:
    async def go() -> None:
        async with httpx.AsyncClient(timeout=2.0) as client:
            if document["event"] == "digest":
                await target.send_digest(document, client)
            else:
                await target.send(document, client)

    asyncio.run(go())


class Services:
    """One receiver per chat service, a generic endpoint and an SMTP server."""

    def __init__(self, stack: ExitStack):
        def serve(service: Any) -> Receiver:
            return stack.enter_context(Receiver(service))

        self.slack, self.discord, self.teams = serve(Slack()), serve(Discord()), serve(Teams())
        self.mattermost, self.telegram = serve(Mattermost()), serve(Telegram(TOKEN))
        self.matrix, self.hook = serve(Matrix(MATRIX_TOKEN, ROOM)), serve(Accept())
        self.mail: Mailbox = stack.enter_context(mailbox())

    def channels(self) -> dict[str, Channel]:
        return {
            "slack": channel("slack", url=f"{self.slack.url}/services/T0/B0/X"),
            "discord": channel("discord", url=f"{self.discord.url}/api/webhooks/1/tok"),
            "discord-diff": channel("discord", style="diff",
                                    url=f"{self.discord.url}/api/webhooks/1/tok"),
            "teams": channel("teams", url=f"{self.teams.url}/invoke"),
            "mattermost": channel("mattermost", url=f"{self.mattermost.url}/hooks/abc"),
            "telegram": channel("telegram", token=TOKEN, chat_id="@newsroom",
                                api_url=self.telegram.url),
            "matrix": channel("matrix", homeserver=self.matrix.url, room_id=ROOM,
                              access_token=MATRIX_TOKEN),
            "webhook": channel("webhook", url=f"{self.hook.url}/hooks/monitor"),
            "email": channel("email", host="127.0.0.1", port=self.mail.port, starttls=False,
                             to=["desk@example.org"], **{"from": "monitor@example.org"}),
        }

    def sent(self) -> dict[str, Any]:
        """What each service received, by channel name (one message each)."""
        slack, = self.slack.service.messages  # type: ignore[attr-defined]
        embed, diff = self.discord.service.messages  # type: ignore[attr-defined]
        card, = self.teams.service.cards  # type: ignore[attr-defined]
        post, = self.mattermost.service.posts  # type: ignore[attr-defined]
        message, = self.telegram.service.messages  # type: ignore[attr-defined]
        event, = self.matrix.service.events  # type: ignore[attr-defined]
        hook, = self.hook.requests
        mail, = self.mail.messages
        return {"slack": slack, "discord": embed, "discord-diff": diff, "teams": card,
                "mattermost": post, "telegram": message, "matrix": event,
                "webhook": hook.json(), "email": mail}


@pytest.fixture
def services() -> Iterator[Services]:
    with ExitStack() as stack:
        yield Services(stack)


def test_every_channel_shows_see_the_change_as_a_link(services: Services) -> None:
    alert = alert_json()
    for target in services.channels().values():
        deliver(target, alert)
    sent = services.sent()

    assert sent["webhook"]["links"] == {"diff": DIFF_URL, "source": SOURCE_URL}
    assert sent["webhook"] == alert  # the JSON as it is

    [title_section] = [b["text"]["text"] for b in sent["slack"]["blocks"]
                       if f"<{SOURCE.url}|" in b.get("text", {}).get("text", "")]
    assert title_section.endswith(f"\n<{DIFF_URL}|see the change>")

    assert f"[see the change](<{DIFF_URL}>)" in sent["discord"]["embeds"][0]["description"]
    assert f"[see the change](<{DIFF_URL}>)" in sent["discord-diff"]["content"]

    assert {"type": "Action.OpenUrl", "title": "See the change",
            "url": DIFF_URL} in sent["teams"]["actions"]

    assert sent["mattermost"]["text"].endswith(f" · [see the change]({DIFF_URL})")

    assert f'<a href="{DIFF_URL}">see the change</a>' in sent["telegram"]["text"]

    assert f"see the change: {DIFF_URL}" in sent["matrix"]["body"].split("\n")
    assert f'<a href="{DIFF_URL}">see the change</a>' in sent["matrix"]["formatted_body"]

    mail = sent["email"]
    assert f"see the change: {DIFF_URL}" in body(mail, "plain").split("\n")
    assert (f'<a href="{DIFF_URL}" style="color:#0969da">see the change</a>'
            in body(mail, "html"))


def test_without_a_base_url_no_channel_shows_a_link(services: Services) -> None:
    alert = alert_json("")
    for target in services.channels().values():
        deliver(target, alert)
    for name, message in services.sent().items():
        text = message.as_string() if name == "email" else json.dumps(message)
        assert "see the change" not in text and "See the change" not in text, name
        assert "/sources/" not in text, name
    assert "links" not in services.sent()["webhook"]


def test_a_removal_links_its_timeline_in_words_of_its_own(services: Services) -> None:
    removed = {**alert_json(event="removed"), "reason": "gone-404"}
    target = services.channels()
    deliver(target["telegram"], removed)
    deliver(target["email"], removed)
    [message] = services.telegram.service.messages  # type: ignore[attr-defined]
    assert f'<a href="{SOURCE_URL}">see its history</a>' in message["text"]
    assert "see the change" not in message["text"]
    [mail] = services.mail.messages
    assert f"see its history: {SOURCE_URL}" in body(mail, "plain")


def test_digest_rows_link_the_change_or_the_timeline(services: Services) -> None:
    one = alert_json()
    other = {**alert_json(source=Source(id="bbc", url="https://www.bbc.co.uk/news/x",
                                        schedule=SOURCE.schedule)), "id": "01JD5W2V3K8Q00002"}
    again = {**other, "id": "01JD5W2V3K8Q00003"}
    digest = {"id": "01JD5W2V3K8Q000000000DIGEST", "event": "digest",
              "alerts": [one, other, again], "since": "2026-11-25T10:00:00Z",
              "until": "2026-11-25T10:59:00Z"}
    rows = {row.source_id: row.review for row in r.digest_view(digest).rows}
    assert rows == {"huawei-5g-letter": ("see the change", DIFF_URL),
                    "bbc": ("see its history", f"{BASE}/sources/bbc")}
    target = services.channels()
    for name in ("slack", "telegram", "email", "matrix"):
        deliver(target[name], digest)
    [slack] = services.slack.service.messages  # type: ignore[attr-defined]
    assert f"<{DIFF_URL}|see the change>" in json.dumps(slack["blocks"])
    assert f"<{BASE}/sources/bbc|see its history>" in json.dumps(slack["blocks"])
    [message] = services.telegram.service.messages  # type: ignore[attr-defined]
    assert f'<a href="{DIFF_URL}">see the change</a>' in message["text"]
    [mail] = services.mail.messages
    assert f"see the change: {DIFF_URL}" in body(mail, "plain")
    assert f'<a href="{DIFF_URL}">see the change</a>' in body(mail, "html")
    [event] = services.matrix.service.events  # type: ignore[attr-defined]
    assert f'<a href="{DIFF_URL}">see the change</a>' in event["formatted_body"]
    # the other services' digests, as built
    assert f"[see the change](<{DIFF_URL}>)" in json.dumps(discord_format.digest_payload(digest))
    assert f"[see the change]({DIFF_URL})" in mattermost_format.digest_payload(digest)["text"]
    assert {"type": "TextRun", "text": "see the change", "color": "Accent",
            "selectAction": {"type": "Action.OpenUrl", "url": DIFF_URL}} in [
        run for block in teams_format.digest_payload(digest)["attachments"][0]["content"]["body"]
        for run in block["inlines"]]
    assert f"see the change: {DIFF_URL}" in apprise_format.digest_body(digest)[1]


def test_apprise_says_it_in_plain_text() -> None:
    """Apprise is an optional extra: its body is checked as built (test_channels.py sends
    one through a real Apprise URL when it is installed)."""
    assert f"see the change: {DIFF_URL}" in apprise_format.alert_body(alert_json())[1].split("\n")
    assert "see the change" not in apprise_format.alert_body(alert_json(""))[1]


# --- end to end ------------------------------------------------------------------------

ARTICLE = "/news/huawei-5g-letter"


def test_monitor_check_with_a_base_url_links_the_commit_of_the_change(
        project: Project, letter: Article) -> None:
    settings = {"web": '{base_url: "https://m.example"}'}
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE}, settings=settings)
    assert project.run("check").code == 0
    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    result = project.run("check")
    assert result.code == 0, result.out + result.err
    [post] = project.site.posts("/hooks/monitor")
    alert = post.json()
    head = subprocess.run(["git", "-C", str(project.root / "snapshots"), "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert alert["event"] == "changed" and alert["revision"] == head
    assert alert["links"] == {"diff": f"https://m.example/sources/letter/diff/{head}",
                              "source": "https://m.example/sources/letter"}
    [kept] = project.alerts()
    assert json.loads(kept.read_text())["links"] == alert["links"]
