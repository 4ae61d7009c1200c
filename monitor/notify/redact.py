"""Secrets out of every text that is kept or shown: error messages, above all.

For Slack, Discord, Mattermost and most webhooks the URL *is* the secret, and
a receiver's error often echoes part of it back ("Cannot POST
/services/T000/B000/XXXX"). So not only the whole URL is redacted but every
part of it that can carry a secret: the user and password, the path from its
first token on, every path token, the query and each of its values. A path
word such as ``services`` or ``webhooks`` is a route, not a secret, and stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

ROUTE_WORD = re.compile(r"[a-z]+(?:[-_][a-z]+)*")  # services, api, webhooks, hooks
SECRET_KEY = re.compile(r"secret|token|password|passwd|key|signature|auth", re.I)
MIN_PART = 4  # shorter pieces (a "v1", a port) are left: replacing them would garble text
MASK = "[secret]"


def url_secrets(url: str) -> list[str]:
    """The pieces of ``url`` that may be secret, longest first."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    pieces = {url, url.split("?", 1)[0]}
    for value in (parts.username, parts.password):
        if value:
            pieces |= {value, unquote(value)}
    segments = parts.path.split("/")
    first_token = next((i for i, s in enumerate(segments)
                        if s and not (ROUTE_WORD.fullmatch(s) and len(s) <= 16)), None)
    if first_token is not None:
        for start in range(first_token, len(segments)):
            tail = "/".join(segments[start:])
            pieces |= {tail, "/" + tail}
        pieces |= {s for s in segments[first_token:] if s}
    if parts.query:
        pieces.add(parts.query)
        pieces |= {value for _, value in parse_qsl(parts.query, keep_blank_values=True)}
    if parts.fragment:
        pieces.add(parts.fragment)
    return sorted((p for p in pieces if len(p) >= MIN_PART), key=len, reverse=True)


def option_secrets(options: Mapping[str, Any]) -> list[str]:
    """What a channel's options hold that must never be shown: URLs, tokens, passwords."""
    pieces: list[str] = []
    for key, value in options.items():
        if not isinstance(value, str) or not value:
            continue
        if value.startswith(("http://", "https://")):
            pieces += url_secrets(value)
        elif SECRET_KEY.search(key):
            pieces.append(value)
    return sorted(set(pieces), key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret piece replaced by ``[secret]``."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= MIN_PART and secret in text:
            text = text.replace(secret, MASK)
    return text
