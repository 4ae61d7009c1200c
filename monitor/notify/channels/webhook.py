"""The generic JSON webhook: the alert as it is, one POST per alert."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from monitor.notify.channels.base import WebhookChannel

SIGNATURE_HEADER = "X-Monitor-Signature-256"


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>`` HMAC of the exact body bytes, as GitHub-style receivers expect."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Webhook(WebhookChannel):
    type = "webhook"
    options: ClassVar[dict[str, str]] = {
        "url": "the address to POST alerts to",
        "secret": "signs each body with HMAC-SHA256 in the X-Monitor-Signature-256 header",
        "headers": "extra HTTP headers, a mapping",
    }
    url_options = ()  # any http(s) address will do, checked below

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[str]:
        problems = super().check_options(options)
        url = options.get("url")
        if url and urlsplit(str(url)).scheme not in ("http", "https"):
            problems.append("'url' must start with http:// or https://")
        headers = options.get("headers")
        if headers is not None and not isinstance(headers, dict):
            problems.append("'headers' must be a mapping of header: value")
        return problems

    def alert_payload(self, alert: dict[str, Any]) -> dict[str, Any]:
        return alert

    def digest_payload(self, digest: dict[str, Any]) -> dict[str, Any]:
        return digest

    async def request(self, payload: dict[str, Any],
                      client: httpx.AsyncClient) -> httpx.Response:
        """The document as exact bytes, so that the signature is over what is sent."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": payload["id"],
            "X-Monitor-Event": payload["event"],
            **{str(k): str(v) for k, v in (self.settings.get("headers") or {}).items()},
        }
        if self.settings.get("secret"):
            headers[SIGNATURE_HEADER] = sign(self.settings["secret"], body)
        return await client.post(self.settings["url"], content=body, headers=headers)
