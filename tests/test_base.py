"""The WebhookChannel base and the error helpers the HTTP channels share.

The chat channels are tested against real receivers in test_channels.py; here
the shared shape is tested alone, on httpx's MockTransport: the URL checks, the
options copied into every payload, and that no error ever quotes the secret
URL or token, whatever the service answers.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import httpx
import pytest

from monitor.notify.channels import DeliveryError
from monitor.notify.channels.base import WebhookChannel, api_error, json_object, reach

URL = "https://hooks.example.org/services/T000/SECRET"


class Echo(WebhookChannel):
    type = "echo"
    options: ClassVar[dict[str, str]] = {"url": "the webhook", "icon": "a picture",
                                         "name": "a name"}
    url_options = ("url", "icon")
    decorations = ("name",)

    def alert_payload(self, alert: dict[str, Any]) -> dict[str, Any]:
        return {"text": alert["id"]}

    def digest_payload(self, digest: dict[str, Any]) -> dict[str, Any]:
        return {"digest": digest["id"]}

    def error_detail(self, response: httpx.Response) -> str:
        return response.text


def send(channel: WebhookChannel, answer: httpx.Response,
         document: dict[str, Any]) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            if document.get("event") == "digest":
                await channel.send_digest(document, client)
            else:
                await channel.send(document, client)

    asyncio.run(go())
    return seen


def test_url_options_are_checked_and_required_is_the_url() -> None:
    assert Echo.check_options({}) == ["'url' is required (the webhook)"]
    assert Echo.check_options({"url": "ftp://x", "icon": "nope"}) == [
        "'url' must be an http:// or https:// URL with a host",
        "'icon' must be an http:// or https:// URL with a host"]
    assert Echo.check_options({"url": URL}) == []


def test_payloads_are_posted_as_json_with_their_decorations() -> None:
    channel = Echo("e", {"url": URL, "name": "Monitor"})
    [alert] = send(channel, httpx.Response(200), {"id": "A1", "event": "changed"})
    [digest] = send(channel, httpx.Response(204), {"id": "D1", "event": "digest"})
    assert str(alert.url) == URL and alert.method == "POST"
    assert alert.content == b'{"text":"A1","name":"Monitor"}'
    assert digest.content == b'{"digest":"D1","name":"Monitor"}'


def test_a_refusal_says_why_without_the_url() -> None:
    channel = Echo("e", {"url": URL})
    answer = httpx.Response(404, text=f"no such hook:\n {URL}", headers={"retry-after": "5"})
    with pytest.raises(DeliveryError) as caught:
        send(channel, answer, {"id": "A1", "event": "changed"})
    assert str(caught.value) == "HTTP 404 Not Found: no such hook: [secret]"
    assert caught.value.retry_after == 5.0 and caught.value.permanent


def test_api_helpers_keep_the_request_out_of_errors() -> None:
    async def failing() -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {URL}")

    with pytest.raises(DeliveryError) as caught:
        asyncio.run(reach(failing(), "the API"))
    assert str(caught.value) == "cannot reach the API (ConnectError)"
    assert json_object(httpx.Response(400, text="[1, 2]")) == {}
    assert json_object(httpx.Response(400, text="not json")) == {}
    error = api_error(httpx.Response(429, headers={"retry-after": "9"}), "", None)
    assert (str(error), error.retry_after, error.permanent) == ("HTTP 429", 9.0, False)
    error = api_error(httpx.Response(403), "M_FORBIDDEN", 1.5)
    assert (str(error), error.retry_after, error.permanent) == ("HTTP 403: M_FORBIDDEN", 1.5, True)
