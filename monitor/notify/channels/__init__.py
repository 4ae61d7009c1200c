"""Alert channels, found by their ``type`` name through one registry.

A new channel is one module here, a ``Channel`` subclass that declares its
option keys and knows how to ``send`` one alert, and its line in
``monitor.config.channel_types``; a service behind one webhook URL subclasses
``base.WebhookChannel`` and only builds its payloads. The config validates options against
``options``; the notifier looks the class up by type. A module is imported only
when a config uses its type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import httpx

from monitor.config.channel_types import CHANNEL_TYPES, channel_kind
from monitor.fetch.retry_after import parse_retry_after


class DeliveryError(Exception):
    """A delivery failed. The message must never contain a secret (URL, token).

    ``permanent``: retrying cannot help (the webhook was deleted, the address
    does not exist), so the delivery becomes a dead letter at once.
    """

    def __init__(self, message: str, *, retry_after: float | None = None,
                 permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


#: Options every channel takes; routing, batching and retries read them (notify.py).
COMMON_OPTIONS: dict[str, str] = {
    "events": "deliver only these events, e.g. [changed, removed] (default: all)",
    "tags": "deliver only alerts of sources with at least one of these tags",
    "min_change": "deliver 'changed' alerts only when at least this many words changed "
                  "(a changed figure or quote always passes)",
    "fields": "deliver 'changed' alerts only when one of these fields changed, e.g. "
              "[title, byline, correction]",
    "kinds": "deliver 'changed' alerts only when a change is of one of these kinds, e.g. "
             "[figure, quote]",
    "digest": "batch the alerts of this window (e.g. 1h) into one message",
    "give_up_after": "stop retrying a delivery after this long (default 48h): dead letter",
}


class Channel:
    """One alert destination. Subclasses set ``type`` and ``options`` and send.

    ``send`` delivers one alert (the JSON document of the design, a dict);
    ``send_digest`` delivers a digest: ``{"id", "event": "digest", "alerts":
    [alert, ...], "since", "until"}``. Both raise DeliveryError on failure, with
    ``retry_after`` when the service asked to wait, and a message that never
    contains a secret. Idempotency: the alert's (or digest's) ``id`` is the same
    on every attempt; send it where the service has a place for it.
    """

    type: ClassVar[str]
    #: option key -> what it is; the config refuses every other key
    options: ClassVar[dict[str, str]] = {}
    required: ClassVar[tuple[str, ...]] = ()
    #: options that are file paths: the config resolves them against its own folder
    path_options: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str, options: dict[str, Any]):
        self.name = name
        self.settings = options

    @classmethod
    def all_options(cls) -> dict[str, str]:
        return {**cls.options, **COMMON_OPTIONS}

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[str]:
        """Problems with a channel's options, each with its fix."""
        return [f"'{key}' is required ({cls.options[key]})"
                for key in cls.required if not options.get(key)]

    async def send(self, alert: dict[str, Any], client: httpx.AsyncClient) -> None:
        raise NotImplementedError

    async def send_digest(self, digest: dict[str, Any], client: httpx.AsyncClient) -> None:
        raise NotImplementedError


class _Registry(Mapping[str, type[Channel]]):
    """Channel type -> class, each module imported on first use."""

    def __getitem__(self, type_name: str) -> type[Channel]:
        cls: type[Channel] = channel_kind(type_name)
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(CHANNEL_TYPES)

    def __len__(self) -> int:
        return len(CHANNEL_TYPES)


REGISTRY: Mapping[str, type[Channel]] = _Registry()


def raise_for_response(response: httpx.Response) -> None:
    """Turn a non-2xx answer into a DeliveryError that names no URL."""
    if response.is_success:
        return
    raise DeliveryError(f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                        retry_after=parse_retry_after(response.headers.get("retry-after", "")),
                        permanent=response.status_code in PERMANENT_STATUSES)


# The receiver is gone or refuses this sender for good: 404/410 from a webhook
# URL means it was deleted; 401/403 mean the token was revoked.
PERMANENT_STATUSES = {401, 403, 404, 410}


__all__ = ["COMMON_OPTIONS", "PERMANENT_STATUSES", "REGISTRY", "Channel", "DeliveryError",
           "raise_for_response"]
