"""``/preview?url=``: what extraction takes from a page before it is watched, and the
form that adds it (``POST /sources``, written to sources.yaml keeping its comments).

The page is fetched once and cut by the extraction a check uses
(``monitor.pipeline.preview``, shared with ``monitor preview``). Whoever can log
in could otherwise make this server fetch addresses of its own network, so
private, loopback and link-local addresses are refused (at the socket, redirects
included) unless ``settings.web.preview_private`` is true.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.config import edit
from monitor.config.problems import ConfigError
from monitor.config.tracking import page_key
from monitor.config.values import url_problem
from monitor.core.model import Config, Source
from monitor.pipeline.preview import preview_page, word_count
from monitor.web.context import context, page
from monitor.web.pages_common import back_to, changing_form, in_thread, query_string, show, text

SHOWN_PARAGRAPHS = 3
SHOWN_CHARS = 400
PRIVATE_REFUSED = ("The preview does not fetch private, loopback or link-local addresses "
                   "(this server's own network), so that a login cannot be used to reach "
                   "machines behind it; set settings.web.preview_private: true to allow it")


def _cut(paragraph: str) -> str:
    if len(paragraph) <= SHOWN_CHARS:
        return paragraph
    return paragraph[:SHOWN_CHARS].rsplit(" ", 1)[0] + " …"


def _watched(config: Config, url: str) -> Source | None:
    return {page_key(s.url): s for s in config.sources}.get(page_key(url))


@page
async def preview(request: Request) -> Response:
    url = request.query_params.get("url", "").strip()
    selector = request.query_params.get("selector", "").strip()
    if not url:
        return show(request, "preview.html", url="", selector=selector, shown=None)
    problem = url_problem(url)
    if problem:
        return show(request, "preview.html", 400, url=url, selector=selector, shown=None,
                    failed=problem)
    config = context(request).current()
    watched = _watched(config, url)
    settings = config.settings
    if not settings.web.preview_private:
        settings = replace(settings, block_private=True)
    result = await preview_page(url, settings, selector=selector or
                                (watched.selector if watched else None), source=watched)
    failed = result.failed
    if result.result.error_kind == "refused" or (failed and "(block_private)" in failed):
        failed = f"{result.result.error}. {PRIVATE_REFUSED}."
    document = result.analysis.document if result.analysis and not failed else None
    return show(request, "preview.html", 200 if not failed else 422, url=url,
                selector=selector, shown=result, failed=failed, document=document,
                words=word_count(document) if document else 0,
                first=[_cut(p) for p in document.paragraphs[:SHOWN_PARAGRAPHS]]
                if document else [],
                warnings=[w.replace("--selector", "selector") for w in result.warnings],
                watched=watched)


def _add(config: Config, item: edit.NewSource) -> str:
    [added] = edit.add_sources(config.path, [item], strict=True)
    assert added.id is not None
    return added.id


async def add(request: Request) -> Response:
    form = await changing_form(request)
    if isinstance(form, Response):
        return form
    url, selector = text(form, "url"), text(form, "selector")
    tags = tuple(t for t in (part.strip() for part in text(form, "tags").split(",")) if t)
    item = edit.NewSource(url, text(form, "id") or None, every=text(form, "interval") or None,
                          selector=selector or None, tags=tags)
    config = context(request).current()
    try:
        source_id = await in_thread(_add, config, item)
    except ConfigError as exc:
        why = str(exc.problems[0].message) if exc.problems else str(exc)
        return back_to(request, "/preview" + query_string(url=url, selector=selector),
                       f"not added: {why}")
    return back_to(request, f"/sources/{quote(source_id, safe='')}",
                   f"added {source_id} to {config.path.name}: its first check (the next "
                   "pass) stores its first version, without an alert")


ROUTES = [Route("/preview", preview, methods=["GET"]),
          Route("/sources", page(add), methods=["POST"])]
