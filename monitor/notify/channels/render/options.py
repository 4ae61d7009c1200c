"""The pure helpers channel modules share for their options and error messages.

Not rendering, but as pure and as shared: every HTTP channel checks its URLs
the same way, email and others read yes/no options from YAML or ``${ENV}`` text,
and every error quoting a service's answer goes through ``redact`` first.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def url_problems(options: dict[str, Any], key: str = "url") -> list[str]:
    """The URL check the HTTP channels share: http(s) with a host (never echoing it)."""
    url = options.get(key)
    if not url:
        return []
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"'{key}' must be an http:// or https:// URL with a host"]
    return []


def flag(value: Any, default: bool) -> bool | None:
    """A yes/no option from YAML or from ``${ENV}`` text; None when it is neither."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    return None


def redact(text: str, *secrets: Any) -> str:
    """``text`` (a service's error answer) with every secret replaced, and kept short."""
    for secret in secrets:
        if secret and str(secret) in text:
            text = text.replace(str(secret), "[secret]")
    return " ".join(text.split())[:200]
