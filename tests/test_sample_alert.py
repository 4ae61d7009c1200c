"""`monitor test-alert`: a sample that no reader can take for news, in every channel.

Each channel type is a real local receiver (tests/receivers.py speaks each
service's format, aiosmtpd takes the mail) and the sample goes out through the
command line, as a user checking a new channel would send it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import Project

from monitor.notify.sample_alert import SAMPLE_URL, sample_alert
from testing.mailbox import Mailbox, body, mailbox
from testing.receivers import Discord, Matrix, Mattermost, Receiver, Slack, Teams, Telegram

TOKEN = "123456:AAE-sample_TOKEN_abcdefghijklmnopqrstuv"
ROOM = "!newsroom:example.org"


@dataclass
class Services:
    slack: Receiver
    discord: Receiver
    teams: Receiver
    mattermost: Receiver
    telegram: Receiver
    matrix: Receiver
    mail: Mailbox

    def channels_yaml(self, webhook: str) -> str:
        return "\n".join([
            f"newsroom:\n  type: slack\n  url: {self.slack.url}/services/T0/B0/X",
            f"chat:\n  type: discord\n  url: {self.discord.url}/api/webhooks/1/tok",
            f"chat-diff:\n  type: discord\n  style: diff\n  url: {self.discord.url}"
            "/api/webhooks/1/tok",
            f"office:\n  type: teams\n  url: {self.teams.url}/invoke",
            f"team:\n  type: mattermost\n  url: {self.mattermost.url}/hooks/abc",
            f"bot:\n  type: telegram\n  token: \"{TOKEN}\"\n  chat_id: \"@newsroom\"\n"
            f"  api_url: {self.telegram.url}",
            f"room:\n  type: matrix\n  homeserver: {self.matrix.url}\n  room_id: \"{ROOM}\"\n"
            "  access_token: syt_token",
            f"hook:\n  type: webhook\n  url: {webhook}",
            self.mail.channel_yaml(),
        ]) + "\n"


@pytest.fixture
def services() -> Iterator[Services]:
    with ExitStack() as stack:
        def serve(service: Any) -> Receiver:
            return stack.enter_context(Receiver(service))

        yield Services(serve(Slack()), serve(Discord()), serve(Teams()), serve(Mattermost()),
                       serve(Telegram(TOKEN)), serve(Matrix("syt_token", ROOM)),
                       stack.enter_context(mailbox()))


def test_test_alert_is_marked_as_a_test_in_every_channel(project: Project,
                                                         services: Services) -> None:
    project.write({"a": "/a"}, channels=services.channels_yaml(
        f"{project.site.url}/hooks/monitor"))
    result = project.run("test-alert")
    assert result.code == 0, result.out + result.err
    assert result.out.count(": delivered") == 9

    [mail] = services.mail.messages
    assert mail["Subject"].startswith("[monitor] [TEST] Changed: Test alert from monitor: ")
    assert body(mail, "plain").startswith("✏️ [TEST] Changed: Test alert from monitor: ")
    assert ">[TEST] Changed</p>" in body(mail, "html")

    [slack] = services.slack.service.messages  # type: ignore[attr-defined]
    assert slack["text"].startswith("✏️ [TEST] Changed: Test alert from monitor: ")
    assert slack["blocks"][0]["text"]["text"].startswith("✏️ [TEST] Changed: ")

    embed, plain = services.discord.service.messages  # type: ignore[attr-defined]
    assert embed["embeds"][0]["title"].startswith("✏️ [TEST] Changed: ")
    assert embed["content"].startswith("[TEST] a sample alert")  # what a notification shows
    assert plain["content"].startswith("**✏️ \\[TEST\\] Changed: ")

    [card] = services.teams.service.cards  # type: ignore[attr-defined]
    assert card["body"][0]["inlines"][0]["text"] == "✏️ [TEST] Changed"

    [post] = services.mattermost.service.posts  # type: ignore[attr-defined]
    assert post["text"].startswith("✏️ **\\[TEST\\] Changed:** ")
    assert post["attachments"][0]["fallback"].startswith("✏️ [TEST] Changed: ")

    [telegram] = services.telegram.service.messages  # type: ignore[attr-defined]
    assert telegram["text"].startswith("✏️ <b>[TEST] Changed:</b> ")

    [event] = services.matrix.service.events  # type: ignore[attr-defined]
    assert event["body"].startswith("✏️ [TEST] Changed: ")
    assert "<strong>[TEST] Changed:</strong>" in event["formatted_body"]

    [hook] = project.site.posts("/hooks/monitor")
    alert = hook.json()
    assert alert["test"] is True and alert["url"] == SAMPLE_URL
    assert alert["title"].startswith("Test alert from monitor: ")

    everything = json.dumps([slack, embed, plain, card, post, telegram, event, alert],
                            ensure_ascii=False) + body(mail, "plain") + body(mail, "html")
    assert "bbc" not in everything.lower() and "Uighur" not in everything
    assert "https://example.org/monitor-test-alert" in body(mail, "html")
    # there is no history of a sample to show: no `monitor diff` hint to follow
    assert "monitor diff" not in everything


def test_the_sample_is_a_real_diff_with_the_times_a_real_alert_has() -> None:
    alert = sample_alert().to_json()
    assert alert["event"] == "changed" and alert["test"] is True
    assert alert["diff"]["removed"] == ["100,000", "will"]
    assert alert["diff"]["added"] == ["10,000", "may"]
    assert alert["previous_detected_at"] < alert["detected_at"]
    assert alert["detected_at"].endswith("Z") and alert["modified_moved"] is False
    assert alert["reason_text"] == "the page's wording changed"
