"""``/alerts``: the newest alerts, each with its delivery to each channel, and a retry
for dead letters.

A retry re-queues the dead delivery (pending, its give-up clock restarted) as
``monitor alerts --retry`` does: it writes the outbox, so it takes the store's
writer lock briefly; the next pass delivers it. Errors are shown with every
channel secret (webhook URLs and their parts, tokens, passwords) masked.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.core.model import Config
from monitor.web.context import context, page
from monitor.web.pages_common import (
    STORE_BUSY,
    back_to,
    changing_form,
    channel_secrets,
    in_thread,
    masked,
    show,
    text,
    writer,
)
from monitor.web.queries import reading

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
ALL = "all"


def _limit(value: str | None) -> int:
    try:
        return min(MAX_LIMIT, max(1, int(value or DEFAULT_LIMIT)))
    except ValueError:
        return DEFAULT_LIMIT


def _alerts(config: Config, limit: int) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    secrets = channel_secrets(config)
    with reading(config) as reader:
        recent = reader.alerts(limit)
    for _, deliveries in recent:
        for row in deliveries:
            row["last_error"] = masked(row.get("last_error"), secrets) or None
            row["known_channel"] = row["channel"] in config.channels
    return recent


@page
async def alerts_page(request: Request) -> Response:
    limit = _limit(request.query_params.get("limit"))
    recent = await in_thread(_alerts, context(request).current(), limit)
    dead = sum(row["status"] == "dead" for _, rows in recent for row in rows)
    return show(request, "alerts.html", alerts=recent, limit=limit, dead=dead,
                more=limit < MAX_LIMIT and len(recent) == limit)


def _requeue(config: Config, alert_id: str, channel: str) -> tuple[int, list[str]]:
    """Re-queue the dead letters asked for; (how many, channels left dead because they
    are no longer configured)."""
    with writer(config) as store:
        if store is None:
            return 0, []
        letters = [(a, c) for a, c in store.dead_letters()
                   if alert_id in (ALL, a) and channel in ("", c)]
        gone = sorted({c for _, c in letters if c not in config.channels})
        return store.requeue([(a, c) for a, c in letters if c in config.channels]), gone


async def retry(request: Request) -> Response:
    form = await changing_form(request)
    if isinstance(form, Response):
        return form
    alert_id, channel = text(form, "alert") or ALL, text(form, "channel")
    config = context(request).current()
    try:
        count, gone = await in_thread(_requeue, config, alert_id, channel)
    except STORE_BUSY as exc:
        return back_to(request, "/alerts", f"not re-queued: {exc}. Try again in a moment.")
    notice = (f"re-queued {count} dead deliver{'y' if count == 1 else 'ies'}"
              + (": pending, sent on the next pass" if count else " (none was dead)"))
    if gone:
        notice += f"; left dead: {', '.join(gone)}, no longer in {config.path.name}"
    return back_to(request, "/alerts", notice)


ROUTES = [Route("/alerts", alerts_page, methods=["GET"]),
          Route("/alerts/retry", page(retry), methods=["POST"])]
