"""The generic JSON webhook: the alert as it is, one POST per alert."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from monitor.notify.channels import Channel, raise_for_response

SIGNATURE_HEADER = "X-Monitor-Signature-256"


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>`` HMAC of the exact body bytes, as GitHub-style receivers expect."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Webhook(Channel):
    type = "webhook"
    options: ClassVar[dict[str, str]] = {
        "url": "the address to POST alerts to",
        "secret": "signs each body with HMAC-SHA256 in the X-Monitor-Signature-256 header",
        "headers": "extra HTTP headers, a mapping",
    }
    required = ("url",)

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

    async def send(self, alert: dict[str, Any], client: httpx.AsyncClient) -> None:
        await self._post(alert, client)

    async def send_digest(self, digest: dict[str, Any], client: httpx.AsyncClient) -> None:
        await self._post(digest, client)

    async def _post(self, document: dict[str, Any], client: httpx.AsyncClient) -> None:
        body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": document["id"],
            "X-Monitor-Event": document["event"],
            **{str(k): str(v) for k, v in (self.settings.get("headers") or {}).items()},
        }
        if self.settings.get("secret"):
            headers[SIGNATURE_HEADER] = sign(self.settings["secret"], body)
        response = await client.post(self.settings["url"], content=body, headers=headers)
        raise_for_response(response)
