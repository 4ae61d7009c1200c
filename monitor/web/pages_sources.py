"""``/``, the sources, and ``/sources/<id>``, one source: its facts, its timeline, and
the forms that pause, resume and remove it.

The sources page reads the state database once (``records()``) and git once,
for the titles of the rows it shows: it stays fast at 10,000 sources. Pause,
resume and remove edit sources.yaml as the CLI does (``config.edit``, comments
kept); a found article, which is no entry of the file, is paused in its
listing's ``exclude:`` and in the state database, under the writer lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.config import edit
from monitor.config.problems import ConfigError
from monitor.core.model import Config, Source
from monitor.core.schedule import describe_schedule
from monitor.store.found import found_article, set_found_state
from monitor.web.context import context, page
from monitor.web.pages_common import (
    STORE_BUSY,
    back_to,
    changing_form,
    in_thread,
    not_found,
    query_string,
    refused,
    show,
    text,
    writer,
)
from monitor.web.queries import (
    NotFound,
    SourceRow,
    VersionRow,
    reading,
)

PER_PAGE = 100
STATUSES = ("new", "ok", "failing", "removed", "paused")


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or "1"))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Listed:
    """One page of the sources table, and what the filter form offers."""

    rows: list[SourceRow]
    titles: dict[str, str]
    total: int  # every source
    matched: int  # those the filter keeps
    page: int
    pages: int
    tags: list[str]
    statuses: list[str]


def _listed(config: Config, query: str, tag: str, status: str, number: int) -> Listed:
    with reading(config) as reader:
        table = reader.source_table(query=query, tag=tag, status=status,
                                    offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
        pages = max(1, ceil(table.matched / PER_PAGE))
        if number > pages:  # past the end (the filter keeps fewer now): the last page
            number = pages
            table = reader.source_table(query=query, tag=tag, status=status,
                                        offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
        titles = reader.titles(row.id for row in table.rows)
    return Listed(table.rows, titles, table.total, table.matched, number, pages,
                  table.tags, sorted(set(STATUSES) | set(table.statuses)))


@page
async def sources_page(request: Request) -> Response:
    params = request.query_params
    query, tag, status = (params.get(k, "").strip() for k in ("q", "tag", "status"))
    listed = await in_thread(_listed, context(request).current(), query, tag, status,
                             _page_number(params.get("page")))

    def link(number: int) -> str:
        return "/" + query_string(q=query, tag=tag, status=status, page=number)

    first = (listed.page - 1) * PER_PAGE + 1 if listed.matched else 0
    return show(request, "sources.html", listed=listed, q=query, tag=tag, status=status,
                first=first, last=first + len(listed.rows) - 1 if listed.rows else 0,
                prev_link=link(listed.page - 1) if listed.page > 1 else None,
                next_link=link(listed.page + 1) if listed.page < listed.pages else None,
                filtered=bool(query or tag or status))


@dataclass(frozen=True)
class SourcePage:
    source: Source | None  # None: no longer in sources.yaml, its history kept
    row: SourceRow | None
    versions: list[VersionRow]


def _source_page(config: Config, source_id: str) -> SourcePage:
    with reading(config) as reader:
        try:
            source: Source | None = reader.source(source_id)
            row: SourceRow | None = reader.source_row(source_id)
        except NotFound:
            source = row = None
        versions = reader.versions(source_id)  # NotFound when it is neither
    return SourcePage(source, row, versions)


@page
async def source_page(request: Request) -> Response:
    source_id = request.path_params["source_id"]
    try:
        shown = await in_thread(_source_page, context(request).current(), source_id)
    except NotFound as exc:
        return not_found(request, str(exc))
    source = shown.source
    return show(request, "source.html", source_id=source_id, source=source, row=shown.row,
                versions=shown.versions,
                schedule=describe_schedule(source.schedule) if source else "",
                revisions=[v.revision for v in shown.versions])


def _set_paused(config: Config, source: Source, paused: bool) -> str:
    """Pause or resume ``source``; what was done, in words."""
    verb = "paused" if paused else "resumed"
    if source.listing is None:
        if not edit.set_enabled(config.path, source.id, not paused):
            return f"{source.id} was {'already' if paused else 'not'} paused"
        return (f"{verb} {source.id}: " + ("not checked until it is resumed; alerts already "
                                          "made are still delivered" if paused else
                                          "checked again from the next pass"))
    with writer(config) as store:
        if store is None or store.db is None:
            raise NotFound(f"'{source.id}' is not in the state database")
        with store.transaction() as db:
            article = found_article(db, source.id)
            changed = article is not None and (article.state == "excluded") != paused
            if changed:
                set_found_state(db, source.id, "excluded" if paused else "watching")
        # the file after the database, as `monitor pause` does it
        changed = edit.set_excluded(config.path, source.listing, source.id, paused) or changed
    if not changed:
        return f"{source.id} was {'already' if paused else 'not'} paused"
    return (f"{verb} {source.id} (in the exclude: list of listing {source.listing})"
            + ("" if paused else ": checked again from the next pass"))


def _remove(config: Config, source: Source) -> str:
    if source.listing is not None:
        _set_paused(config, source, True)
    with writer(config) as store:
        if store is not None:
            store.remove(source.id)  # its state row is archived; adding it again continues
        if source.listing is None:
            edit.remove_source(config.path, source.id)
    where = (f"listing {source.listing} no longer watches it" if source.listing
             else f"it is no longer in {config.path.name}")
    return (f"removed {source.id}: {where}. Its versions stay in the snapshot history, with "
            "their captures; adding it again continues that history.")


def _configured(config: Config, source_id: str) -> Source:
    with reading(config) as reader:
        return reader.source(source_id)


async def _change(request: Request, action: str) -> Response:
    form = await changing_form(request)
    if isinstance(form, Response):
        return form
    source_id = request.path_params["source_id"]
    config = context(request).current()
    try:
        source = await in_thread(_configured, config, source_id)
    except NotFound as exc:
        return not_found(request, str(exc))
    here = f"/sources/{source_id}"
    try:
        if action == "remove":
            if text(form, "confirm") != "yes":
                return back_to(request, here, f"not removed: tick “Yes, remove {source_id}” "
                                              "to confirm")
            done = await in_thread(_remove, config, source)
            return back_to(request, "/", done)
        done = await in_thread(_set_paused, config, source, action == "pause")
    except ConfigError as exc:
        return refused(request, str(exc.problems[0]) if exc.problems else str(exc), 409)
    except STORE_BUSY as exc:
        return refused(request, f"not done: {exc}. Try again in a moment.", 503)
    except NotFound as exc:
        return not_found(request, str(exc))
    return back_to(request, here, done)


async def pause(request: Request) -> Response:
    return await _change(request, "pause")


async def resume(request: Request) -> Response:
    return await _change(request, "resume")


async def remove(request: Request) -> Response:
    return await _change(request, "remove")


ROUTES = [Route("/", sources_page, methods=["GET"]),
          Route("/sources/{source_id}", source_page, methods=["GET"]),
          Route("/sources/{source_id}/pause", page(pause), methods=["POST"]),
          Route("/sources/{source_id}/resume", page(resume), methods=["POST"]),
          Route("/sources/{source_id}/remove", page(remove), methods=["POST"])]
