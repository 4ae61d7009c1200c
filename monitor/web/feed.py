"""``/feed.atom``: the changes as an Atom feed (``?tag=``, ``?source=``), newest first.

Each entry is one alert of what happened to a page (changed, removed, restored,
moved, new, ...; not ``failing``/``recovered``, which are about our checks):
"<event>: <title>", linked to its diff page (absolute with
``settings.web.base_url``, else from the request's own address), updated when
it was detected, with the words removed and added. A feed reader cannot log
in, so besides a session the feed takes any valid token as ``?token=``
(read-only ones too); without either it is a 401.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.core.model import Config
from monitor.web.auth import token_holder
from monitor.web.context import context, who
from monitor.web.queries import reading

ENTRIES = 50
NO_DIFF = frozenset({"new", "delisted", "noindexed", "canonical-changed"})


def _changes(config: Config, tag: str, source_id: str) -> list[dict[str, Any]]:
    with reading(config) as reader:
        return reader.changes(tag=tag, source_id=source_id, limit=ENTRIES)


def link_of(base: str, alert: dict[str, Any]) -> str:
    """The diff page of the alert's change; its source's page when it has no diff."""
    source = f"{base}/sources/{quote(str(alert.get('source_id', '')), safe='')}"
    revision = alert.get("revision")
    if revision and alert.get("event") not in NO_DIFF:
        return f"{source}/diff/{quote(str(revision), safe='')}"
    return source


async def feed(request: Request) -> Response:
    web = context(request)
    config = web.current()
    token = request.query_params.get("token", "")
    allowed = who(request) is not None or (
        bool(token) and await run_in_threadpool(token_holder, config.settings.state, token)
        is not None)
    if not allowed:
        return Response("the feed needs a login, or ?token=<token> (monitor token create "
                        "NAME --read-only)\n", status_code=401,
                        media_type="text/plain; charset=utf-8")
    tag = request.query_params.get("tag", "").strip()
    source_id = request.query_params.get("source", "").strip()
    alerts = await run_in_threadpool(_changes, config, tag, source_id)
    base = (config.settings.web.base_url or str(request.base_url)).rstrip("/")
    scope = f" tagged {tag}" if tag else ""
    scope += f" of {source_id}" if source_id else ""
    body = web.templates.get_template("feed.xml").render(
        alerts=alerts, base=base, link_of=link_of, title=f"monitor: changes{scope}",
        self_link=f"{base}/feed.atom", updated=alerts[0]["detected_at"] if alerts
        else "1970-01-01T00:00:00Z", feed_id=f"{base}/feed.atom"
        + (f"?tag={quote(tag, safe='')}" if tag else "")
        + (f"{'&' if tag else '?'}source={quote(source_id, safe='')}" if source_id else ""))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


ROUTES = [Route("/feed.atom", feed, methods=["GET"])]
