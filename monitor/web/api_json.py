"""What the JSON API says, shaped from the Reader's answers: sources, alerts, errors.

Everything served passes through here, so that nothing shows a secret: source
URLs in their shown form (``${NAME}``, not its value), and every channel's URL,
token or password replaced by ``[secret]`` wherever a text holds it (a delivery's
last error, above all).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from monitor.config.values import duration_text
from monitor.core.ids import valid_source_id
from monitor.core.model import Config, Source
from monitor.core.schedule import Schedule
from monitor.notify.redact import option_secrets, redact
from monitor.web.queries import NotFound, Reader

log = logging.getLogger("monitor.web.api")
Handler = Callable[[Request], Awaitable[Response]]

#: the delivery columns an alert shows, each delivery to one channel
DELIVERY_KEYS = ("channel", "status", "attempts", "last_error", "last_attempt_at",
                 "delivered_at", "next_attempt_at", "first_failed_at", "requeued_at",
                 "digest_id")


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def json_errors(handler: Handler) -> Handler:
    """NotFound as a 404, anything unforeseen as a 500 with no traceback: always JSON."""
    @wraps(handler)
    async def answered(request: Request) -> Response:
        try:
            return await handler(request)
        except NotFound as exc:
            return error(404, str(exc))
        except Exception:
            log.exception("%s %s failed", request.method, request.url.path)
            return error(500, "the server could not answer this request; its log says why")
    return answered


def source_id_of(request: Request) -> str:
    """The ``{source_id}`` of the path; an id no source can have is a 404 before git is asked."""
    source_id = str(request.path_params["source_id"])
    if not valid_source_id(source_id):
        raise NotFound(f"no source '{source_id}'")
    return source_id


def int_param(request: Request, name: str, default: int | None, lowest: int,
              highest: int) -> int | None:
    """A whole-number query parameter in [lowest, highest]; ValueError says why not."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"'{name}' must be a whole number, got {raw!r}") from None
    if not lowest <= value <= highest:
        raise ValueError(f"'{name}' must be from {lowest} to {highest}, got {value}")
    return value


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    if schedule.cron:
        return {"kind": "cron", "cron": schedule.cron}
    if schedule.adaptive:
        return {"kind": "adaptive", "min": duration_text(schedule.min_every),
                "max": duration_text(schedule.max_every)}
    every = schedule.every or 0.0
    return {"kind": "interval", "interval": duration_text(every), "seconds": every}


def source_json(reader: Reader, source: Source) -> dict[str, Any]:
    """One source as ``GET /api/sources/<id>`` shows it: its row, schedule and settings.

    Request headers and the User-Agent are left out: their values may be secrets.
    """
    channels = list(source.channels) or list(reader.config.channels)  # empty: every one
    return {**reader.source_row(source.id).to_json(),
            "schedule": schedule_json(source.schedule), "channels": channels,
            "selector": source.selector, "ignore": list(source.ignore),
            "notes": source.notes, "line": source.line or None}


class Redactor:
    """Takes every secret of a config out of what the API serves."""

    def __init__(self, config: Config):
        self.masked: list[str] = []
        for channel in config.channels.values():
            self.masked += option_secrets(channel.options)
        for archive in config.archives:
            self.masked += list(archive.secrets())
        self.named = [(value, f"${{{name}}}") for source in config.sources
                      for name, value in source.url_secrets if value]

    def text(self, text: str) -> str:
        for value, shown in self.named:
            text = text.replace(value, shown)
        return redact(text, self.masked)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value


def alerts_json(reader: Reader, limit: int) -> list[dict[str, Any]]:
    """The newest alerts, each with its deliveries (channel, status, attempts, last error)."""
    redactor = Redactor(reader.config)
    shown = []
    for alert, deliveries in reader.alerts(limit):
        rows = [{key: row.get(key) for key in DELIVERY_KEYS} for row in deliveries]
        shown.append(redactor.value({**alert, "deliveries": rows}))
    return shown
