"""``/health`` and ``/metrics`` on the web port inside ``monitor run``: the daemon's
status, unauthenticated, to 127.0.0.1 only (probes and scrapers on the machine)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from monitor.core.metrics import prometheus
from monitor.web.context import context


def _local(request: Request) -> bool:
    return request.client is not None and request.client.host in ("127.0.0.1", "::1")


async def health(request: Request) -> Response:
    status = context(request).status
    if status is None or not _local(request):
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse(status())


async def metrics(request: Request) -> Response:
    status = context(request).status
    if status is None or not _local(request):
        return PlainTextResponse("not found\n", status_code=404)
    return PlainTextResponse(prometheus(status()), media_type="text/plain; version=0.0.4")


ROUTES = [Route("/health", health), Route("/metrics", metrics)]
