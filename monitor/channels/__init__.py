"""Alert channels, found by their ``type`` name through one registry.

A new channel is one module here: a ``Channel`` subclass decorated with
``@register`` that declares its option keys and knows how to ``send`` one
alert. The config validates options against ``options``; the notifier looks the
class up by type.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx


class DeliveryError(Exception):
    """A delivery failed. The message must never contain a secret (URL, token)."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Channel:
    type: ClassVar[str]
    #: option key -> what it is; the config refuses every other key
    options: ClassVar[dict[str, str]] = {}
    required: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str, options: dict[str, Any]):
        self.name = name
        self.settings = options

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[str]:
        """Problems with a channel's options, each with its fix."""
        return [f"'{key}' is required ({cls.options[key]})"
                for key in cls.required if not options.get(key)]

    async def send(self, alert: dict[str, Any], client: httpx.AsyncClient) -> None:
        raise NotImplementedError


REGISTRY: dict[str, type[Channel]] = {}


def register(cls: type[Channel]) -> type[Channel]:
    REGISTRY[cls.type] = cls
    return cls


def raise_for_response(response: httpx.Response) -> None:
    """Turn a non-2xx answer into a DeliveryError that names no URL."""
    if response.is_success:
        return
    retry_after = None
    header = response.headers.get("retry-after", "")
    if header.isdigit():
        retry_after = float(header)
    raise DeliveryError(f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                        retry_after=retry_after)


from monitor.channels import webhook  # noqa: E402  (registers the built-in types)

__all__ = ["REGISTRY", "Channel", "DeliveryError", "register", "webhook"]
