"""Settings written as a mapping or a list: ``timestamp_authorities`` and ``web``.

Each parser raises ValueError for a value it cannot take; the loader turns that
into an error at the setting's line, with the shape it expects.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any

from monitor.config.values import strict_bool, strict_int
from monitor.core.model import TimestampAuthority, WebSettings


def timestamp_authorities(value: Any) -> tuple[TimestampAuthority, ...]:
    """``[{url: https://tsa.example/, ca_file: tsa.pem}]``: RFC 3161 services, in turn."""
    if not isinstance(value, list):
        raise ValueError("not a list")
    authorities = []
    for item in value:
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict) or set(item) - {"url", "ca_file"} or \
                not str(item.get("url", "")).startswith(("http://", "https://")):
            raise ValueError("not an authority")
        ca_file = item.get("ca_file")
        authorities.append(TimestampAuthority(url=str(item["url"]),
                                              ca_file=Path(str(ca_file)) if ca_file else None))
    return tuple(authorities)


def web_settings(value: Any) -> WebSettings:
    """``{port: 8080, host: 127.0.0.1, base_url: https://..., preview_private: false}``."""
    if not isinstance(value, dict) or set(value) - {"port", "host", "base_url",
                                                     "preview_private"}:
        raise ValueError("not a web mapping")
    port = strict_int(value.get("port", 0))
    host = str(value.get("host", "127.0.0.1"))
    base_url = str(value.get("base_url") or "").rstrip("/")
    if not 0 <= port <= 65535 or not host or any(c.isspace() for c in host) or (
            base_url and not base_url.startswith(("http://", "https://"))):
        raise ValueError("not a web mapping")
    return WebSettings(port=port, host=host, base_url=base_url,
                       preview_private=strict_bool(value.get("preview_private", False)))


#: a setting that needs an optional part: (its extra, a module the extra installs)
EXTRAS = {"web": ("web", "starlette"), "timestamp_authorities": ("timestamps", "rfc3161_client")}


def missing_extra(key: str, value: Any) -> str | None:
    """Why ``key: value`` cannot work in this install (its extra is missing), or None."""
    if key not in EXTRAS or not value or (key == "web" and not value.port):
        return None
    extra, module = EXTRAS[key]
    if find_spec(module) is not None:
        return None
    return (f"setting '{key}' needs an optional part that is not installed: "
            f"pip install 'monitor[{extra}]'")
