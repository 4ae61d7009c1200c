"""``/sources/<id>/diff/<rev>``: the word diff of one change, field by field; with
``?to=<rev>`` between any two versions; ``/sources/<id>/diff`` the latest change (or
``?from=&to=``, the timeline's compare form).

Inline (removed words in ``<del>``, added ones in ``<ins>``) or, with
``?view=side``, in two columns that stack on a narrow screen. An unknown
revision, or another source's, is a 404 that says so.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.core.model import Config
from monitor.web.api import PACKET_TYPE, Unexportable, packet
from monitor.web.context import context, page
from monitor.web.pages_common import in_thread, not_found, query_string, refused, show
from monitor.web.queries import DiffView, NotFound, reading


def _diff(config: Config, source_id: str, revision: str | None, to: str | None,
          ) -> tuple[DiffView, str]:
    with reading(config) as reader:
        view = reader.diff(source_id, revision, to)
        try:
            name = reader.source_row(source_id).name or ""
        except NotFound:
            name = ""
    return view, name or view.new_snapshot.document.title or view.old_snapshot.document.title


@page
async def diff_page(request: Request) -> Response:
    source_id = request.path_params["source_id"]
    params = request.query_params
    revision = request.path_params.get("revision") or params.get("from") or None
    to = params.get("to") or None
    if to and not revision:  # "?to=" alone: from the version before it
        revision, to = to, None
    side = params.get("view") == "side"
    try:
        view, title = await in_thread(_diff, context(request).current(), source_id,
                                      revision, to)
    except NotFound as exc:
        return not_found(request, str(exc))
    kept = {key: params[key] for key in ("from", "to") if params.get(key)}
    return show(request, "diff.html", view=view, source_id=source_id, title=title, side=side,
                inline_link=request.url.path + query_string(**kept),
                side_link=request.url.path + query_string(**kept, view="side"))



@page
async def export_page(request: Request) -> Response:
    """The evidence packet of one version: the bytes ``monitor export ID REV`` writes."""
    source_id = request.path_params["source_id"]
    try:
        data, name = await in_thread(packet, context(request).current(), source_id,
                                     request.path_params["revision"])
    except NotFound as exc:
        return not_found(request, str(exc))
    except Unexportable as exc:
        return refused(request, f"No evidence packet for this version: {exc}", 409)
    return Response(data, media_type=PACKET_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


ROUTES = [Route("/sources/{source_id}/diff", diff_page, methods=["GET"]),
          Route("/sources/{source_id}/diff/{revision}", diff_page, methods=["GET"]),
          Route("/sources/{source_id}/export/{revision}", export_page, methods=["GET"])]
