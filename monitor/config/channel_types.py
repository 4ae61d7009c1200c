"""The channel types a config may name, and the module that implements each.

The config validates a channel's options against its class's declaration, but
must not import every channel to do so (SMTP and TLS for a config with one
webhook): each class is imported by name, only when a config uses its type.
A new channel type is its module in ``monitor/notify/channels/`` and a line here.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any, Protocol

CHANNEL_TYPES: dict[str, str] = {
    "apprise": "monitor.notify.channels.apprise:Apprise",
    "discord": "monitor.notify.channels.discord:Discord",
    "email": "monitor.notify.channels.email:Email",
    "matrix": "monitor.notify.channels.matrix:Matrix",
    "mattermost": "monitor.notify.channels.mattermost:Mattermost",
    "slack": "monitor.notify.channels.slack:Slack",
    "teams": "monitor.notify.channels.teams:Teams",
    "telegram": "monitor.notify.channels.telegram:Telegram",
    "webhook": "monitor.notify.channels.webhook:Webhook",
}


class ChannelKind(Protocol):
    """What the config needs of a channel class: its declared options and their check."""

    type: str
    path_options: tuple[str, ...]

    @classmethod
    def all_options(cls) -> dict[str, str]: ...

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[str]: ...


@cache
def channel_kind(type_name: str) -> Any:
    """The class of a channel type (KeyError for a type not in CHANNEL_TYPES)."""
    module, _, name = CHANNEL_TYPES[type_name].partition(":")
    return getattr(importlib.import_module(module), name)
