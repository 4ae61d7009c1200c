"""The JSON API (DESIGN.md "Review"), described at ``/api/openapi.json``.

    GET  /api/sources                      ?q= &tag= &status= &limit= &offset=
    GET  /api/sources/{id}                 one source, its schedule and channels
    GET  /api/sources/{id}/versions        newest first
    GET  /api/sources/{id}/diff            ?from=REV &to=REV (the alert's diff, changes)
    GET  /api/sources/{id}/export/{rev}    the evidence packet, as `monitor export`
    GET  /api/alerts                       ?limit=N, each with its deliveries
    POST /api/sources                      add a source to sources.yaml (api_write.py)

Every endpoint takes ``Authorization: Bearer <token>``; a POST refuses a
read-only token. Every answer that is no success is JSON ``{"error": "..."}``.
A GET only reads (``queries.reading``: the state database read-only, git by
``log`` and ``cat-file``), never the writer lock nor git's index, and runs in a
worker thread so that the event loop a daemon shares with it never waits on it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route

from monitor.core.model import Config
from monitor.evidence.packet import PacketError, write_packet
from monitor.evidence.queries import EvidenceError, export_request
from monitor.store.errors import UnknownRevision
from monitor.web.api_json import (
    alerts_json,
    error,
    int_param,
    json_errors,
    source_id_of,
    source_json,
)
from monitor.web.api_write import post_source
from monitor.web.context import api, context
from monitor.web.queries import NotFound, Reader, reading

DEFAULT_ALERTS, MAX_ALERTS = 50, 1000
MAX_PAGE = 100_000
PACKET_TYPE = "application/zip"


class Unexportable(Exception):
    """A version that is there but makes no packet (no capture, a pruned one): a 409."""


# --- sources -------------------------------------------------------------------------


@json_errors
@api()
async def list_sources(request: Request) -> Response:
    """The sources (configured, then each listing's found articles), filtered and paged."""
    try:
        limit = int_param(request, "limit", None, 1, MAX_PAGE)
        offset = int_param(request, "offset", 0, 0, 10**9) or 0
    except ValueError as exc:
        return error(400, str(exc))
    params = request.query_params

    def rows(config: Config) -> tuple[list[dict[str, Any]], int]:
        with reading(config) as reader:
            table = reader.source_table(query=params.get("q", ""), tag=params.get("tag", ""),
                                        status=params.get("status", ""), offset=offset,
                                        limit=limit)
            return [row.to_json() for row in table.rows], table.matched

    page, matched = await run_in_threadpool(rows, context(request).current())
    return JSONResponse(page, headers={"X-Total-Count": str(matched)})


@json_errors
@api()
async def get_source(request: Request) -> Response:
    source_id = source_id_of(request)

    def shown(config: Config) -> dict[str, Any]:
        with reading(config) as reader:
            return source_json(reader, reader.source(source_id))

    return JSONResponse(await run_in_threadpool(shown, context(request).current()))


@json_errors
@api()
async def get_versions(request: Request) -> Response:
    """Every version of the source, newest first, with the words `monitor history` prints."""
    source_id = source_id_of(request)

    def versions(config: Config) -> list[dict[str, Any]]:
        with reading(config) as reader:
            return [version.to_json() for version in reader.versions(source_id)]

    return JSONResponse(await run_in_threadpool(versions, context(request).current()))


# --- diff ----------------------------------------------------------------------------


def diff_json(reader: Reader, source_id: str, start: str | None,
              end: str | None) -> dict[str, Any]:
    """``from``..``to``: ``to`` defaults to the latest version, ``from`` to the one before
    ``to``. An unknown revision, or another source's, is NotFound."""
    if start and not end:
        end = reader.latest(source_id) if reader.history else None
        if end is None:
            reader.source(source_id)  # NotFound when it is no source either
            raise NotFound(f"no versions of '{source_id}' yet")
    view = reader.diff(source_id, start, end)  # one revision: what it changed
    return {"source_id": source_id, "from": view.old.revision, "to": view.new.revision,
            "from_detected_at": view.old.when or None, "to_detected_at": view.new.when or None,
            "diff": view.diff, "changes": view.changes}


@json_errors
@api()
async def get_diff(request: Request) -> Response:
    source_id = source_id_of(request)
    start = request.query_params.get("from") or None
    end = request.query_params.get("to") or None

    def answer(config: Config) -> dict[str, Any]:
        with reading(config) as reader:
            return diff_json(reader, source_id, start, end)

    return JSONResponse(await run_in_threadpool(answer, context(request).current()))


# --- evidence packet -----------------------------------------------------------------


def packet(config: Config, source_id: str, revision: str) -> tuple[bytes, str]:
    """The bytes ``monitor export ID REV`` writes, and the file name it gives them."""
    with reading(config) as reader:
        history = reader.history
        if history is None or not history.repo.log(source_id):
            reader.source(source_id)  # NotFound when it is no source either
            raise NotFound(f"no versions of '{source_id}' yet")
        try:
            history.repo.version_of(revision, source_id)
        except UnknownRevision as exc:
            raise NotFound(f"{exc} (GET /api/sources/{source_id}/versions lists its "
                           "versions)") from None
        try:
            found = export_request(history, config.settings.evidence, source_id, revision)
            with tempfile.TemporaryDirectory(prefix="monitor-packet-") as folder:
                data = write_packet(found.request, Path(folder) / "packet.wacz").read_bytes()
        except (EvidenceError, PacketError) as exc:
            raise Unexportable(str(exc)) from None
    return data, f"{source_id}-{found.revision[:7]}.wacz"


@json_errors
@api()
async def get_export(request: Request) -> Response:
    source_id = source_id_of(request)
    revision = str(request.path_params["revision"])
    try:
        data, name = await run_in_threadpool(packet, context(request).current(), source_id,
                                             revision)
    except Unexportable as exc:
        return error(409, str(exc))
    return Response(data, media_type=PACKET_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- alerts --------------------------------------------------------------------------


@json_errors
@api()
async def get_alerts(request: Request) -> Response:
    """The newest alerts (``limit``, default 50, at most 1000) with their deliveries."""
    try:
        limit = int_param(request, "limit", DEFAULT_ALERTS, 1, MAX_ALERTS) or DEFAULT_ALERTS
    except ValueError as exc:
        return error(400, str(exc))

    def answer(config: Config) -> list[dict[str, Any]]:
        with reading(config) as reader:
            return alerts_json(reader, limit)

    return JSONResponse(await run_in_threadpool(answer, context(request).current()))


# --- writes, the description, and what is no endpoint ---------------------------------


@json_errors
@api(write=True)
async def add_source(request: Request) -> Response:
    return await post_source(request)


@json_errors
@api()
async def openapi_document(request: Request) -> Response:
    from monitor.web.openapi import document

    return JSONResponse(document())


async def no_endpoint(request: Request) -> Response:
    """Any other /api/ path: a JSON 404, or a 405 naming the methods the path takes."""
    allowed: set[str] = set()
    for route in ENDPOINTS:
        match, _ = route.matches({**request.scope, "method": "OPTIONS"})
        if match is not Match.NONE and isinstance(route, Route) and route.methods:
            allowed |= route.methods
    if allowed:
        return JSONResponse({"error": f"{request.method} is not allowed here; "
                                      f"allowed: {', '.join(sorted(allowed))}"},
                            status_code=405, headers={"Allow": ", ".join(sorted(allowed))})
    return error(404, f"no endpoint {request.url.path} (GET /api/openapi.json lists them)")


ENDPOINTS: list[BaseRoute] = [
    Route("/api/openapi.json", openapi_document, methods=["GET"], name="api_openapi"),
    Route("/api/sources", list_sources, methods=["GET"], name="api_sources"),
    Route("/api/sources", add_source, methods=["POST"], name="api_add_source"),
    Route("/api/sources/{source_id}", get_source, methods=["GET"], name="api_source"),
    Route("/api/sources/{source_id}/versions", get_versions, methods=["GET"],
          name="api_versions"),
    Route("/api/sources/{source_id}/diff", get_diff, methods=["GET"], name="api_diff"),
    Route("/api/sources/{source_id}/export/{revision}", get_export, methods=["GET"],
          name="api_export"),
    Route("/api/alerts", get_alerts, methods=["GET"], name="api_alerts"),
]
#: the endpoints, then a JSON answer for every other path under /api/
ROUTES: list[BaseRoute] = [
    *ENDPOINTS,
    Route("/api/{rest:path}", no_endpoint,
          methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
          name="api_none"),
]
