"""What the HTTP channels share: one webhook to POST to, and errors that name no secret.

Slack, Teams, Discord, Mattermost and the generic webhook are the same channel
with different payloads: one secret URL in ``url`` (the URL is the credential),
one request per alert or digest, 2xx or a DeliveryError. ``WebhookChannel``
holds that shape once, so each of those modules is its payload builders and
what its service says when it refuses. Matrix and Telegram speak an API rather
than a webhook, but turn transport failures and JSON error answers into
DeliveryErrors the same way; ``reach``, ``json_object`` and ``api_error`` are
those steps.

Every error message is built from the service's own words after ``redact``
(never from the request, which carries the URL or token), because delivery
errors are logged, stored and shown in ``monitor status``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Any, ClassVar

import httpx

from monitor.fetch.retry_after import parse_retry_after
from monitor.notify.channels import (
    PERMANENT_STATUSES,
    Channel,
    DeliveryError,
    raise_for_response,
)
from monitor.notify.channels import render as r


class WebhookChannel(Channel):
    """A service behind one webhook URL: ``send`` builds a payload and POSTs it as JSON.

    A subclass sets ``type`` and ``options`` and writes ``alert_payload`` and
    ``digest_payload``; ``error_detail`` when the service explains a refusal;
    ``decorations`` for options copied into every payload.
    """

    required: ClassVar[tuple[str, ...]] = ("url",)
    #: options checked as http(s) URLs with a host
    url_options: ClassVar[tuple[str, ...]] = ("url",)
    #: options put into every payload as they are, when set (a name, an avatar…)
    decorations: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[str]:
        problems = super().check_options(options)
        for key in cls.url_options:
            problems += r.url_problems(options, key)
        return problems

    def alert_payload(self, alert: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def digest_payload(self, digest: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    async def send(self, alert: dict[str, Any], client: httpx.AsyncClient) -> None:
        await self.post(self.alert_payload(alert), client)

    async def send_digest(self, digest: dict[str, Any], client: httpx.AsyncClient) -> None:
        await self.post(self.digest_payload(digest), client)

    def decorate(self, payload: dict[str, Any]) -> dict[str, Any]:
        for key in self.decorations:
            if self.settings.get(key):
                payload[key] = str(self.settings[key])
        return payload

    async def request(self, payload: dict[str, Any],
                      client: httpx.AsyncClient) -> httpx.Response:
        """The POST itself: the decorated payload as JSON to ``url``."""
        return await client.post(str(self.settings["url"]), json=self.decorate(payload))

    async def post(self, payload: dict[str, Any], client: httpx.AsyncClient) -> None:
        response = await self.request(payload, client)
        try:
            raise_for_response(response)
        except DeliveryError as exc:
            raise self.explained(exc, response) from None

    def secrets(self) -> tuple[str, ...]:
        """What must never appear in an error: the webhook URL, and its parts if need be."""
        return (str(self.settings["url"]),)

    def error_detail(self, response: httpx.Response) -> str:
        """What the service said about a refusal, before redaction; nothing by default."""
        return ""

    def explained(self, exc: DeliveryError, response: httpx.Response) -> DeliveryError:
        """``exc`` ("HTTP 400 Bad Request") with the service's reason, its secrets redacted."""
        detail = r.redact(self.error_detail(response), *self.secrets())
        return DeliveryError(f"{exc}: {detail}" if detail else str(exc),
                             retry_after=exc.retry_after, permanent=exc.permanent)


def short_text(response: httpx.Response) -> str:
    """The answer's body when it is a short word or sentence (a long one is a page)."""
    return response.text if len(response.text) < 200 else ""


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or an empty one when it is anything else."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


async def reach(request: Awaitable[httpx.Response], service: str) -> httpx.Response:
    """The answer to ``request``; a transport failure is a DeliveryError without the request.

    The request holds the token (in its URL or headers), so neither it nor
    httpx's message, which quotes the URL, may reach the error.
    """
    try:
        return await request
    except httpx.TimeoutException:
        raise DeliveryError("timed out") from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"cannot reach {service} ({type(exc).__name__})") from None


def api_error(response: httpx.Response, detail: str,
              retry_after: float | None) -> DeliveryError:
    """``HTTP 403: detail`` for an API's refusal; the wait it asked for, else Retry-After."""
    if retry_after is None:
        retry_after = parse_retry_after(response.headers.get("retry-after", ""))
    status = f"HTTP {response.status_code}"
    return DeliveryError(f"{status}: {detail}" if detail else status, retry_after=retry_after,
                         permanent=response.status_code in PERMANENT_STATUSES)
